// The harness on OpenGradient's real contracts (og-evm 113ae07, and the earlier registries 758e149 and 6030478,
// compiled from ../shared/fixtures): the scenario of contracts/og-evm/scenario.ts emits the events with the topic
// signatures the fixture README lists, and the contracts behave as it states (settlement freshness bounds and
// signature, heartbeat storing the block's time, revokePCR's TEEDisabled then PCRRevoked, enableTEE on an enabled
// TEE emitting nothing, getTEEPublicKey of an unknown id returning 0x).
import { type Abi, type Hex, keccak256, type Log, toEventSelector, toHex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRng } from "../../../devnet/src/crypto/rng.ts";
import { generateTeeKey } from "../../../devnet/src/crypto/rsa-keygen.ts";
import {
  FUTURE_TOLERANCE,
  MAX_INFERENCE_AGE,
  type Mined,
  NITRO_PCR_HASH,
  OgEvmChain,
  pcrSet,
} from "../../og-evm/deploy.ts";
import { driveRegistry758e149, driveRegistry6030478, type LegacyRun } from "../../og-evm/legacy.ts";
import { runScenario, SCENARIO_GENESIS, type Scenario } from "../../og-evm/scenario.ts";

// Topic signatures, as the fixture README lists them.
const ROLE_EVENTS = [
  "RoleGranted(bytes32,address,address)",
  "RoleRevoked(bytes32,address,address)",
  "RoleAdminChanged(bytes32,bytes32,bytes32)",
];
const CURRENT_REGISTRY = [
  "TEETypeAdded(uint8,string)",
  "PCRApproved(bytes32,uint8,string)",
  "PCRRevoked(bytes32,uint8)",
  "TEERegistered(bytes32,address,uint8)",
  "TEEDisabled(bytes32)",
  "TEEEnabled(bytes32)",
  "HeartbeatReceived(bytes32,uint256)",
  "AWSCertificateUpdated(bytes32)",
];
const RELAY = [
  "IndividualSettlement(bytes32,address,bytes32,bytes32,uint256,bytes,bytes)",
  "BatchSettlement(bytes32,uint256,bytes)",
];
const REGISTRY_758E149 = [
  "TEETypeAdded(uint8,string)",
  "TEETypeDeactivated(uint8)",
  "PCRApproved(bytes32,uint8,string)",
  "PCRRevoked(bytes32,uint256)",
  "TEERegistered(bytes32,address,uint8)",
  "TEEDeactivated(bytes32)",
  "TEEActivated(bytes32)",
  "AWSCertificateUpdated(bytes32)",
  "HeartbeatReceived(bytes32,uint256)",
  "TEERemoved(bytes32)",
];
const REGISTRY_6030478 = [
  "TEETypeAdded(uint8,string)",
  "TEETypeDeactivated(uint8)",
  "PCRApproved(bytes32,string)",
  "PCRRevoked(bytes32)",
  "TEERegistered(bytes32,address,uint8)",
  "TEEDeactivated(bytes32)",
  "TEEActivated(bytes32)",
  "AWSCertificateUpdated(bytes32)",
  "HeartbeatReceived(bytes32,uint256)",
];

const topic = (signature: string): Hex => keccak256(toHex(signature));

/** The canonical signatures of every event in an ABI. */
function eventSignatures(abi: Abi): string[] {
  return abi
    .filter((i) => i.type === "event")
    .map((e) => `${e.name}(${e.inputs.map((p) => p.type).join(",")})`)
    .sort();
}

/** topic0 of each log of a transaction, as event signatures (unknown topics stay as hex). */
function signaturesOf(mined: Mined, known: string[]): string[] {
  const byTopic = new Map(known.map((s) => [topic(s), s]));
  return mined.logs.map((l: Log) => byTopic.get(l.topics[0] as Hex) ?? String(l.topics[0]));
}

let chain: OgEvmChain;
let s: Scenario;
let v758: LegacyRun;
let v603: LegacyRun;

beforeAll(async () => {
  const started = Date.now();
  chain = await OgEvmChain.start({ genesisTimestamp: SCENARIO_GENESIS });
  s = await runScenario(chain);
  const rng = createRng("og-evm-legacy");
  const legacyPcrs = () => pcrSet(toHex(rng.bytes(48)), toHex(rng.bytes(48)), toHex(rng.bytes(48)));
  v758 = await driveRegistry758e149(chain, {
    key: generateTeeKey(rng.fork("758e149")),
    pcrs: legacyPcrs(),
    paymentAddress: chain.accounts[14],
  });
  v603 = await driveRegistry6030478(chain, {
    key: generateTeeKey(rng.fork("6030478")),
    pcrs: legacyPcrs(),
    paymentAddress: chain.accounts[15],
  });
  console.log(`og-evm harness: anvil, scenario and earlier registries in ${Date.now() - started} ms`);
});

afterAll(async () => {
  await chain?.stop();
});

describe("og-evm 113ae07 on anvil", () => {
  it("declares the events the fixture README lists (topic signatures)", () => {
    const a = chain.artifacts;
    expect(eventSignatures(a.current.TEERegistry.abi)).toEqual([...CURRENT_REGISTRY, ...ROLE_EVENTS].sort());
    expect(eventSignatures(a.current.InferenceSettlementRelay.abi)).toEqual(
      [...RELAY, ...ROLE_EVENTS].sort(),
    );
    expect(eventSignatures(a.registry758e149.abi)).toEqual([...REGISTRY_758E149, ...ROLE_EVENTS].sort());
    expect(eventSignatures(a.registry6030478.abi)).toEqual([...REGISTRY_6030478, ...ROLE_EVENTS].sort());
    for (const abi of [a.current.TEERegistry.abi, a.registry758e149.abi, a.registry6030478.abi]) {
      for (const e of abi.filter((i) => i.type === "event")) {
        expect(toEventSelector(e)).toBe(topic(`${e.name}(${e.inputs.map((p) => p.type).join(",")})`));
      }
    }
  });

  it("registers the five TEEs with their keys, PCR hashes, types, owners; the Nitro one near its document's time", async () => {
    const registered = topic("TEERegistered(bytes32,address,uint8)");
    for (const tee of Object.values(s.tees)) {
      const log = tee.registration.logs.find((l) => l.topics[0] === registered);
      expect(log?.topics[1]).toBe(tee.teeId);
      expect(tee.teeId).toBe(keccak256(tee.key.publicKeyDer));
      const info = await chain.read<{
        owner: string;
        publicKey: Hex;
        pcrHash: Hex;
        teeType: number;
        registeredAt: bigint;
        tlsCertificate: Hex;
        paymentAddress: string;
        endpoint: string;
      }>(s.net.registry, "getTEE", [tee.teeId]);
      expect(info.publicKey).toBe(tee.key.publicKeyDer);
      expect(info.pcrHash).toBe(tee.pcrHash);
      expect(info.teeType).toBe(tee.teeType);
      expect(info.owner).toBe(s.roles.operator);
      expect(info.registeredAt).toBe(tee.registration.time);
      expect(info.tlsCertificate).toBe(tee.tlsCertificate);
      expect(info.paymentAddress).toBe(tee.paymentAddress);
      expect(info.endpoint).toBe(tee.endpoint);
    }
    expect(s.tees.nitro.pcrHash).toBe(NITRO_PCR_HASH);
    const docTime = 1_770_918_962n; // 2026-02-12T17:56:02Z
    const regTime = s.tees.nitro.registration.time;
    expect(regTime >= docTime && regTime - docTime < 60n).toBe(true);
  });

  it("heartbeats: HeartbeatReceived(teeId, signed timestamp); lastHeartbeatAt is the block's time", async () => {
    const hb = topic("HeartbeatReceived(bytes32,uint256)");
    for (const h of s.heartbeats) {
      expect(h.mined.logs).toHaveLength(1);
      expect(h.mined.logs[0].topics).toEqual([hb, h.tee.teeId]);
      expect(BigInt(h.mined.logs[0].data)).toBe(h.timestamp);
    }
    // c's only heartbeat signed a timestamp 60 s before its block: the registry stores the block's time.
    const c = s.heartbeats.filter((h) => h.tee === s.tees.c);
    expect(c).toHaveLength(1);
    expect(c[0].timestamp).toBe(c[0].mined.time - 60n);
    const info = await chain.read<{ lastHeartbeatAt: bigint }>(s.net.registry, "getTEE", [s.tees.c.teeId]);
    expect(info.lastHeartbeatAt).toBe(c[0].mined.time);
    // a2's heartbeat at the age bound (block - 1800) was accepted.
    expect(s.heartbeats.some((h) => h.tee === s.tees.a2 && h.timestamp === h.mined.time - 1800n)).toBe(true);
  });

  it("settleIndividual succeeds at both freshness bounds, emitting what was sent", () => {
    const ev = topic(RELAY[0]);
    const lower = s.settlements.find((x) => x.label === "a1 at block - 3600");
    const upper = s.settlements.find((x) => x.label === "a1 at block + 300");
    expect(lower?.timestamp).toBe((lower?.mined.time ?? 0n) - MAX_INFERENCE_AGE);
    expect(upper?.timestamp).toBe((upper?.mined.time ?? 0n) + FUTURE_TOLERANCE);
    for (const x of s.settlements) {
      const [log] = x.mined.logs;
      expect(x.mined.logs).toHaveLength(1);
      expect(log.address.toLowerCase()).toBe(s.net.relay.address.toLowerCase());
      const [decoded] = chain.events(s.net.relay, x.mined);
      expect(log.topics[0]).toBe(ev);
      expect(decoded.args).toEqual({
        teeId: x.tee.teeId,
        ethAddress: x.ethAddress,
        inputHash: x.inputHash,
        outputHash: x.outputHash,
        timestamp: x.timestamp,
        walrusBlobId: x.walrusBlobId,
        signature: x.signature,
      });
    }
  });

  it("reverts outside the bounds, on a bad signature, for a disabled TEE; reverted transactions are mined without logs", () => {
    const byLabel = new Map(s.rejected.map((r) => [r.label, r]));
    for (const label of [
      "a1 at block - 3601",
      "a1 at block + 301",
      "a1 signature bit flipped",
      "a1 signed by another key",
      "b while disabled",
      "a1 after revocation",
    ]) {
      expect(byLabel.get(label)?.mined.revert, label).toBe("Invalid signature");
    }
    for (const r of s.rejected) {
      expect(r.mined.revert, r.label).toBe(r.expected);
      expect(r.mined.receipt.status).toBe("reverted");
      expect(r.mined.logs).toEqual([]);
    }
    expect(byLabel.get("heartbeat too old")?.mined.revert).toBe("HeartbeatTimestampTooOld");
    expect(byLabel.get("heartbeat in the future")?.mined.revert).toBe("HeartbeatTimestampInFuture");
    expect(byLabel.get("heartbeat signature bit flipped")?.mined.revert).toBe("HeartbeatSignatureInvalid");
  });

  it("batchSettle emits BatchSettlement(root, size, blob)", () => {
    for (const b of s.batches) {
      const [e] = chain.events(s.net.relay, b.mined);
      expect(b.mined.logs[0].topics[0]).toBe(topic(RELAY[1]));
      expect(e.args).toEqual({
        merkleRoot: b.merkleRoot,
        batchSize: b.batchSize,
        walrusBlobId: b.walrusBlobId,
      });
    }
  });

  it("disableTEE / enableTEE emit TEEDisabled / TEEEnabled; enableTEE on an enabled TEE emits nothing", () => {
    expect(signaturesOf(s.disableB, CURRENT_REGISTRY)).toEqual(["TEEDisabled(bytes32)"]);
    expect(s.disableB.logs[0].topics[1]).toBe(s.tees.b.teeId);
    expect(signaturesOf(s.enableB, CURRENT_REGISTRY)).toEqual(["TEEEnabled(bytes32)"]);
    expect(s.enableB.logs[0].topics[1]).toBe(s.tees.b.teeId);
    expect(s.enableBAgain.revert).toBeUndefined();
    expect(s.enableBAgain.logs).toEqual([]);
  });

  it("revokePCR emits TEEDisabled for each enabled TEE on the PCR, then PCRRevoked(pcrHash, teeType)", async () => {
    expect(signaturesOf(s.revokeA, CURRENT_REGISTRY)).toEqual([
      "TEEDisabled(bytes32)",
      "TEEDisabled(bytes32)",
      "PCRRevoked(bytes32,uint8)",
    ]);
    // The enabled list is walked backwards: a2 (registered after a1) first.
    expect(s.revokeA.logs.map((l) => l.topics[1])).toEqual([s.tees.a2.teeId, s.tees.a1.teeId, s.pcrs.a.hash]);
    expect(BigInt(s.revokeA.logs[2].topics[2] as Hex)).toBe(0n);
    const enabled = async (id: Hex) => chain.read<boolean>(s.net.registry, "isTEEEnabled", [id]);
    expect(await enabled(s.tees.a1.teeId)).toBe(false);
    expect(await enabled(s.tees.a2.teeId)).toBe(false);
    expect(await enabled(s.tees.b.teeId)).toBe(true);
    expect(await enabled(s.tees.c.teeId)).toBe(true);
    expect(await enabled(s.tees.nitro.teeId)).toBe(true);
    expect(await chain.read(s.net.registry, "isPCRApproved", [0, s.pcrs.a.hash])).toBe(false);
    expect(await chain.read(s.net.registry, "isPCRApproved", [0, NITRO_PCR_HASH])).toBe(true);
  });

  it("getTEEPublicKey of an unknown id returns empty bytes; getTEE reverts TEENotFound", async () => {
    const unknown = keccak256(toHex("no such TEE"));
    expect(await chain.read(s.net.registry, "getTEEPublicKey", [unknown])).toBe("0x");
    await expect(chain.read(s.net.registry, "getTEE", [unknown])).rejects.toThrow(/TEENotFound/);
  });

  it("the relay's verifier is TEEInferenceVerifier(registry); roles were granted to the operator, relayer, PCR admin", async () => {
    expect((await chain.read<string>(s.net.relay, "SETTLEMENT_CONTRACT")).toLowerCase()).toBe(
      s.net.verifier.address.toLowerCase(),
    );
    expect((await chain.read<string>(s.net.verifier, "registry")).toLowerCase()).toBe(
      s.net.registry.address.toLowerCase(),
    );
  });
});

describe("earlier registries", () => {
  it("758e149 emits PCRApproved(bytes32,uint8,string), PCRRevoked(bytes32,uint256), TEEDeactivated/TEEActivated, TEETypeDeactivated, TEERemoved", () => {
    const sig = (step: string) => signaturesOf(v758.steps[step], REGISTRY_758E149);
    expect(sig("approvePCR")).toEqual(["PCRApproved(bytes32,uint8,string)"]);
    expect(sig("register")).toEqual(["TEERegistered(bytes32,address,uint8)"]);
    expect(sig("heartbeat")).toEqual(["HeartbeatReceived(bytes32,uint256)"]);
    expect(sig("deactivateTEE")).toEqual(["TEEDeactivated(bytes32)"]);
    expect(sig("activateTEE")).toEqual(["TEEActivated(bytes32)"]);
    expect(sig("revokePCR")).toEqual(["PCRRevoked(bytes32,uint256)"]);
    expect(sig("deactivateTEEType")).toEqual(["TEETypeDeactivated(uint8)"]);
    expect(sig("removeTEE")).toEqual(["TEERemoved(bytes32)"]);
    const revoked = v758.steps.revokePCR.logs[0];
    expect(revoked.topics).toEqual([topic("PCRRevoked(bytes32,uint256)"), v758.pcrHash]);
    expect(BigInt(revoked.data)).toBe(3600n);
    expect(v758.steps.deactivateTEE.logs[0].topics[1]).toBe(v758.teeId);
    expect(v758.steps.deactivateTEEType.logs[0].topics).toEqual([
      topic("TEETypeDeactivated(uint8)"),
      toHex(0, { size: 32 }),
    ]);
  });

  it("6030478 emits PCRApproved(bytes32,string), PCRRevoked(bytes32), TEEDeactivated/TEEActivated, TEETypeDeactivated", () => {
    const sig = (step: string) => signaturesOf(v603.steps[step], REGISTRY_6030478);
    expect(sig("approvePCR")).toEqual(["PCRApproved(bytes32,string)"]);
    expect(sig("register")).toEqual(["TEERegistered(bytes32,address,uint8)"]);
    expect(sig("heartbeat")).toEqual(["HeartbeatReceived(bytes32,uint256)"]);
    expect(sig("deactivateTEE")).toEqual(["TEEDeactivated(bytes32)"]);
    expect(sig("activateTEE")).toEqual(["TEEActivated(bytes32)"]);
    expect(sig("revokePCR")).toEqual(["PCRRevoked(bytes32)"]);
    expect(sig("deactivateTEEType")).toEqual(["TEETypeDeactivated(uint8)"]);
    expect(v603.steps.revokePCR.logs[0].topics).toEqual([topic("PCRRevoked(bytes32)"), v603.pcrHash]);
    expect(v603.steps.revokePCR.logs[0].data).toBe("0x");
  });
});
