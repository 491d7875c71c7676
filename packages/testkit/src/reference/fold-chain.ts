/**
 * An independent reference implementation of what the indexer's database must hold for a chain: every log of the
 * three contracts folded in chain order into expected rows, following spec/README.md's own checks 1-9 and
 * definitions. It shares no code with indexer/src/checks or indexer/src/mapping (the point is a second
 * implementation); it uses viem, node:crypto (reference/crypto.ts) and, for rep-v1, the vector-tested replay of
 * packages/rep-v1.
 *
 * Rows are keyed by id and use the database's column names (TypeORM snake_case, relations as <name>_id) with
 * canonical values: timestamps as ISO-8601 strings, BigInt columns as decimal strings, enums as their names.
 */
import type { KeyObject } from "node:crypto";
import {
  modelReputationAsOf,
  nodeReputationAsOf,
  type Reputation,
  type ReputationEvent,
} from "@attestation-explorer/rep-v1";
import { type Abi, decodeAbiParameters, decodeFunctionData, type Hex, keccak256 } from "viem";
import {
  commitmentOf,
  heartbeatMessage,
  type KeyStatus,
  pssVerifies,
  settlementMessage,
  teeKey,
} from "./crypto.ts";
import {
  type ChainData,
  contractAbi,
  type DecodedLog,
  type LogPosition,
  readChain,
  readGetTee,
} from "./read-chain.ts";

export type Check = "PASS" | "FAIL" | "UNKNOWN" | "NOT_APPLICABLE";
export type Value = string | number | boolean | null;
export type Row = Record<string, Value>;

const MODES = ["VANILLA", "ZKML", "TEE"] as const;
const OUTCOMES = ["VERIFIED", "FAILED", "EXPIRED"] as const;
const SLASH_REASONS = [
  "INVALID_PROOF",
  "REVEAL_MISMATCH",
  "REVEAL_TIMEOUT",
  "LOST_DISPUTE",
  "PCR_REVOKED",
  "EQUIVOCATION",
] as const;
const ZERO32 = `0x${"0".repeat(64)}`;
/** 9999-12-31T23:59:59Z: Settlement.timestamp is null beyond it. */
const MAX_DATE_SECONDS = 253_402_300_799n;
const FRESH_BEFORE = 3_600n;
const FRESH_AFTER = 300n;
const DEVNET_DOCUMENT_REASON = "devnet document (abi.encode of three PCRs), not an AWS Nitro attestation";

export function iso(seconds: number | bigint): string {
  return new Date(Number(seconds) * 1000).toISOString();
}

/** A TEE's state at one point in the chain, for checks 3, 4 and 8. */
interface TeeSnapshot {
  registered: boolean;
  enabled: boolean;
  pcrHash: string | null;
  teeType: number | null;
  pcrApproved: boolean;
}

export interface FoldNode {
  id: string;
  owner: string | null;
  operator: string | null;
  teeType: number | null;
  endpoint: string | null;
  paymentAddress: string | null;
  publicKey: string | null;
  keySource: "CALLDATA" | "GET_TEE" | "NONE";
  keyStatus: KeyStatus;
  pcrHash: string | null;
  enabled: boolean;
  registered: LogPosition | null;
  lastHeartbeatAt: number | null;
  stake: bigint;
  pendingWithdrawals: bigint;
  totalSlashed: bigint;
  committed: number;
  revealed: number;
  verified: number;
  failed: number;
  expired: number;
  challenged: number;
  disputesLost: number;
  slashes: number;
  settlements: number;
  settlementSignatureFailures: number;
  discrepancies: number;
  firstSeenBlock: number;
  key?: KeyObject;
}

export interface FoldModel {
  id: string;
  owner: string | null;
  name: string;
  version: string;
  mode: (typeof MODES)[number];
  contentHash: string | null;
  blobId: string;
  deprecated: boolean;
  registered: LogPosition | null;
  deprecatedBlock: number | null;
  inferences: number;
  verified: number;
  failed: number;
  expired: number;
  discrepancies: number;
  firstSeenBlock: number;
}

export interface FoldInference {
  id: string;
  nodeId: string;
  modelId: string;
  mode: (typeof MODES)[number];
  status: "COMMITTED" | "REVEALED" | "VERIFIED" | "FAILED" | "EXPIRED";
  outcome: (typeof OUTCOMES)[number] | null;
  inputHash: string;
  commitment: string;
  outputHash: string | null;
  salt: string | null;
  proofRef: string | null;
  revealDeadline: bigint;
  committed: LogPosition;
  revealed: LogPosition | null;
  settled: LogPosition | null;
  verifier: string | null;
  lastEventBlock: number;
  /** The node's TEE at the commit (TEE mode). */
  tee: TeeSnapshot | null;
  commitmentCheck: Check;
  revealOnTimeCheck: Check;
  teeSignatureCheck: Check;
  pcrValidCheck: Check;
  discrepancy: boolean;
  settlementId: string | null;
  linkKey: string | null;
  repKind: "success" | "failure" | null;
  repTime: number | null;
}

export interface FoldSettlement {
  id: string;
  teeId: string;
  nodeId: string | null;
  ethAddress: string;
  inputHash: string;
  outputHash: string;
  timestampSeconds: bigint;
  walrusBlobId: string;
  signature: string;
  linkKey: string;
  tee: TeeSnapshot;
  signatureCheck: Check;
  freshnessCheck: Check;
  teeEnabledCheck: Check;
  pcrValidCheck: Check;
  pos: LogPosition;
}

export interface FoldHeartbeat {
  id: string;
  nodeId: string;
  timestampSeconds: bigint;
  signature: string | null;
  signatureCheck: Check;
  counts: boolean;
  pos: LogPosition;
}

export interface FoldChallenge {
  id: string;
  inferenceId: string;
  nodeId: string;
  challenger: string;
  bond: bigint;
  deadline: bigint;
  opened: LogPosition;
  resolved: LogPosition | null;
  nodeAtFault: boolean | null;
  resolver: string | null;
  evidenceHash: string | null;
}

export interface FoldSlash {
  id: string;
  nodeId: string;
  inferenceId: string | null;
  requestId: string;
  reason: (typeof SLASH_REASONS)[number];
  amount: bigint;
  remainingStake: bigint;
  pos: LogPosition;
}

export interface FoldWithdrawal {
  id: string;
  nodeId: string;
  amount: bigint;
  unlockAt: bigint;
  requested: LogPosition;
  completed: LogPosition | null;
  paid: bigint | null;
}

export interface Expected {
  /** The block folded up to, and its timestamp: the reputation time T. */
  height: number;
  T: number;
  /** Database table name -> id -> expected row. */
  tables: Record<string, Map<string, Row>>;
  reputation: { node: Map<string, Reputation>; model: Map<string, Reputation> };
  nodes: Map<string, FoldNode>;
  models: Map<string, FoldModel>;
  inferences: Map<string, FoldInference>;
  settlements: Map<string, FoldSettlement>;
  heartbeats: Map<string, FoldHeartbeat>;
  challenges: Map<string, FoldChallenge>;
  slashes: Map<string, FoldSlash>;
  withdrawals: Map<string, FoldWithdrawal>;
  /** Revocations seen (for tests of retroactive taint). */
  revocations: { pcrHash: string; teeType: number | null; pos: LogPosition }[];
  /** Things on the chain that contradict each other (should stay empty on the devnet). */
  warnings: string[];
}

/** Reads the chain (viem) and folds it. */
export async function foldChainFromRpc(opts: {
  rpcUrl: string;
  addresses: ChainData["addresses"];
  fromBlock: number;
  toBlock?: number;
}): Promise<Expected> {
  const data = await readChain(opts);
  const abi = contractAbi("TEERegistry");
  for (const l of data.logs) {
    if (l.name !== "TEERegistered") continue;
    const teeId = l.args.teeId as Hex;
    if (registrationCalldata(data.txInputs.get(l.pos.tx), data.addresses.teeRegistry, teeId, abi)) continue;
    data.getTee.set(teeId, await readGetTee(opts.rpcUrl, data.addresses.teeRegistry, teeId, l.pos.block));
  }
  return foldChain(data);
}

const after = (a: LogPosition, b: LogPosition) =>
  a.block > b.block || (a.block === b.block && a.logIndex > b.logIndex);
const before = (a: LogPosition, b: LogPosition) =>
  a.block < b.block || (a.block === b.block && a.logIndex < b.logIndex);
const posId = (p: LogPosition) => `${p.tx}-${p.logIndex}`;

/** Folds decoded logs in chain order into the expected database state at data.toBlock. */
export function foldChain(data: ChainData): Expected {
  const teeAbi = contractAbi("TEERegistry");
  const warnings: string[] = [];
  const nodes = new Map<string, FoldNode>();
  const models = new Map<string, FoldModel>();
  const inferences = new Map<string, FoldInference>();
  const settlements = new Map<string, FoldSettlement>();
  const heartbeats = new Map<string, FoldHeartbeat>();
  const challenges = new Map<string, FoldChallenge>();
  const slashes = new Map<string, FoldSlash>();
  const withdrawals = new Map<string, FoldWithdrawal>();
  const teeTypes = new Map<string, Row>();
  const pcrs = new Map<string, Row>();
  const pcrApproved = new Map<string, boolean>();
  const pcrEvents = new Map<string, Row>();
  const stakeChanges = new Map<string, Row>();
  const teeStatus = new Map<string, Row>();
  const attestations = new Map<string, Row>();
  const verdicts = new Map<string, Row>();
  const batches = new Map<string, Row>();
  const undecoded = new Map<string, Row>();
  const modelNodes = new Map<string, Row>();
  const revocations: Expected["revocations"] = [];
  const disputes: { nodeId: string; modelId: string; t: number }[] = [];
  const slashTimes: { nodeId: string; t: number }[] = [];

  const node = (id: string, pos: LogPosition): FoldNode => {
    let n = nodes.get(id);
    if (!n) {
      n = {
        id,
        owner: null,
        operator: null,
        teeType: null,
        endpoint: null,
        paymentAddress: null,
        publicKey: null,
        keySource: "NONE",
        keyStatus: "UNKNOWN",
        pcrHash: null,
        enabled: false,
        registered: null,
        lastHeartbeatAt: null,
        stake: 0n,
        pendingWithdrawals: 0n,
        totalSlashed: 0n,
        committed: 0,
        revealed: 0,
        verified: 0,
        failed: 0,
        expired: 0,
        challenged: 0,
        disputesLost: 0,
        slashes: 0,
        settlements: 0,
        settlementSignatureFailures: 0,
        discrepancies: 0,
        firstSeenBlock: pos.block,
      };
      nodes.set(id, n);
    }
    return n;
  };
  const model = (id: string, mode: FoldModel["mode"], pos: LogPosition): FoldModel => {
    let m = models.get(id);
    if (!m) {
      m = {
        id,
        owner: null,
        name: "",
        version: "",
        mode,
        contentHash: null,
        blobId: "",
        deprecated: false,
        registered: null,
        deprecatedBlock: null,
        inferences: 0,
        verified: 0,
        failed: 0,
        expired: 0,
        discrepancies: 0,
        firstSeenBlock: pos.block,
      };
      models.set(id, m);
    }
    return m;
  };
  const snapshot = (teeId: string): TeeSnapshot => {
    const n = nodes.get(teeId);
    if (!n?.registered)
      return { registered: false, enabled: false, pcrHash: null, teeType: null, pcrApproved: false };
    return {
      registered: true,
      enabled: n.enabled,
      pcrHash: n.pcrHash,
      teeType: n.teeType,
      pcrApproved: n.pcrHash !== null && pcrApproved.get(`${n.pcrHash}-${n.teeType}`) === true,
    };
  };
  const stakeChange = (n: FoldNode, kind: string, amount: bigint, pos: LogPosition, from: string | null) => {
    stakeChanges.set(posId(pos), {
      id: posId(pos),
      node_id: n.id,
      kind,
      amount: amount.toString(),
      from,
      stake_after: n.stake.toString(),
      pending_after: n.pendingWithdrawals.toString(),
      ...blockCols(pos),
    });
  };
  const unusable = (l: DecodedLog, error: string) => {
    undecoded.set(posId(l.pos), { id: posId(l.pos) });
    warnings.push(`${l.name} at ${l.pos.block}/${l.pos.logIndex}: ${error}`);
  };

  for (const u of data.undecodable) {
    undecoded.set(posId(u.pos), { id: posId(u.pos), address: u.address, topic0: u.topic0, data: u.data });
  }

  for (const l of data.logs) {
    const a = l.args;
    const pos = l.pos;
    switch (l.name) {
      // ------------------------------------------------------------ TEE registry
      case "TEETypeAdded": {
        const id = String(a.typeId);
        teeTypes.set(id, {
          id,
          type_id: Number(a.typeId),
          name: a.name as string,
          added_block: pos.block,
          added_at: iso(pos.ts),
          added_tx: pos.tx,
          // TEETypeDeactivated, PCRApproved(pcrHash, version) and graced revocations are events of earlier
          // OpenGradient registries (docs/decisions/005), which the simulator never emits.
          deactivated_block: null,
          deactivated_at: null,
          deactivated_tx: null,
        });
        break;
      }
      case "PCRApproved": {
        const id = `${a.pcrHash}-${a.teeType}`;
        const prev = pcrs.get(id);
        pcrs.set(id, {
          id,
          pcr_hash: a.pcrHash as string,
          tee_type: Number(a.teeType),
          version: a.version as string,
          approved: true,
          approved_until: null,
          ever_revoked: prev?.ever_revoked ?? false,
          last_approved_block: pos.block,
          last_revoked_block: prev?.last_revoked_block ?? null,
        });
        pcrApproved.set(id, true);
        pcrEvents.set(posId(pos), {
          id: posId(pos),
          pcr_hash: a.pcrHash as string,
          tee_type: Number(a.teeType),
          kind: "APPROVED",
          version: a.version as string,
          effective_at: null,
          grace_period: null,
          ...blockCols(pos),
        });
        break;
      }
      case "PCRRevoked": {
        const hash = a.pcrHash as string;
        const type = a.teeType === undefined ? null : Number(a.teeType);
        const ids =
          type === null ? [...pcrs.keys()].filter((k) => k.startsWith(`${hash}-`)) : [`${hash}-${type}`];
        for (const id of ids) {
          const prev = pcrs.get(id);
          pcrs.set(id, {
            id,
            pcr_hash: hash,
            tee_type: Number(id.split("-")[1]),
            version: prev?.version ?? null,
            approved: false,
            approved_until: null,
            ever_revoked: true,
            last_approved_block: prev?.last_approved_block ?? null,
            last_revoked_block: pos.block,
          });
          pcrApproved.set(id, false);
        }
        revocations.push({ pcrHash: hash, teeType: type, pos });
        pcrEvents.set(posId(pos), {
          id: posId(pos),
          pcr_hash: hash,
          tee_type: type,
          kind: "REVOKED",
          version: null,
          // A revocation without a grace period takes effect at its block.
          effective_at: iso(pos.ts),
          grace_period: null,
          ...blockCols(pos),
        });
        break;
      }
      case "TEERegistered": {
        const teeId = a.teeId as Hex;
        const n = node(teeId, pos);
        n.owner = a.owner as string;
        n.teeType = Number(a.teeType);
        const info = registrationCalldata(
          data.txInputs.get(pos.tx),
          data.addresses.teeRegistry,
          teeId,
          teeAbi,
        );
        if (info) {
          n.keySource = "CALLDATA";
          n.publicKey = info.publicKey;
          n.endpoint = info.endpoint;
          n.paymentAddress = info.paymentAddress;
          n.pcrHash = info.pcrHash;
          const k = teeKey(info.publicKey as Hex, teeId);
          n.keyStatus = k.status;
          n.key = k.key;
        } else {
          // Not decodable (e.g. made through another contract): what getTEE says, if it answered.
          const got = data.getTee.get(teeId);
          n.keySource = got ? "GET_TEE" : "NONE";
          n.publicKey = got?.publicKey ?? null;
          n.endpoint = got?.endpoint ?? null;
          n.paymentAddress = got?.paymentAddress ?? null;
          n.pcrHash = got?.pcrHash ?? null;
          const k = got
            ? teeKey(got.publicKey as Hex, teeId)
            : { status: "UNKNOWN" as const, key: undefined };
          n.keyStatus = k.status;
          n.key = k.key;
        }
        n.enabled = true;
        n.registered = pos;
        teeStatus.set(posId(pos), { id: posId(pos), node_id: teeId, enabled: true, ...blockCols(pos) });
        // The simulator registers with devnet documents (abi.encode of three PCRs): nothing signed to verify.
        attestations.set(teeId, {
          id: teeId,
          format: info ? (info.pcrs ? "DEVNET" : "UNRECOGNIZED") : "NONE",
          status: info ? (info.pcrs ? "NOT_APPLICABLE" : "FAIL") : "UNKNOWN",
          reason: info
            ? info.pcrs
              ? DEVNET_DOCUMENT_REASON
              : null
            : "attestation document not in the calldata (registration made through another contract)",
          module_id: null,
          timestamp: null,
          pcr0: info?.pcrs?.[0] ?? null,
          pcr1: info?.pcrs?.[1] ?? null,
          pcr2: info?.pcrs?.[2] ?? null,
          pcr_hash: info?.pcrHash ?? null,
          certificates: null,
          user_data: null,
          document: info?.document ?? null,
          tls_certificate: info?.tlsCertificate ?? null,
          ...blockCols(pos),
        });
        break;
      }
      case "TEEDisabled":
      case "TEEEnabled": {
        const n = node(a.teeId as string, pos);
        n.enabled = l.name === "TEEEnabled";
        teeStatus.set(posId(pos), { id: posId(pos), node_id: n.id, enabled: n.enabled, ...blockCols(pos) });
        break;
      }
      case "HeartbeatReceived": {
        const n = node(a.teeId as string, pos);
        const ts = a.timestamp as bigint;
        const call = heartbeatCalldata(
          data.txInputs.get(pos.tx),
          data.addresses.teeRegistry,
          n.id,
          ts,
          teeAbi,
        );
        let check: Check = "UNKNOWN";
        if (call && n.key) {
          check = pssVerifies(n.key, heartbeatMessage(n.id as Hex, ts), call.signature as Hex)
            ? "PASS"
            : "FAIL";
        }
        const counts = check !== "FAIL";
        if (counts) n.lastHeartbeatAt = pos.ts;
        heartbeats.set(posId(pos), {
          id: posId(pos),
          nodeId: n.id,
          timestampSeconds: ts,
          signature: call?.signature ?? null,
          signatureCheck: check,
          counts,
          pos,
        });
        break;
      }
      // ------------------------------------------------------------ settlement relay
      case "IndividualSettlement": {
        const teeId = a.teeId as string;
        const ts = a.timestamp as bigint;
        const tee = snapshot(teeId);
        const block = BigInt(pos.ts);
        settlements.set(posId(pos), {
          id: posId(pos),
          teeId,
          nodeId: null,
          ethAddress: a.ethAddress as string,
          inputHash: a.inputHash as string,
          outputHash: a.outputHash as string,
          timestampSeconds: ts,
          walrusBlobId: a.walrusBlobId as string,
          signature: a.signature as string,
          linkKey: `${teeId}:${a.inputHash}:${a.outputHash}`,
          tee,
          signatureCheck: "UNKNOWN",
          freshnessCheck: ts >= block - FRESH_BEFORE && ts <= block + FRESH_AFTER ? "PASS" : "FAIL",
          teeEnabledCheck: tee.registered && tee.enabled ? "PASS" : "FAIL",
          pcrValidCheck: "UNKNOWN",
          pos,
        });
        break;
      }
      case "BatchSettlement":
        batches.set(posId(pos), {
          id: posId(pos),
          merkle_root: a.merkleRoot as string,
          batch_size: (a.batchSize as bigint).toString(),
          walrus_blob_id: a.walrusBlobId as string,
          ...blockCols(pos),
        });
        break;
      // ------------------------------------------------------------ attestation registry: stake
      case "StakeDeposited": {
        const n = node(a.nodeId as string, pos);
        n.operator ??= a.from as string;
        n.stake += a.amount as bigint;
        if (n.stake !== a.newTotal) {
          warnings.push(`deposit at ${pos.block}: newTotal ${a.newTotal} but deposits sum to ${n.stake}`);
          n.stake = a.newTotal as bigint;
        }
        stakeChange(n, "DEPOSIT", a.amount as bigint, pos, a.from as string);
        break;
      }
      case "WithdrawalRequested": {
        const n = node(a.nodeId as string, pos);
        n.pendingWithdrawals += a.amount as bigint;
        const id = (a.withdrawalId as bigint).toString();
        withdrawals.set(id, {
          id,
          nodeId: n.id,
          amount: a.amount as bigint,
          unlockAt: a.unlockAt as bigint,
          requested: pos,
          completed: null,
          paid: null,
        });
        stakeChange(n, "WITHDRAWAL_REQUESTED", a.amount as bigint, pos, null);
        break;
      }
      case "WithdrawalCompleted": {
        const n = node(a.nodeId as string, pos);
        const w = withdrawals.get((a.withdrawalId as bigint).toString());
        const paid = a.amount as bigint;
        n.stake -= paid;
        if (w) {
          n.pendingWithdrawals -= w.amount;
          w.completed = pos;
          w.paid = paid;
        } else {
          unusable(l, "completion of a withdrawal never requested");
        }
        stakeChange(n, "WITHDRAWAL_COMPLETED", paid, pos, null);
        break;
      }
      case "NodeSlashed": {
        const n = node(a.nodeId as string, pos);
        const amount = a.amount as bigint;
        n.stake -= amount;
        if (n.stake !== a.remainingStake) {
          warnings.push(`slash at ${pos.block}: remainingStake ${a.remainingStake}, stake folded ${n.stake}`);
          n.stake = a.remainingStake as bigint;
        }
        n.totalSlashed += amount;
        n.slashes++;
        const requestId = a.requestId as string;
        slashes.set(posId(pos), {
          id: posId(pos),
          nodeId: n.id,
          inferenceId: requestId !== ZERO32 && inferences.has(requestId) ? requestId : null,
          requestId,
          reason: SLASH_REASONS[Number(a.reason)],
          amount,
          remainingStake: a.remainingStake as bigint,
          pos,
        });
        slashTimes.push({ nodeId: n.id, t: pos.ts });
        stakeChange(n, "SLASH", amount, pos, null);
        break;
      }
      // ------------------------------------------------------------ models
      case "ModelRegistered": {
        const m = model(a.modelId as string, MODES[Number(a.mode)], pos);
        m.owner = a.owner as string;
        m.mode = MODES[Number(a.mode)];
        m.contentHash = a.contentHash as string;
        m.blobId = a.blobId as string;
        m.name = a.name as string;
        m.version = a.version as string;
        m.registered = pos;
        break;
      }
      case "ModelDeprecated": {
        const m = model(a.modelId as string, "VANILLA", pos);
        m.deprecated = true;
        m.deprecatedBlock = pos.block;
        break;
      }
      // ------------------------------------------------------------ inferences
      case "InferenceCommitted": {
        const id = a.requestId as string;
        if (inferences.has(id)) {
          unusable(l, "request id committed twice");
          break;
        }
        const mode = MODES[Number(a.mode)];
        const n = node(a.nodeId as string, pos);
        const m = model(a.modelId as string, mode, pos);
        n.committed++;
        m.inferences++;
        inferences.set(id, {
          id,
          nodeId: n.id,
          modelId: m.id,
          mode,
          status: "COMMITTED",
          outcome: null,
          inputHash: a.inputHash as string,
          commitment: a.commitment as string,
          outputHash: null,
          salt: null,
          proofRef: null,
          revealDeadline: a.revealDeadline as bigint,
          committed: pos,
          revealed: null,
          settled: null,
          verifier: null,
          lastEventBlock: pos.block,
          tee: mode === "TEE" ? snapshot(n.id) : null,
          commitmentCheck: "NOT_APPLICABLE",
          revealOnTimeCheck: "NOT_APPLICABLE",
          teeSignatureCheck: "NOT_APPLICABLE",
          pcrValidCheck: "NOT_APPLICABLE",
          discrepancy: false,
          settlementId: null,
          linkKey: null,
          repKind: null,
          repTime: null,
        });
        const mnId = `${m.id}-${n.id}`;
        const mn = modelNodes.get(mnId);
        if (mn) {
          mn.inferences = (mn.inferences as number) + 1;
          mn.last_commit_at = iso(pos.ts);
        } else {
          modelNodes.set(mnId, {
            id: mnId,
            model_id: m.id,
            node_id: n.id,
            inferences: 1,
            first_commit_at: iso(pos.ts),
            last_commit_at: iso(pos.ts),
          });
        }
        break;
      }
      case "InferenceRevealed": {
        const inf = inferences.get(a.requestId as string);
        if (!inf) {
          unusable(l, "reveal of an inference never committed");
          break;
        }
        inf.outputHash = a.outputHash as string;
        inf.salt = a.salt as string;
        inf.proofRef = a.proofRef as string;
        inf.revealed = pos;
        inf.lastEventBlock = pos.block;
        if (inf.status === "COMMITTED") inf.status = "REVEALED";
        const n = nodes.get(inf.nodeId) as FoldNode;
        n.revealed++;
        break;
      }
      case "InferenceVerified": {
        const inf = inferences.get(a.requestId as string);
        if (!inf) {
          unusable(l, "verdict on an inference never committed");
          break;
        }
        const outcome = OUTCOMES[Number(a.outcome)];
        inf.status = outcome;
        inf.outcome = outcome;
        inf.settled = pos;
        inf.verifier = a.verifier as string;
        inf.lastEventBlock = pos.block;
        verdicts.set(posId(pos), {
          id: posId(pos),
          inference_id: inf.id,
          outcome,
          verifier: a.verifier as string,
          ...blockCols(pos),
        });
        break;
      }
      // ------------------------------------------------------------ disputes
      case "ChallengeOpened": {
        const inf = inferences.get(a.requestId as string);
        if (!inf) {
          unusable(l, "challenge of an inference never committed");
          break;
        }
        const id = (a.challengeId as bigint).toString();
        challenges.set(id, {
          id,
          inferenceId: inf.id,
          nodeId: inf.nodeId,
          challenger: a.challenger as string,
          bond: a.bond as bigint,
          deadline: a.deadline as bigint,
          opened: pos,
          resolved: null,
          nodeAtFault: null,
          resolver: null,
          evidenceHash: null,
        });
        (nodes.get(inf.nodeId) as FoldNode).challenged++;
        break;
      }
      case "ChallengeResolved": {
        const c = challenges.get((a.challengeId as bigint).toString());
        if (!c) {
          unusable(l, "resolution of a challenge never opened");
          break;
        }
        c.resolved = pos;
        c.nodeAtFault = a.nodeAtFault as boolean;
        c.resolver = a.resolver as string;
        c.evidenceHash = a.evidenceHash as string;
        if (c.nodeAtFault) {
          (nodes.get(c.nodeId) as FoldNode).disputesLost++;
          const inf = inferences.get(c.inferenceId) as FoldInference;
          disputes.push({ nodeId: c.nodeId, modelId: inf.modelId, t: pos.ts });
        }
        break;
      }
      default:
        // Role events and the like: not indexed.
        break;
    }
  }

  // ---------------------------------------------------------------- judged with everything known at the head
  const revokedSince = (hash: string | null, type: number | null, pos: LogPosition) =>
    revocations.some(
      (r) => r.pcrHash === hash && (r.teeType === null || r.teeType === type) && after(r.pos, pos),
    );
  const pcrValid = (tee: TeeSnapshot, pos: LogPosition): Check => {
    if (!tee.registered) return "UNKNOWN";
    return tee.pcrApproved && !revokedSince(tee.pcrHash, tee.teeType, pos) ? "PASS" : "FAIL";
  };

  // Settlements: signature against the TEE's key once it registered (re-checked then), pcrValid with today's
  // revocations, counts by teeId.
  const settlementsByLink = new Map<string, FoldSettlement[]>();
  for (const s of settlements.values()) {
    const n = nodes.get(s.teeId);
    if (n?.registered) {
      s.nodeId = n.id;
      s.signatureCheck = n.key
        ? pssVerifies(
            n.key,
            settlementMessage(s.inputHash as Hex, s.outputHash as Hex, s.timestampSeconds),
            s.signature as Hex,
          )
          ? "PASS"
          : "FAIL"
        : "UNKNOWN";
      n.settlements++;
      if (s.signatureCheck === "FAIL") n.settlementSignatureFailures++;
    }
    s.pcrValidCheck = pcrValid(s.tee, s.pos);
    const list = settlementsByLink.get(s.linkKey);
    if (list) list.push(s);
    else settlementsByLink.set(s.linkKey, [s]);
  }

  for (const inf of inferences.values()) {
    const n = nodes.get(inf.nodeId) as FoldNode;
    const m = models.get(inf.modelId) as FoldModel;
    if (inf.revealed) {
      inf.commitmentCheck =
        commitmentOf(inf.outputHash as Hex, inf.salt as Hex).toLowerCase() === inf.commitment
          ? "PASS"
          : "FAIL";
      inf.revealOnTimeCheck = BigInt(inf.revealed.ts) <= inf.revealDeadline ? "PASS" : "FAIL";
    }
    // Rule 6: "FAIL ... if the inference was expired", revealed or not.
    if (inf.status === "EXPIRED") inf.revealOnTimeCheck = "FAIL";
    if (inf.mode === "TEE") {
      if (inf.revealed) {
        inf.linkKey = `${inf.nodeId}:${inf.inputHash}:${inf.outputHash}`;
        const candidates = (settlementsByLink.get(inf.linkKey) ?? []).filter((s) => s.teeId === inf.nodeId);
        candidates.sort((x, y) => (before(x.pos, y.pos) ? -1 : 1));
        const s = candidates[0];
        inf.settlementId = s?.id ?? null;
        inf.teeSignatureCheck = s ? s.signatureCheck : "UNKNOWN";
      }
      inf.pcrValidCheck = pcrValid(inf.tee as TeeSnapshot, inf.committed);
    }
    const checks = [inf.commitmentCheck, inf.revealOnTimeCheck, inf.teeSignatureCheck, inf.pcrValidCheck];
    inf.discrepancy = inf.status === "VERIFIED" && checks.includes("FAIL");
    if (inf.status === "VERIFIED" || inf.status === "FAILED" || inf.status === "EXPIRED") {
      inf.repKind = inf.status === "VERIFIED" && !inf.discrepancy ? "success" : "failure";
      inf.repTime = (inf.settled as LogPosition).ts;
    }
    if (inf.status === "VERIFIED") {
      n.verified++;
      m.verified++;
    } else if (inf.status === "FAILED") {
      n.failed++;
      m.failed++;
    } else if (inf.status === "EXPIRED") {
      n.expired++;
      m.expired++;
    }
    if (inf.discrepancy) {
      n.discrepancies++;
      m.discrepancies++;
    }
  }

  // ---------------------------------------------------------------- reputation (replay at T)
  const T = data.head.timestamp;
  const nodeEvents = new Map<string, ReputationEvent[]>();
  const modelEvents = new Map<string, ReputationEvent[]>();
  const push = (map: Map<string, ReputationEvent[]>, id: string, e: ReputationEvent) => {
    const list = map.get(id);
    if (list) list.push(e);
    else map.set(id, [e]);
  };
  for (const inf of inferences.values()) {
    if (!inf.repKind || inf.repTime === null) continue;
    push(nodeEvents, inf.nodeId, { kind: inf.repKind, t: inf.repTime });
    push(modelEvents, inf.modelId, { kind: inf.repKind, t: inf.repTime });
  }
  for (const d of disputes) {
    push(nodeEvents, d.nodeId, { kind: "dispute_lost", t: d.t });
    push(modelEvents, d.modelId, { kind: "dispute_lost", t: d.t });
  }
  for (const s of slashTimes) push(nodeEvents, s.nodeId, { kind: "slash", t: s.t });
  const reputation = {
    node: new Map([...nodes.keys()].map((id) => [id, nodeReputationAsOf(nodeEvents.get(id) ?? [], T)])),
    model: new Map([...models.keys()].map((id) => [id, modelReputationAsOf(modelEvents.get(id) ?? [], T)])),
  };

  // ---------------------------------------------------------------- rows
  const tables: Record<string, Map<string, Row>> = {
    tee_type: teeTypes,
    pcr: pcrs,
    pcr_event: pcrEvents,
    node: mapRows(nodes, nodeRow),
    stake_change: stakeChanges,
    tee_status_change: teeStatus,
    tee_attestation: attestations,
    heartbeat: mapRows(heartbeats, heartbeatRow),
    model: mapRows(models, modelRow),
    model_node: modelNodes,
    inference: mapRows(inferences, inferenceRow),
    inference_verdict: verdicts,
    settlement: mapRows(settlements, settlementRow),
    batch_settlement: batches,
    challenge: mapRows(challenges, challengeRow),
    slash: mapRows(slashes, slashRow),
    withdrawal: mapRows(withdrawals, withdrawalRow),
    undecoded_log: undecoded,
  };
  Object.assign(tables, foldBuckets(inferences, slashes, settlements));
  const infs = [...inferences.values()];
  const setts = [...settlements.values()];
  const count = <T>(list: T[], f: (x: T) => boolean) => list.filter(f).length;
  tables.network_stats = new Map([
    [
      "network",
      {
        id: "network",
        nodes: nodes.size,
        enabled_nodes: count([...nodes.values()], (n) => n.enabled),
        models: models.size,
        inferences: infs.length,
        verified: count(infs, (i) => i.status === "VERIFIED"),
        failed: count(infs, (i) => i.status === "FAILED"),
        expired: count(infs, (i) => i.status === "EXPIRED"),
        pending: count(infs, (i) => i.status === "COMMITTED" || i.status === "REVEALED"),
        slashes: slashes.size,
        total_stake: [...nodes.values()].reduce((acc, n) => acc + n.stake, 0n).toString(),
        total_slashed: [...nodes.values()].reduce((acc, n) => acc + n.totalSlashed, 0n).toString(),
        settlements: setts.length,
        settlement_signature_failures: count(setts, (s) => s.signatureCheck === "FAIL"),
        discrepancies: count(infs, (i) => i.discrepancy),
        inferences_vanilla: count(infs, (i) => i.mode === "VANILLA"),
        inferences_zkml: count(infs, (i) => i.mode === "ZKML"),
        inferences_tee: count(infs, (i) => i.mode === "TEE"),
      },
    ],
  ]);

  return {
    height: data.toBlock,
    T,
    tables,
    reputation,
    nodes,
    models,
    inferences,
    settlements,
    heartbeats,
    challenges,
    slashes,
    withdrawals,
    revocations,
    warnings,
  };
}

// ---------------------------------------------------------------- calldata

export function registrationCalldata(
  tx: { to: string | null; input: Hex } | undefined,
  registry: string,
  teeId: Hex,
  abi: Abi,
):
  | {
      publicKey: string;
      endpoint: string;
      paymentAddress: string;
      pcrHash: string | null;
      document: string;
      tlsCertificate: string;
      pcrs: [string, string, string] | null;
    }
  | undefined {
  if (!tx || tx.to !== registry) return undefined;
  try {
    const call = decodeFunctionData({ abi, data: tx.input });
    if (call.functionName !== "registerTEEWithAttestation") return undefined;
    const [doc, key, tls, payment, endpoint] = call.args as [Hex, Hex, Hex, string, string, number];
    if (keccak256(key).toLowerCase() !== teeId) return undefined;
    let pcrHash: string | null = null;
    let pcrs: [string, string, string] | null = null;
    try {
      const [p0, p1, p2] = decodeAbiParameters(
        [{ type: "bytes" }, { type: "bytes" }, { type: "bytes" }],
        doc,
      );
      pcrHash = keccak256(`0x${p0.slice(2)}${p1.slice(2)}${p2.slice(2)}`).toLowerCase();
      pcrs = [p0.toLowerCase(), p1.toLowerCase(), p2.toLowerCase()];
    } catch {
      pcrHash = null;
    }
    return {
      publicKey: key.toLowerCase(),
      endpoint,
      paymentAddress: payment.toLowerCase(),
      pcrHash,
      document: doc.toLowerCase(),
      tlsCertificate: tls.toLowerCase(),
      pcrs,
    };
  } catch {
    return undefined;
  }
}

function heartbeatCalldata(
  tx: { to: string | null; input: Hex } | undefined,
  registry: string,
  teeId: string,
  timestamp: bigint,
  abi: Abi,
): { signature: string } | undefined {
  if (!tx || tx.to !== registry) return undefined;
  try {
    const call = decodeFunctionData({ abi, data: tx.input });
    if (call.functionName !== "heartbeat") return undefined;
    const [id, ts, signature] = call.args as [Hex, bigint, Hex];
    if (id.toLowerCase() !== teeId || ts !== timestamp) return undefined;
    return { signature: signature.toLowerCase() };
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- row builders

function blockCols(p: LogPosition): Row {
  return { block: p.block, block_hash: p.blockHash, at: iso(p.ts), tx: p.tx, log_index: p.logIndex };
}

function refCols(prefix: string, p: LogPosition | null): Row {
  return {
    [`${prefix}_block`]: p?.block ?? null,
    [`${prefix}_block_hash`]: p?.blockHash ?? null,
    [`${prefix}_at`]: p ? iso(p.ts) : null,
    [`${prefix}_tx`]: p?.tx ?? null,
    [`${prefix}_log_index`]: p?.logIndex ?? null,
  };
}

function mapRows<T>(map: Map<string, T>, f: (x: T) => Row): Map<string, Row> {
  return new Map([...map].map(([id, x]) => [id, f(x)]));
}

function nodeRow(n: FoldNode): Row {
  return {
    id: n.id,
    owner: n.owner,
    operator: n.operator,
    tee_type: n.teeType,
    endpoint: n.endpoint,
    payment_address: n.paymentAddress,
    public_key: n.publicKey,
    key_source: n.keySource,
    key_status: n.keyStatus,
    pcr_hash: n.pcrHash,
    enabled: n.enabled,
    ...refCols("registered", n.registered),
    last_heartbeat_at: n.lastHeartbeatAt === null ? null : iso(n.lastHeartbeatAt),
    stake: n.stake.toString(),
    pending_withdrawals: n.pendingWithdrawals.toString(),
    total_slashed: n.totalSlashed.toString(),
    committed: n.committed,
    revealed: n.revealed,
    verified: n.verified,
    failed: n.failed,
    expired: n.expired,
    challenged: n.challenged,
    disputes_lost: n.disputesLost,
    slashes: n.slashes,
    settlements: n.settlements,
    settlement_signature_failures: n.settlementSignatureFailures,
    discrepancies: n.discrepancies,
    first_seen_block: n.firstSeenBlock,
  };
}

function modelRow(m: FoldModel): Row {
  return {
    id: m.id,
    owner: m.owner,
    name: m.name,
    version: m.version,
    mode: m.mode,
    content_hash: m.contentHash,
    blob_id: m.blobId,
    deprecated: m.deprecated,
    ...refCols("registered", m.registered),
    deprecated_block: m.deprecatedBlock,
    inferences: m.inferences,
    verified: m.verified,
    failed: m.failed,
    expired: m.expired,
    discrepancies: m.discrepancies,
    first_seen_block: m.firstSeenBlock,
  };
}

function inferenceRow(i: FoldInference): Row {
  return {
    id: i.id,
    node_id: i.nodeId,
    model_id: i.modelId,
    mode: i.mode,
    status: i.status,
    outcome: i.outcome,
    input_hash: i.inputHash,
    commitment: i.commitment,
    output_hash: i.outputHash,
    salt: i.salt,
    proof_ref: i.proofRef,
    reveal_deadline: iso(i.revealDeadline),
    ...refCols("committed", i.committed),
    ...refCols("revealed", i.revealed),
    ...refCols("settled", i.settled),
    verifier: i.verifier,
    last_event_block: i.lastEventBlock,
    pcr_hash: i.tee?.pcrHash ?? null,
    tee_type: i.tee?.teeType ?? null,
    commitment_check: i.commitmentCheck,
    reveal_on_time_check: i.revealOnTimeCheck,
    tee_signature_check: i.teeSignatureCheck,
    pcr_valid_check: i.pcrValidCheck,
    discrepancy: i.discrepancy,
    settlement_id: i.settlementId,
    link_key: i.linkKey,
    rep_kind: i.repKind,
    rep_time: i.repTime,
  };
}

function settlementRow(s: FoldSettlement): Row {
  return {
    id: s.id,
    tee_id: s.teeId,
    node_id: s.nodeId,
    eth_address: s.ethAddress,
    input_hash: s.inputHash,
    output_hash: s.outputHash,
    timestamp_seconds: s.timestampSeconds.toString(),
    timestamp: s.timestampSeconds > MAX_DATE_SECONDS ? null : iso(s.timestampSeconds),
    walrus_blob_id: s.walrusBlobId,
    signature: s.signature,
    link_key: s.linkKey,
    signature_check: s.signatureCheck,
    freshness_check: s.freshnessCheck,
    tee_enabled_check: s.teeEnabledCheck,
    pcr_valid_check: s.pcrValidCheck,
    pcr_hash: s.tee.pcrHash,
    tee_type: s.tee.teeType,
    ...blockCols(s.pos),
  };
}

function heartbeatRow(h: FoldHeartbeat): Row {
  return {
    id: h.id,
    node_id: h.nodeId,
    timestamp_seconds: h.timestampSeconds.toString(),
    signature: h.signature,
    signature_check: h.signatureCheck,
    counts: h.counts,
    ...blockCols(h.pos),
  };
}

function challengeRow(c: FoldChallenge): Row {
  return {
    id: c.id,
    inference_id: c.inferenceId,
    node_id: c.nodeId,
    challenger: c.challenger,
    bond: c.bond.toString(),
    deadline: iso(c.deadline),
    ...refCols("opened", c.opened),
    ...refCols("resolved", c.resolved),
    node_at_fault: c.nodeAtFault,
    resolver: c.resolver,
    evidence_hash: c.evidenceHash,
  };
}

function slashRow(s: FoldSlash): Row {
  return {
    id: s.id,
    node_id: s.nodeId,
    inference_id: s.inferenceId,
    request_id: s.requestId,
    reason: s.reason,
    amount: s.amount.toString(),
    remaining_stake: s.remainingStake.toString(),
    ...blockCols(s.pos),
  };
}

function withdrawalRow(w: FoldWithdrawal): Row {
  return {
    id: w.id,
    node_id: w.nodeId,
    amount: w.amount.toString(),
    unlock_at: iso(w.unlockAt),
    requested_block: w.requested.block,
    requested_at: iso(w.requested.ts),
    requested_tx: w.requested.tx,
    completed_block: w.completed?.block ?? null,
    completed_at: w.completed ? iso(w.completed.ts) : null,
    completed_tx: w.completed?.tx ?? null,
    paid: w.paid === null ? null : w.paid.toString(),
  };
}

// ---------------------------------------------------------------- time buckets

const INTERVALS = [
  ["HOUR", 3_600],
  ["DAY", 86_400],
] as const;

/**
 * HOUR and DAY buckets (UTC, start = t - t mod length) of nodes, models and the network: commits by commit time,
 * verified / failed / expired by the time of the inference's latest verdict (its current status), slashes by
 * slash time, settlements by settlement time; a model bucket's distinctNodes counts the nodes that committed for
 * it in the bucket (one model_node_bucket marker each). A bucket exists once something was counted in it.
 */
function foldBuckets(
  inferences: Map<string, FoldInference>,
  slashes: Map<string, FoldSlash>,
  settlements: Map<string, FoldSettlement>,
): Record<string, Map<string, Row>> {
  const node = new Map<string, Row>();
  const model = new Map<string, Row>();
  const network = new Map<string, Row>();
  const markers = new Map<string, Row>();
  const get = (map: Map<string, Row>, id: string, init: () => Row) => {
    let r = map.get(id);
    if (!r) {
      r = init();
      map.set(id, r);
    }
    return r;
  };
  const each = (ts: number, f: (interval: string, start: number) => void) => {
    for (const [interval, len] of INTERVALS) f(interval, ts - (ts % len));
  };
  const nodeBucket = (id: string, interval: string, start: number) =>
    get(node, `${id}-${interval}-${start}`, () => ({
      id: `${id}-${interval}-${start}`,
      node_id: id,
      interval,
      start: iso(start),
      committed: 0,
      verified: 0,
      failed: 0,
      expired: 0,
      slashes: 0,
      slashed_amount: "0",
    }));
  const modelBucket = (id: string, interval: string, start: number) =>
    get(model, `${id}-${interval}-${start}`, () => ({
      id: `${id}-${interval}-${start}`,
      model_id: id,
      interval,
      start: iso(start),
      inferences: 0,
      verified: 0,
      failed: 0,
      expired: 0,
      distinct_nodes: 0,
    }));
  const networkBucket = (interval: string, start: number) =>
    get(network, `${interval}-${start}`, () => ({
      id: `${interval}-${start}`,
      interval,
      start: iso(start),
      committed: 0,
      verified: 0,
      failed: 0,
      expired: 0,
      slashes: 0,
      slashed_amount: "0",
      settlements: 0,
      committed_vanilla: 0,
      committed_zkml: 0,
      committed_tee: 0,
    }));
  const inc = (r: Row, col: string, by: number | bigint = 1) => {
    r[col] = typeof by === "bigint" ? (BigInt(r[col] as string) + by).toString() : (r[col] as number) + by;
  };
  const ordered = [...inferences.values()].sort((a, b) => (before(a.committed, b.committed) ? -1 : 1));
  for (const i of ordered) {
    each(i.committed.ts, (interval, start) => {
      inc(nodeBucket(i.nodeId, interval, start), "committed");
      const mb = modelBucket(i.modelId, interval, start);
      inc(mb, "inferences");
      const nb = networkBucket(interval, start);
      inc(nb, "committed");
      inc(nb, `committed_${i.mode.toLowerCase()}`);
      const marker = `${i.modelId}-${i.nodeId}-${interval}-${start}`;
      if (!markers.has(marker)) {
        markers.set(marker, { id: marker });
        inc(mb, "distinct_nodes");
      }
    });
  }
  for (const i of ordered) {
    if (!i.settled || i.status === "COMMITTED" || i.status === "REVEALED") continue;
    const col = i.status.toLowerCase();
    each(i.settled.ts, (interval, start) => {
      inc(nodeBucket(i.nodeId, interval, start), col);
      inc(modelBucket(i.modelId, interval, start), col);
      inc(networkBucket(interval, start), col);
    });
  }
  for (const s of slashes.values()) {
    each(s.pos.ts, (interval, start) => {
      for (const b of [nodeBucket(s.nodeId, interval, start), networkBucket(interval, start)]) {
        inc(b, "slashes");
        inc(b, "slashed_amount", s.amount);
      }
    });
  }
  for (const s of settlements.values())
    each(s.pos.ts, (interval, start) => inc(networkBucket(interval, start), "settlements"));
  return { node_bucket: node, model_bucket: model, network_bucket: network, model_node_bucket: markers };
}
