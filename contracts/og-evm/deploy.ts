// Deploys OpenGradient's real contracts (og-evm 113ae07: TEERegistry, TEEInferenceVerifier, InferenceSettlementRelay;
// and the earlier registries 758e149 and 6030478) on anvil, with our MockTEEVerifier at the TEE precompile's
// address, and drives them: every transaction from an unlocked dev account, every block at a timestamp chosen
// here (evm_setNextBlockTimestamp), so tests know each block's time exactly.
import { readFileSync } from "node:fs";
import { freePort } from "@attestation-explorer/testkit/net";
import {
  type Abi,
  type Address,
  createPublicClient,
  createTestClient,
  createWalletClient,
  decodeErrorResult,
  encodeAbiParameters,
  encodeDeployData,
  encodeFunctionData,
  type Hex,
  http,
  keccak256,
  type Log,
  type PublicClient,
  parseAbi,
  parseEventLogs,
  type TestClient,
  type TransactionReceipt,
  toHex,
  type WalletClient,
} from "viem";
import { type RunningAnvil, startAnvil } from "../../devnet/src/chain/anvil.ts";
import { heartbeatMessage, settlementMessage } from "../../devnet/src/crypto/messages.ts";
import { signPss } from "../../devnet/src/crypto/pss-sign.ts";
import type { TeeSigningKey } from "../../devnet/src/crypto/rsa-keygen.ts";
import { compileOgEvm, NITRO_DOCUMENT_PATH, type OgEvmArtifacts, type OgEvmContract } from "./compile.ts";

/** OpenGradient's TEE precompile (ITEEVerifier). */
export const PRECOMPILE_ADDRESS: Address = "0x0000000000000000000000000000000000000900";

/** The real Nitro document (../shared/fixtures/nitro/attestation_doc.bin): its time and PCR hash. */
export const NITRO_DOCUMENT_TIME_MS = Date.parse("2026-02-12T17:56:02.724Z");
export const NITRO_PCR_HASH: Hex = "0x8082af22571613eabd5dad9c7e857c4f16154ded3d387386d8193b53906f6a24";

/** What the relay's verifier allows (TEEInferenceVerifier.MAX_INFERENCE_AGE / FUTURE_TOLERANCE). */
export const MAX_INFERENCE_AGE = 3600n;
export const FUTURE_TOLERANCE = 300n;
/** TEERegistry.heartbeatMaxAge's default. */
export const HEARTBEAT_MAX_AGE = 1800n;

export const TEE_OPERATOR_ROLE = keccak256(toHex("TEE_OPERATOR"));
export const SETTLEMENT_RELAY_ROLE = keccak256(toHex("SETTLEMENT_RELAY_ROLE"));
export const DEFAULT_ADMIN_ROLE: Hex = `0x${"00".repeat(32)}`;

/** Fixed gas, so a transaction that reverts is still mined (no estimate first) and its revert can be checked. */
const GAS = 8_000_000n;

export interface PcrSet {
  pcr0: Hex;
  pcr1: Hex;
  pcr2: Hex;
  /** keccak256(pcr0 ‖ pcr1 ‖ pcr2): TEERegistry.computePCRHash. */
  hash: Hex;
}

export function pcrSet(pcr0: Hex, pcr1: Hex, pcr2: Hex): PcrSet {
  return { pcr0, pcr1, pcr2, hash: keccak256(`0x${pcr0.slice(2)}${pcr1.slice(2)}${pcr2.slice(2)}`) };
}

/** The devnet's attestation document format, abi.encode(bytes pcr0, bytes pcr1, bytes pcr2). */
export function devnetDocument(pcrs: PcrSet): Hex {
  return encodeAbiParameters(
    [{ type: "bytes" }, { type: "bytes" }, { type: "bytes" }],
    [pcrs.pcr0, pcrs.pcr1, pcrs.pcr2],
  );
}

/**
 * The real Nitro document's bytes (the fixture holds them as base64 text, as og-evm's testdata; the chain gets the
 * 4,556 raw CBOR bytes, which the precompile base64-encodes itself) and its PCR0-2, decoded from its payload and
 * checked against its known hash.
 */
export async function nitroDocument(): Promise<{ document: Hex; pcrs: PcrSet; timeMs: number }> {
  const bytes = Buffer.from(readFileSync(NITRO_DOCUMENT_PATH, "ascii").trim(), "base64");
  const { Decoder } = (await import("cbor-x")) as unknown as {
    Decoder: new (o: object) => { decode: (b: Uint8Array) => unknown };
  };
  const decoder = new Decoder({ mapsAsObjects: false, useRecords: false });
  // COSE_Sign1: [protected, unprotected, payload, signature]; the payload is the attestation map.
  const cose = decoder.decode(bytes) as unknown[];
  const payload = decoder.decode(cose[2] as Uint8Array) as Map<string, unknown>;
  const pcrMap = payload.get("pcrs") as Map<number, Uint8Array>;
  const pcrAt = (i: number) => {
    const p = pcrMap.get(i);
    if (!p) throw new Error(`the Nitro document has no PCR${i}`);
    return toHex(p);
  };
  const pcrs = pcrSet(pcrAt(0), pcrAt(1), pcrAt(2));
  if (pcrs.hash !== NITRO_PCR_HASH)
    throw new Error(`the Nitro document's PCR hash is ${pcrs.hash}, expected ${NITRO_PCR_HASH}`);
  return { document: toHex(bytes), pcrs, timeMs: Number(payload.get("timestamp")) };
}

/** A mined transaction. */
export interface Mined {
  hash: Hex;
  receipt: TransactionReceipt;
  block: number;
  blockHash: Hex;
  /** The block's timestamp (the one this library set). */
  time: bigint;
  logs: Log[];
  /** Reverted: the revert decoded (custom error name or the Error(string) message), else undefined. */
  revert?: string;
}

export interface Contract {
  name: string;
  address: Address;
  abi: Abi;
}

export interface OgEvmChainOptions {
  /** Genesis timestamp (unix seconds); the default is now. */
  genesisTimestamp?: number;
  verbose?: boolean;
}

/**
 * An anvil with MockTEEVerifier's code at 0x…0900 and a clock: each transaction's block is one second after the
 * previous one unless a time is given (`at`).
 */
export class OgEvmChain {
  readonly publicClient: PublicClient;
  readonly walletClient: WalletClient;
  readonly testClient: TestClient;
  readonly mock: Contract;
  /** Timestamp of the last block this library mined (or genesis). */
  time = 0n;
  private errorAbi: Abi = [];

  private constructor(
    readonly anvil: RunningAnvil,
    readonly artifacts: OgEvmArtifacts,
    readonly accounts: Address[],
  ) {
    const transport = http(anvil.rpcUrl, { retryCount: 0 });
    // No cached answers: viem reuses a block number for cacheTime (default: the polling interval), so a test reading
    // the head right after a transaction could be told a block before it (a flaky og-evm e2e run: block 48 for 50).
    this.publicClient = createPublicClient({ transport, pollingInterval: 20, cacheTime: 0 });
    this.walletClient = createWalletClient({ transport, pollingInterval: 20 });
    this.testClient = createTestClient({ transport, mode: "anvil", pollingInterval: 20 });
    this.mock = { name: "MockTEEVerifier", address: PRECOMPILE_ADDRESS, abi: artifacts.MockTEEVerifier.abi };
    for (const c of [
      artifacts.current.TEERegistry,
      artifacts.current.InferenceSettlementRelay,
      artifacts.current.TEEInferenceVerifier,
      artifacts.registry758e149,
      artifacts.registry6030478,
      artifacts.MockTEEVerifier,
    ]) {
      this.errorAbi = [...this.errorAbi, ...c.abi.filter((i) => i.type === "error")];
    }
  }

  get rpcUrl(): string {
    return this.anvil.rpcUrl;
  }

  /** accounts[0]: deploys everything (every role at first) and registers documents in the mock. */
  get deployer(): Address {
    return this.accounts[0];
  }

  /** Starts anvil (automine) and installs the mock precompile. */
  static async start(options: OgEvmChainOptions = {}): Promise<OgEvmChain> {
    const artifacts = compileOgEvm();
    const anvil = await startAnvil({
      port: await freePort(),
      accounts: 20,
      genesisTimestamp: options.genesisTimestamp,
      verbose: options.verbose,
    });
    try {
      const accounts = (await createWalletClient({
        transport: http(anvil.rpcUrl),
      }).getAddresses()) as Address[];
      const chain = new OgEvmChain(anvil, artifacts, accounts);
      const genesis = await chain.publicClient.getBlock({ blockNumber: 0n });
      chain.time = genesis.timestamp;
      await chain.installMock();
      return chain;
    } catch (err) {
      await anvil.stop();
      throw err;
    }
  }

  async stop(): Promise<void> {
    await this.anvil.stop();
  }

  /**
   * Deploys MockTEEVerifier normally (its immutable admin = the deployer is part of the deployed code), then copies
   * that code to 0x…0900 with anvil_setCode. Storage there starts empty: documents are registered by calling it.
   */
  private async installMock(): Promise<void> {
    const instance = await this.deploy("MockTEEVerifier", this.artifacts.MockTEEVerifier);
    const code = await this.publicClient.getCode({ address: instance.address });
    if (!code || code === "0x") throw new Error("MockTEEVerifier has no code");
    await this.testClient.setCode({ address: PRECOMPILE_ADDRESS, bytecode: code });
  }

  /** Makes the mock precompile accept `document` with `pcrHash` (verifyAttestation → (true, pcrHash)). */
  async registerDocument(document: Hex, pcrHash: Hex): Promise<Mined> {
    return this.send(this.mock, "registerDocument", [document, pcrHash]);
  }

  /** Deploys a contract from the deployer at the next block time. */
  async deploy(
    name: string,
    artifact: OgEvmContract,
    args: readonly unknown[] = [],
  ): Promise<Contract & { mined: Mined }> {
    const data = encodeDeployData({ abi: artifact.abi, bytecode: artifact.bytecode, args });
    const mined = await this.transact({ from: this.deployer, data });
    if (mined.revert !== undefined || !mined.receipt.contractAddress)
      throw new Error(`deploying ${name} failed: ${mined.revert}`);
    return { name, address: mined.receipt.contractAddress, abi: artifact.abi, mined };
  }

  /** Sends `functionName(args)` and fails unless it succeeds. */
  async send(
    contract: Contract,
    functionName: string,
    args: readonly unknown[],
    opts: SendOptions = {},
  ): Promise<Mined> {
    const mined = await this.trySend(contract, functionName, args, opts);
    if (mined.revert !== undefined)
      throw new Error(`${contract.name}.${functionName} reverted: ${mined.revert}`);
    return mined;
  }

  /** Sends `functionName(args)`; the result says whether it reverted (mined either way). */
  async trySend(
    contract: Contract,
    functionName: string,
    args: readonly unknown[],
    opts: SendOptions = {},
  ): Promise<Mined> {
    const data = encodeFunctionData({ abi: contract.abi, functionName, args });
    return this.transact({ from: opts.from ?? this.deployer, to: contract.address, data, at: opts.at });
  }

  /** eth_call of a view function at the latest block. */
  async read<T>(contract: Contract, functionName: string, args: readonly unknown[] = []): Promise<T> {
    return (await this.publicClient.readContract({
      address: contract.address,
      abi: contract.abi,
      functionName,
      args,
    })) as T;
  }

  /** The decoded events of a mined transaction's logs emitted by `contract`. */
  events(
    contract: Contract,
    mined: Mined,
  ): { eventName: string; args: Record<string, unknown>; topics: Hex[] }[] {
    const logs = mined.logs.filter((l) => l.address.toLowerCase() === contract.address.toLowerCase());
    return parseEventLogs({ abi: contract.abi, logs, strict: true }).map((l) => ({
      eventName: l.eventName,
      args: l.args as unknown as Record<string, unknown>,
      topics: l.topics as Hex[],
    }));
  }

  /** The next block's timestamp: `at`, or one second after the last. */
  private async nextTime(at?: bigint): Promise<bigint> {
    const t = at ?? this.time + 1n;
    if (t <= this.time) throw new Error(`block time ${t} is not after the previous block's ${this.time}`);
    await this.testClient.setNextBlockTimestamp({ timestamp: t });
    return t;
  }

  private async transact(tx: { from: Address; to?: Address; data: Hex; at?: bigint }): Promise<Mined> {
    const time = await this.nextTime(tx.at);
    const hash = await this.walletClient.sendTransaction({
      account: tx.from,
      chain: null,
      to: tx.to,
      data: tx.data,
      gas: GAS,
    });
    const receipt = await this.publicClient.waitForTransactionReceipt({
      hash,
      pollingInterval: 20,
      timeout: 30_000,
    });
    const block = await this.publicClient.getBlock({ blockHash: receipt.blockHash });
    if (block.timestamp !== time)
      throw new Error(`block ${block.number} has time ${block.timestamp}, expected ${time}`);
    this.time = time;
    const mined: Mined = {
      hash,
      receipt,
      block: Number(receipt.blockNumber),
      blockHash: receipt.blockHash,
      time,
      logs: receipt.logs,
    };
    if (receipt.status !== "success") mined.revert = await this.revertOf(hash);
    return mined;
  }

  /** The revert of a mined transaction, from anvil's call tracer. */
  private async revertOf(hash: Hex): Promise<string> {
    const trace = (await this.publicClient.request({
      method: "debug_traceTransaction" as never,
      params: [hash, { tracer: "callTracer" }] as never,
    })) as { output?: Hex; error?: string };
    const data = trace.output ?? "0x";
    try {
      const decoded = decodeErrorResult({
        abi: [...this.errorAbi, ...parseAbi(["error Error(string)"])],
        data,
      });
      return decoded.errorName === "Error" ? String(decoded.args?.[0]) : decoded.errorName;
    } catch {
      return `<${data} ${trace.error ?? ""}>`;
    }
  }
}

export interface SendOptions {
  from?: Address;
  /** The block's timestamp (else one second after the previous block). */
  at?: bigint;
}

/** A registered TEE: its key and what it registered with. */
export interface RegisteredTee {
  key: TeeSigningKey;
  teeId: Hex;
  pcrHash: Hex;
  teeType: number;
  document: Hex;
  tlsCertificate: Hex;
  paymentAddress: Address;
  endpoint: string;
  owner: Address;
  registration: Mined;
}

/** og-evm 113ae07: TEERegistry, TEEInferenceVerifier (the relay's SETTLEMENT_CONTRACT) and InferenceSettlementRelay. */
export class CurrentNetwork {
  private constructor(
    readonly chain: OgEvmChain,
    readonly registry: Contract,
    readonly verifier: Contract,
    readonly relay: Contract,
    /** The registry's creation block: where an indexer starts. */
    readonly deploymentBlock: number,
  ) {}

  /**
   * Deploys the three contracts from the deployer (who holds every role at first); grants TEE_OPERATOR to
   * `roles.operator`, SETTLEMENT_RELAY_ROLE (relay) to `roles.relayer` and DEFAULT_ADMIN_ROLE (registry: TEE
   * types, PCRs, certificate) to `roles.pcrAdmin`, when given.
   */
  static async deploy(
    chain: OgEvmChain,
    roles: { operator?: Address; relayer?: Address; pcrAdmin?: Address } = {},
  ): Promise<CurrentNetwork> {
    const a = chain.artifacts.current;
    const registry = await chain.deploy("TEERegistry", a.TEERegistry);
    const verifier = await chain.deploy("TEEInferenceVerifier", a.TEEInferenceVerifier, [registry.address]);
    const relay = await chain.deploy("InferenceSettlementRelay", a.InferenceSettlementRelay, [
      verifier.address,
    ]);
    const net = new CurrentNetwork(chain, registry, verifier, relay, registry.mined.block);
    if (roles.operator) await chain.send(registry, "grantRole", [TEE_OPERATOR_ROLE, roles.operator]);
    if (roles.relayer) await chain.send(relay, "grantRole", [SETTLEMENT_RELAY_ROLE, roles.relayer]);
    if (roles.pcrAdmin) await chain.send(registry, "grantRole", [DEFAULT_ADMIN_ROLE, roles.pcrAdmin]);
    return net;
  }

  addTEEType(typeId: number, name: string, opts: SendOptions = {}): Promise<Mined> {
    return this.chain.send(this.registry, "addTEEType", [typeId, name], opts);
  }

  approvePCR(pcrs: PcrSet, version: string, teeType: number, opts: SendOptions = {}): Promise<Mined> {
    return this.chain.send(
      this.registry,
      "approvePCR",
      [{ pcr0: pcrs.pcr0, pcr1: pcrs.pcr1, pcr2: pcrs.pcr2 }, version, teeType],
      opts,
    );
  }

  revokePCR(pcrHash: Hex, teeType: number, opts: SendOptions = {}): Promise<Mined> {
    return this.chain.send(this.registry, "revokePCR", [pcrHash, teeType], opts);
  }

  setAWSRootCertificate(certificate: Hex, opts: SendOptions = {}): Promise<Mined> {
    return this.chain.send(this.registry, "setAWSRootCertificate", [certificate], opts);
  }

  /**
   * registerTEEWithAttestation with `document`, registered in the mock first with `pcrHash` (unless
   * `registerInMock` is false: then the mock must know it already, or the registration reverts).
   */
  async registerTee(input: {
    key: TeeSigningKey;
    document: Hex;
    pcrHash: Hex;
    teeType: number;
    tlsCertificate?: Hex;
    paymentAddress: Address;
    endpoint: string;
    from?: Address;
    at?: bigint;
    registerInMock?: boolean;
  }): Promise<RegisteredTee> {
    if (input.registerInMock !== false) await this.chain.registerDocument(input.document, input.pcrHash);
    const tlsCertificate = input.tlsCertificate ?? toHex(`tls-cert:${input.key.teeId}`);
    const owner = input.from ?? this.chain.deployer;
    const registration = await this.chain.send(
      this.registry,
      "registerTEEWithAttestation",
      [
        input.document,
        input.key.publicKeyDer,
        tlsCertificate,
        input.paymentAddress,
        input.endpoint,
        input.teeType,
      ],
      { from: owner, at: input.at },
    );
    return {
      key: input.key,
      teeId: input.key.teeId,
      pcrHash: input.pcrHash,
      teeType: input.teeType,
      document: input.document,
      tlsCertificate,
      paymentAddress: input.paymentAddress,
      endpoint: input.endpoint,
      owner,
      registration,
    };
  }

  /**
   * heartbeat(teeId, timestamp, RSA-PSS signature) in a block at `at` (default: one second after the last), the
   * signed timestamp `timestamp` (default: the block's time). `signature` replaces the real one (forgeries).
   */
  async heartbeat(
    tee: { key: TeeSigningKey },
    opts: {
      at?: bigint;
      timestamp?: (blockTime: bigint) => bigint;
      /** Replaces the real signature (e.g. one with a bit flipped, or another key's over `message`). */
      signature?: (real: Hex, message: Hex) => Hex;
      from?: Address;
    } = {},
  ): Promise<Mined & { timestamp: bigint; signature: Hex }> {
    const at = opts.at ?? this.chain.time + 1n;
    const timestamp = opts.timestamp ? opts.timestamp(at) : at;
    const message = heartbeatMessage(tee.key.teeId, timestamp);
    const real = signPss(tee.key.privateKey, message);
    const signature = opts.signature ? opts.signature(real, message) : real;
    const mined = await this.chain.trySend(
      this.registry,
      "heartbeat",
      [tee.key.teeId, timestamp, signature],
      {
        at,
        from: opts.from,
      },
    );
    return { ...mined, timestamp, signature };
  }

  /**
   * settleIndividual from `from` (default the deployer, who has SETTLEMENT_RELAY_ROLE), signed by the TEE's key
   * over keccak256(inputHash ‖ outputHash ‖ timestamp); `timestamp` is a function of the block's time.
   */
  async settleIndividual(
    tee: { key: TeeSigningKey },
    input: {
      inputHash: Hex;
      outputHash: Hex;
      timestamp: (blockTime: bigint) => bigint;
      ethAddress: Address;
      walrusBlobId: Hex;
      /** Replaces the real signature (e.g. one with a bit flipped, or another key's over `message`). */
      signature?: (real: Hex, message: Hex) => Hex;
      at?: bigint;
      from?: Address;
    },
  ): Promise<Mined & { timestamp: bigint; signature: Hex }> {
    const at = input.at ?? this.chain.time + 1n;
    const timestamp = input.timestamp(at);
    const message = settlementMessage(input.inputHash, input.outputHash, timestamp);
    const real = signPss(tee.key.privateKey, message);
    const signature = input.signature ? input.signature(real, message) : real;
    const mined = await this.chain.trySend(
      this.relay,
      "settleIndividual",
      [
        tee.key.teeId,
        input.inputHash,
        input.outputHash,
        timestamp,
        input.ethAddress,
        input.walrusBlobId,
        signature,
      ],
      { at, from: input.from },
    );
    return { ...mined, timestamp, signature };
  }

  batchSettle(merkleRoot: Hex, batchSize: bigint, walrusBlobId: Hex, opts: SendOptions = {}): Promise<Mined> {
    return this.chain.send(this.relay, "batchSettle", [merkleRoot, batchSize, walrusBlobId], opts);
  }

  disableTEE(teeId: Hex, opts: SendOptions = {}): Promise<Mined> {
    return this.chain.trySend(this.registry, "disableTEE", [teeId], opts);
  }

  enableTEE(teeId: Hex, opts: SendOptions = {}): Promise<Mined> {
    return this.chain.trySend(this.registry, "enableTEE", [teeId], opts);
  }
}

/** Flips one bit of a hex byte string (bit 0 of byte `byteIndex`, counted from the start). */
export function flipBit(hex: Hex, byteIndex = 0, bit = 0): Hex {
  const bytes = Buffer.from(hex.slice(2), "hex");
  const i = byteIndex < 0 ? bytes.length + byteIndex : byteIndex;
  bytes[i] ^= 1 << bit;
  return `0x${bytes.toString("hex")}`;
}
