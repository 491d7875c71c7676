import type { KeyObject } from "node:crypto";
import { parseTeeKey } from "@attestation-explorer/checks";
import type { Hex } from "viem";
import {
  type BatchSettlement,
  type Challenge,
  type Heartbeat,
  type Inference,
  type InferenceVerdict,
  KeyStatus,
  type Model,
  type NetworkStats,
  type Node,
  Pcr,
  type PcrEvent,
  type Settlement,
  type Slash,
  type StakeChange,
  type TeeAttestation,
  type TeeStatusChange,
  type TeeType,
  UndecodedLog,
  type VerificationMode,
  type Withdrawal,
} from "../model";
import { Aggregates } from "./aggregates";
import type { ChainEvent, Position, PositionedEvent, RawLog } from "./decode-logs";
import { newModel, newNetworkStats, newNode } from "./entity-factory";
import type { TeeInfos } from "./tee-info";

/** The decoded event of one kind, with its position. */
export type Ev<K extends ChainEvent["kind"]> = Extract<PositionedEvent, { kind: K }>;

export const ZERO_ID = `0x${"0".repeat(64)}`;
/** The Pcr id suffix of an approval for every TEE type (og-evm 6030478's PCRApproved names none). */
const ANY_TYPE = "any";

export const byPosition = (a: { block: number; logIndex: number }, b: { block: number; logIndex: number }) =>
  a.block - b.block || a.logIndex - b.logIndex;

/**
 * One batch's state, in memory: what the load phase read (load.ts: entities the batch's events touch, getTEE's
 * answers for its registrations) and what mapping changed (`dirty`: entities to upsert; `inserts`: new rows;
 * `agg`: bucket deltas), which save.ts writes. The handlers (handlers/, inference-effects.ts) change it and nothing
 * else: no database, no RPC, no clock.
 */
export class BatchState {
  readonly nodes = new Map<string, Node>();
  readonly models = new Map<string, Model>();
  readonly inferences = new Map<string, Inference>();
  readonly settlements = new Map<string, Settlement>();
  readonly settlementsByLink = new Map<string, Settlement[]>();
  readonly inferencesByLink = new Map<string, Inference[]>();
  readonly challenges = new Map<string, Challenge>();
  readonly withdrawals = new Map<string, Withdrawal>();
  readonly pcrs = new Map<string, Pcr>();
  readonly teeTypes = new Map<string, TeeType>();
  /** Written whole by every registration (upsert): never loaded. */
  readonly attestations = new Map<string, TeeAttestation>();
  /** The network's totals (one row, loaded with the rest). */
  network: NetworkStats = newNetworkStats();

  readonly dirty = {
    nodes: new Set<Node>(),
    models: new Set<Model>(),
    inferences: new Set<Inference>(),
    settlements: new Set<Settlement>(),
    challenges: new Set<Challenge>(),
    withdrawals: new Set<Withdrawal>(),
    pcrs: new Set<Pcr>(),
    teeTypes: new Set<TeeType>(),
  };
  readonly inserts = {
    pcrEvents: [] as PcrEvent[],
    stakeChanges: [] as StakeChange[],
    teeStatus: [] as TeeStatusChange[],
    heartbeats: [] as Heartbeat[],
    verdicts: [] as InferenceVerdict[],
    slashes: [] as Slash[],
    batchSettlements: [] as BatchSettlement[],
    undecoded: [] as UndecodedLog[],
  };
  readonly agg = new Aggregates();

  /** getTEE's answers for the batch's registrations (read in the load phase: tee-info.ts). */
  teeInfos: TeeInfos = new Map();

  adoptInference(inf: Inference): void {
    if (this.inferences.has(inf.id)) return;
    this.inferences.set(inf.id, inf);
    if (inf.linkKey) this.push(this.inferencesByLink, inf.linkKey, inf);
  }

  adoptSettlement(s: Settlement): Settlement {
    const known = this.settlements.get(s.id);
    if (known) return known;
    this.settlements.set(s.id, s);
    this.push(this.settlementsByLink, s.linkKey, s);
    return s;
  }

  push<T>(map: Map<string, T[]>, key: string, value: T): void {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  }

  /** Keeps a log the mapping could not use (unknown request id, duplicate commit, ...): never dropped. */
  unusable(e: PositionedEvent, error: string): void {
    this.inserts.undecoded.push(
      new UndecodedLog({
        id: rowId(e.pos),
        address: "",
        topic0: e.kind,
        data: jsonOf(e),
        error,
        ...blockFields(e.pos),
      }),
    );
  }

  /** Keeps logs that did not decode. */
  undecodable(log: RawLog, pos: Position, error: string): void {
    this.inserts.undecoded.push(
      new UndecodedLog({
        id: rowId(pos),
        address: log.address.toLowerCase(),
        topic0: log.topics[0] ?? null,
        data: log.data,
        error,
        ...blockFields(pos),
      }),
    );
  }

  /** The approval row of (pcrHash, teeType); teeType undefined: the row of an approval for every TEE type. */
  pcr(pcrHash: string, teeType: number | undefined): Pcr {
    const id = `${pcrHash}-${teeType ?? ANY_TYPE}`;
    let p = this.pcrs.get(id);
    if (!p) {
      p = new Pcr({
        id,
        pcrHash,
        teeType: teeType ?? null,
        version: null,
        approved: false,
        approvedUntil: null,
        everRevoked: false,
        lastApprovedBlock: null,
        lastRevokedBlock: null,
      });
      this.pcrs.set(id, p);
    }
    this.dirty.pcrs.add(p);
    return p;
  }

  /** The existing rows of a hash (every TEE type's, and the every-type row). */
  pcrRows(pcrHash: string): Pcr[] {
    return [...this.pcrs.values()].filter((p) => p.pcrHash === pcrHash);
  }

  /**
   * The batch's inferences in the order they were committed on chain. A change applied to several of them (a
   * retroactive PCR taint, a late registration's re-check) folds their reputation events in this order, so the
   * floats come out the same however the blocks were cut into batches (the map's order is the load's, which
   * depends on the batch).
   */
  inferencesInChainOrder(): Inference[] {
    return [...this.inferences.values()].sort(
      (a, b) => a.committedBlock - b.committedBlock || a.committedLogIndex - b.committedLogIndex,
    );
  }

  /**
   * Whether (pcrHash, teeType) counts as approved at block time `ts` (unix seconds): the type's own row when it
   * has one (it saw every later event: events for every type update all rows of the hash), else the every-type
   * row; approved, or revoked with a grace period that has not ended by `ts`.
   */
  pcrApprovedAt(pcrHash: string, teeType: number, ts: number): boolean {
    const p = this.pcrs.get(`${pcrHash}-${teeType}`) ?? this.pcrs.get(`${pcrHash}-${ANY_TYPE}`);
    return p ? rowApprovedAt(p, ts) : false;
  }

  /** Whether a registered TEE's PCR is approved at block time `ts`; undefined when its PCR is not known. */
  pcrApprovalOf(node: Node, ts: number): boolean | undefined {
    if (!node.pcrHash || node.teeType == null) return undefined;
    return this.pcrApprovedAt(node.pcrHash, node.teeType, ts);
  }

  keyOf(node: Node): KeyObject | undefined {
    if (node.keyStatus !== KeyStatus.VALID || !node.publicKey) return undefined;
    const parsed = parseTeeKey(node.publicKey as Hex, node.id as Hex);
    return parsed.status === "VALID" ? parsed.key : undefined;
  }

  /** The node with this id, created (with what the event says, nulls elsewhere) if no event named it before. */
  node(id: string, pos: Position): Node {
    let n = this.nodes.get(id);
    if (!n) {
      n = newNode(id, pos);
      this.nodes.set(id, n);
      this.network.nodes++;
    }
    this.dirty.nodes.add(n);
    return n;
  }

  model(id: string, mode: VerificationMode, pos: Position): Model {
    let m = this.models.get(id);
    if (!m) {
      m = newModel(id, mode, pos);
      this.models.set(id, m);
      this.network.models++;
    }
    this.dirty.models.add(m);
    return m;
  }
}

export function rowId(pos: Position): string {
  return `${pos.tx}-${pos.logIndex}`;
}

export function blockFields(pos: Position) {
  return { block: pos.block, blockHash: pos.blockHash, at: pos.at, tx: pos.tx, logIndex: pos.logIndex };
}

function jsonOf(e: PositionedEvent): string {
  const { pos: _pos, ...rest } = e;
  return JSON.stringify(rest, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
}

/** A Pcr row's approval at block time `ts` (unix seconds): approved, or within its graced revocation. */
export function rowApprovedAt(p: Pcr, ts: number): boolean {
  return p.approved || (p.approvedUntil != null && ts * 1000 < p.approvedUntil.getTime());
}
