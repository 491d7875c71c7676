// The earlier og-evm registries, deployed and driven until each has emitted the events whose signatures differ from
// the current registry's (fixture README, "Events by version"): the logs a test of the indexer's decoding uses.
import { type Address, type Hex, toHex } from "viem";
import { heartbeatMessage } from "../../devnet/src/crypto/messages.ts";
import { signPss } from "../../devnet/src/crypto/pss-sign.ts";
import type { TeeSigningKey } from "../../devnet/src/crypto/rsa-keygen.ts";
import { type Contract, devnetDocument, type Mined, type OgEvmChain, type PcrSet } from "./deploy.ts";

export interface LegacyRun {
  registry: Contract;
  teeId: Hex;
  pcrHash: Hex;
  /** Every transaction, by step. */
  steps: Record<string, Mined>;
}

/**
 * og-evm 758e149: addTEEType(0), approvePCR → PCRApproved(bytes32,uint8,string), register, heartbeat,
 * deactivateTEE → TEEDeactivated(bytes32), activateTEE → TEEActivated(bytes32), revokePCR(hash, 0, gracePeriod) →
 * PCRRevoked(bytes32,uint256), deactivateTEEType → TEETypeDeactivated(uint8), removeTEE → TEERemoved(bytes32).
 */
export async function driveRegistry758e149(
  chain: OgEvmChain,
  input: { key: TeeSigningKey; pcrs: PcrSet; paymentAddress: Address; gracePeriod?: bigint },
): Promise<LegacyRun> {
  const registry = await chain.deploy("TEERegistry@758e149", chain.artifacts.registry758e149);
  const { key, pcrs } = input;
  const document = devnetDocument(pcrs);
  const steps: Record<string, Mined> = { deploy: registry.mined };
  steps.addTEEType = await chain.send(registry, "addTEEType", [0, "LLMProxy"]);
  steps.approvePCR = await chain.send(registry, "approvePCR", [pcrTuple(pcrs), "v0.9.0", 0]);
  steps.registerDocument = await chain.registerDocument(document, pcrs.hash);
  steps.register = await chain.send(registry, "registerTEEWithAttestation", [
    document,
    key.publicKeyDer,
    toHex("tls-cert:758e149"),
    input.paymentAddress,
    "https://tee-758e149.example",
    0,
  ]);
  steps.heartbeat = await heartbeat(chain, registry, key);
  steps.deactivateTEE = await chain.send(registry, "deactivateTEE", [key.teeId]);
  steps.activateTEE = await chain.send(registry, "activateTEE", [key.teeId]);
  steps.revokePCR = await chain.send(registry, "revokePCR", [pcrs.hash, 0, input.gracePeriod ?? 3600n]);
  steps.deactivateTEEType = await chain.send(registry, "deactivateTEEType", [0]);
  steps.removeTEE = await chain.send(registry, "removeTEE", [key.teeId]);
  return { registry, teeId: key.teeId, pcrHash: pcrs.hash, steps };
}

/**
 * og-evm 6030478: addTEEType(0), approvePCR(pcrs, version, previous 0, grace 0) → PCRApproved(bytes32,string),
 * register, heartbeat, deactivateTEE → TEEDeactivated(bytes32), activateTEE → TEEActivated(bytes32),
 * revokePCR(hash) → PCRRevoked(bytes32), deactivateTEEType → TEETypeDeactivated(uint8).
 */
export async function driveRegistry6030478(
  chain: OgEvmChain,
  input: { key: TeeSigningKey; pcrs: PcrSet; paymentAddress: Address },
): Promise<LegacyRun> {
  const registry = await chain.deploy("TEERegistry@6030478", chain.artifacts.registry6030478);
  const { key, pcrs } = input;
  const document = devnetDocument(pcrs);
  const steps: Record<string, Mined> = { deploy: registry.mined };
  steps.addTEEType = await chain.send(registry, "addTEEType", [0, "LLMProxy"]);
  steps.approvePCR = await chain.send(registry, "approvePCR", [
    pcrTuple(pcrs),
    "v0.8.0",
    `0x${"00".repeat(32)}`,
    0n,
  ]);
  steps.registerDocument = await chain.registerDocument(document, pcrs.hash);
  steps.register = await chain.send(registry, "registerTEEWithAttestation", [
    document,
    key.publicKeyDer,
    toHex("tls-cert:6030478"),
    input.paymentAddress,
    "https://tee-6030478.example",
    0,
  ]);
  steps.heartbeat = await heartbeat(chain, registry, key);
  steps.deactivateTEE = await chain.send(registry, "deactivateTEE", [key.teeId]);
  steps.activateTEE = await chain.send(registry, "activateTEE", [key.teeId]);
  steps.revokePCR = await chain.send(registry, "revokePCR", [pcrs.hash]);
  steps.deactivateTEEType = await chain.send(registry, "deactivateTEEType", [0]);
  return { registry, teeId: key.teeId, pcrHash: pcrs.hash, steps };
}

function pcrTuple(pcrs: PcrSet) {
  return { pcr0: pcrs.pcr0, pcr1: pcrs.pcr1, pcr2: pcrs.pcr2 };
}

/** Both earlier registries take heartbeat(teeId, timestamp, signature) over keccak256(teeId ‖ timestamp). */
async function heartbeat(chain: OgEvmChain, registry: Contract, key: TeeSigningKey): Promise<Mined> {
  const at = chain.time + 1n;
  const signature = signPss(key.privateKey, heartbeatMessage(key.teeId, at));
  return chain.send(registry, "heartbeat", [key.teeId, at, signature], { at });
}
