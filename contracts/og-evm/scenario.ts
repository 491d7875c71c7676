// One scenario on og-evm 113ae07's real contracts, shared by the harness test (contracts/test/og-evm) and the
// indexer's end-to-end test (indexer/e2e/og-evm): TEE types and PCRs, five registrations (four devnet-format
// documents and the real Nitro document), heartbeats, settlements at both freshness bounds, batches,
// disable/enable, a PCR revocation, and transactions that revert (mined, so an indexer sees them and must ignore
// them). It returns every transaction with what it sent, so tests compare against what was sent.
import { type Address, type Hex, keccak256, toHex } from "viem";
import { signPss } from "../../devnet/src/crypto/pss-sign.ts";
import { createRng } from "../../devnet/src/crypto/rng.ts";
import { generateTeeKey, type TeeSigningKey } from "../../devnet/src/crypto/rsa-keygen.ts";
import {
  CurrentNetwork,
  devnetDocument,
  FUTURE_TOLERANCE,
  flipBit,
  HEARTBEAT_MAX_AGE,
  MAX_INFERENCE_AGE,
  type Mined,
  NITRO_DOCUMENT_TIME_MS,
  nitroDocument,
  type OgEvmChain,
  type PcrSet,
  pcrSet,
  type RegisteredTee,
} from "./deploy.ts";

/**
 * A genesis 5 s before the real Nitro document's time, so its registration (15 blocks of one second later, ~10 s
 * after the document) is within og-evm's freshness window (document at most 300 s old, at most 60 s ahead) and
 * inside its leaf certificate's validity: freshness is not what fails in the indexer's check of it.
 */
export const SCENARIO_GENESIS = Math.floor(NITRO_DOCUMENT_TIME_MS / 1000) - 5;

export interface SentHeartbeat {
  tee: RegisteredTee;
  mined: Mined;
  /** The signed timestamp. */
  timestamp: bigint;
  signature: Hex;
}

export interface SentSettlement {
  label: string;
  tee: RegisteredTee;
  mined: Mined;
  inputHash: Hex;
  outputHash: Hex;
  timestamp: bigint;
  ethAddress: Address;
  walrusBlobId: Hex;
  signature: Hex;
}

export interface SentBatch {
  mined: Mined;
  merkleRoot: Hex;
  batchSize: bigint;
  walrusBlobId: Hex;
}

export interface Rejected {
  label: string;
  mined: Mined;
  /** The revert the contracts are expected to give. */
  expected: string;
}

export interface ScenarioRoles {
  deployer: Address;
  operator: Address;
  relayer: Address;
  pcrAdmin: Address;
  heartbeatSender: Address;
  users: Address[];
  payment: Address[];
}

export interface Scenario {
  net: CurrentNetwork;
  roles: ScenarioRoles;
  pcrs: { a: PcrSet; b: PcrSet; c: PcrSet; nitro: PcrSet };
  /** a1, a2 on PCR a; b on PCR b (type 0); c on PCR c (type 1); nitro: the real Nitro document, PCR nitro. */
  tees: { a1: RegisteredTee; a2: RegisteredTee; b: RegisteredTee; c: RegisteredTee; nitro: RegisteredTee };
  heartbeats: SentHeartbeat[];
  settlements: SentSettlement[];
  batches: SentBatch[];
  /** Mined and reverted. */
  rejected: Rejected[];
  disableB: Mined;
  enableB: Mined;
  /** enableTEE on an enabled TEE: succeeds, emits nothing. */
  enableBAgain: Mined;
  /** revokePCR(a, 0): TEEDisabled(a2), TEEDisabled(a1), PCRRevoked. */
  revokeA: Mined;
  /** The last block of the scenario. */
  lastBlock: number;
}

/** Deterministic keys for the scenario (devnet's RSA-2048 key generator, seeded). */
export function scenarioKeys(
  seed = "og-evm-113ae07",
): Record<"a1" | "a2" | "b" | "c" | "nitro" | "other", TeeSigningKey> {
  const rng = createRng(seed);
  return {
    a1: generateTeeKey(rng.fork("a1")),
    a2: generateTeeKey(rng.fork("a2")),
    b: generateTeeKey(rng.fork("b")),
    c: generateTeeKey(rng.fork("c")),
    nitro: generateTeeKey(rng.fork("nitro")),
    other: generateTeeKey(rng.fork("other")),
  };
}

export interface ScenarioOptions {
  seed?: string;
  /**
   * Called before the revocation of PCR a, with the settlements so far (e.g. to let an indexer catch up and see
   * pcrValid PASS before the revocation makes it FAIL retroactively).
   */
  beforeRevocation?: (sofar: {
    net: CurrentNetwork;
    tees: Scenario["tees"];
    settlements: SentSettlement[];
    lastBlock: number;
  }) => Promise<void>;
}

/** Runs the scenario on a fresh chain (started with genesis SCENARIO_GENESIS for the Nitro document's sake). */
export async function runScenario(chain: OgEvmChain, options: ScenarioOptions = {}): Promise<Scenario> {
  const seed = options.seed ?? "og-evm-113ae07";
  const rng = createRng(`${seed}/values`);
  const keys = scenarioKeys(seed);
  const [deployer, operator, relayer, pcrAdmin, heartbeatSender] = chain.accounts;
  const roles: ScenarioRoles = {
    deployer,
    operator,
    relayer,
    pcrAdmin,
    heartbeatSender,
    users: chain.accounts.slice(5, 8),
    payment: chain.accounts.slice(8, 13),
  };
  const net = await CurrentNetwork.deploy(chain, { operator, relayer, pcrAdmin });
  const admin = { from: pcrAdmin };
  await net.addTEEType(0, "LLMProxy", admin);
  await net.addTEEType(1, "Agent", admin);

  const randomPcrs = () => pcrSet(toHex(rng.bytes(48)), toHex(rng.bytes(48)), toHex(rng.bytes(48)));
  const nitro = await nitroDocument();
  const pcrs = { a: randomPcrs(), b: randomPcrs(), c: randomPcrs(), nitro: nitro.pcrs };
  await net.approvePCR(pcrs.nitro, "nitro-113ae07", 0, admin);
  await net.approvePCR(pcrs.a, "v1.0.0", 0, admin);
  await net.approvePCR(pcrs.b, "v1.1.0", 0, admin);
  await net.approvePCR(pcrs.c, "agent-v1", 1, admin);

  // The real Nitro document first, while the chain's time is close to the document's.
  const register = (key: TeeSigningKey, document: Hex, pcrHash: Hex, teeType: number, i: number) =>
    net.registerTee({
      key,
      document,
      pcrHash,
      teeType,
      paymentAddress: roles.payment[i],
      endpoint: `https://tee-${i}.og-evm.example:443`,
      from: operator,
    });
  const tees = {
    nitro: await register(keys.nitro, nitro.document, pcrs.nitro.hash, 0, 0),
    a1: await register(keys.a1, devnetDocument(pcrs.a), pcrs.a.hash, 0, 1),
    a2: await register(keys.a2, devnetDocument(pcrs.a), pcrs.a.hash, 0, 2),
    b: await register(keys.b, devnetDocument(pcrs.b), pcrs.b.hash, 0, 3),
    c: await register(keys.c, devnetDocument(pcrs.c), pcrs.c.hash, 1, 4),
  };

  const heartbeats: SentHeartbeat[] = [];
  const settlements: SentSettlement[] = [];
  const batches: SentBatch[] = [];
  const rejected: Rejected[] = [];
  const reject = (label: string, mined: Mined, expected: string) => {
    if (mined.revert === undefined)
      throw new Error(`${label}: succeeded, expected it to revert with ${expected}`);
    rejected.push({ label, mined, expected });
  };
  const heartbeat = async (tee: RegisteredTee, timestamp?: (t: bigint) => bigint, at?: bigint) => {
    const sent = await net.heartbeat(tee, { timestamp, at, from: heartbeatSender });
    if (sent.revert !== undefined) throw new Error(`heartbeat of ${tee.teeId} reverted: ${sent.revert}`);
    heartbeats.push({ tee, mined: sent, timestamp: sent.timestamp, signature: sent.signature });
  };
  let n = 0;
  const settlementInput = (timestamp: (t: bigint) => bigint) => ({
    inputHash: keccak256(toHex(`input-${n}`)),
    outputHash: keccak256(toHex(`output-${n}`)),
    timestamp,
    ethAddress: roles.users[n % roles.users.length],
    walrusBlobId: toHex(`walrus-blob-${n++}`),
    from: relayer,
  });
  const settle = async (label: string, tee: RegisteredTee, timestamp: (t: bigint) => bigint, at?: bigint) => {
    const input = { ...settlementInput(timestamp), at };
    const sent = await net.settleIndividual(tee, input);
    if (sent.revert !== undefined) throw new Error(`settlement ${label} reverted: ${sent.revert}`);
    settlements.push({
      label,
      tee,
      mined: sent,
      ...input,
      timestamp: sent.timestamp,
      signature: sent.signature,
    });
  };
  const settleRejected = async (
    label: string,
    tee: RegisteredTee,
    timestamp: (t: bigint) => bigint,
    expected: string,
    extra: { signature?: (real: Hex, message: Hex) => Hex; from?: Address } = {},
  ) => {
    const sent = await net.settleIndividual(tee, { ...settlementInput(timestamp), ...extra });
    reject(label, sent, expected);
  };

  // Two hours later: every signed timestamp of the scenario is after the registrations.
  const later = chain.time + 7200n;
  await heartbeat(tees.a1, undefined, later);
  await heartbeat(tees.nitro);
  await heartbeat(tees.c, (t) => t - 60n);
  // Settlements at both freshness bounds of TEEInferenceVerifier, and inside them.
  await settle("a1 at block - 3600", tees.a1, (t) => t - MAX_INFERENCE_AGE);
  await settle("a1 at block + 300", tees.a1, (t) => t + FUTURE_TOLERANCE);
  await settle("a2 at block", tees.a2, (t) => t);
  await settle("b at block - 10", tees.b, (t) => t - 10n);
  await settle("c at block - 120", tees.c, (t) => t - 120n);
  await settle("nitro at block - 1", tees.nitro, (t) => t - 1n);
  // Rejected: just outside the bounds, a flipped bit in the signature, a signature over another message, not the
  // relayer.
  await settleRejected("a1 at block - 3601", tees.a1, (t) => t - MAX_INFERENCE_AGE - 1n, "Invalid signature");
  await settleRejected("a1 at block + 301", tees.a1, (t) => t + FUTURE_TOLERANCE + 1n, "Invalid signature");
  await settleRejected("a1 signature bit flipped", tees.a1, (t) => t, "Invalid signature", {
    signature: (real) => flipBit(real, -1, 3),
  });
  await settleRejected("a1 signed by another key", tees.a1, (t) => t, "Invalid signature", {
    signature: (_real, message) => signPss(keys.other.privateKey, message),
  });
  await settleRejected(
    "from an account without SETTLEMENT_RELAY_ROLE",
    tees.a1,
    (t) => t,
    "AccessControlUnauthorizedAccount",
    {
      from: heartbeatSender,
    },
  );
  // Heartbeats at the age bound, and rejected ones.
  await heartbeat(tees.a2, (t) => t - HEARTBEAT_MAX_AGE);
  const hb = (
    label: string,
    tee: RegisteredTee,
    opts: Parameters<CurrentNetwork["heartbeat"]>[1],
    expected: string,
  ) => net.heartbeat(tee, { from: heartbeatSender, ...opts }).then((m) => reject(label, m, expected));
  await hb(
    "heartbeat too old",
    tees.a2,
    { timestamp: (t) => t - HEARTBEAT_MAX_AGE - 1n },
    "HeartbeatTimestampTooOld",
  );
  await hb("heartbeat in the future", tees.a2, { timestamp: (t) => t + 1n }, "HeartbeatTimestampInFuture");
  await hb(
    "heartbeat signature bit flipped",
    tees.a2,
    { signature: (real) => flipBit(real, 0, 0) },
    "HeartbeatSignatureInvalid",
  );

  for (const i of [1, 2]) {
    const merkleRoot = keccak256(toHex(`batch-root-${i}`));
    const batch = { merkleRoot, batchSize: BigInt(10 * i + 3), walrusBlobId: toHex(`walrus-batch-${i}`) };
    batches.push({
      ...batch,
      mined: await net.batchSettle(batch.merkleRoot, batch.batchSize, batch.walrusBlobId, { from: relayer }),
    });
  }

  // Disable b (by its owner, the operator), which then can neither settle nor heartbeat; enable it (by an admin).
  const disableB = await net.disableTEE(tees.b.teeId, { from: operator });
  if (disableB.revert !== undefined) throw new Error(`disableTEE reverted: ${disableB.revert}`);
  await settleRejected("b while disabled", tees.b, (t) => t, "Invalid signature");
  await hb("heartbeat of disabled b", tees.b, {}, "TEENotEnabled");
  reject("disable b again", await net.disableTEE(tees.b.teeId, { from: operator }), "TEENotEnabled");
  const enableB = await net.enableTEE(tees.b.teeId, admin);
  const enableBAgain = await net.enableTEE(tees.b.teeId, admin);
  if (enableB.revert !== undefined || enableBAgain.revert !== undefined)
    throw new Error("enableTEE reverted");
  await settle("b after re-enable", tees.b, (t) => t - 5n);

  // Revoke PCR a: a1 and a2 are disabled in the same transaction.
  await options.beforeRevocation?.({
    net,
    tees,
    settlements: [...settlements],
    lastBlock: Number(await chain.publicClient.getBlockNumber()),
  });
  const revokeA = await net.revokePCR(pcrs.a.hash, 0, admin);
  reject("enable a1 on a revoked PCR", await net.enableTEE(tees.a1.teeId, admin), "PCRNotApproved");
  await settleRejected("a1 after revocation", tees.a1, (t) => t, "Invalid signature");
  await settle("nitro after the revocation of a", tees.nitro, (t) => t);
  await heartbeat(tees.b);

  return {
    net,
    roles,
    pcrs,
    tees,
    heartbeats,
    settlements,
    batches,
    rejected,
    disableB,
    enableB,
    enableBAgain,
    revokeA,
    lastBlock: Number(await chain.publicClient.getBlockNumber()),
  };
}
