import type { KeyObject } from "node:crypto";
import { addEvent, type DecayedState, type EventKind, removeEvent } from "@attestation-explorer/rep-v1";
import type { Store } from "@subsquid/typeorm-store";
import { In, IsNull } from "typeorm";
import { type Hex, keccak256 } from "viem";
import * as legacyRegistry from "../abi/LegacyTEERegistry";
import * as graceRegistry from "../abi/LegacyTEERegistry758e149";
import { attestationCheck } from "../checks/attestation/index.ts";
import {
  applyRevocation,
  decodeHeartbeat,
  decodeRegisterTee,
  heartbeatCounts,
  heartbeatSignatureCheck,
  inferenceChecks,
  linkKey,
  MAX_DATE_SECONDS,
  parseTeeKey,
  pcrValidInferenceCheck,
  type RegisterTeeCall,
  settlementChecks,
  settlementTimestampDate,
  signatureCheck,
} from "../checks/index.ts";
import {
  AttestationFormat,
  BatchSettlement,
  Challenge,
  Check,
  Heartbeat,
  Inference,
  InferenceStatus,
  InferenceVerdict,
  KeySource,
  KeyStatus,
  Model,
  NetworkStats,
  Node,
  Outcome,
  Pcr,
  PcrEvent,
  PcrEventKind,
  Settlement,
  Slash,
  SlashReason,
  StakeChange,
  StakeChangeKind,
  TeeAttestation,
  TeeStatusChange,
  TeeType,
  UndecodedLog,
  VerificationMode,
  Withdrawal,
} from "../model";
import { Aggregates } from "./aggregates";
import { bulkWrite } from "./bulk-write";
import type { ChainEvent, Position, PositionedEvent, RawLog } from "./decode-logs";
import { newModel, newNetworkStats, newNode } from "./entity-factory";
import type { TeeInfoReader } from "./tee-info";

type Ev<K extends ChainEvent["kind"]> = Extract<PositionedEvent, { kind: K }>;

const ZERO_ID = `0x${"0".repeat(64)}`;
/** The Pcr id suffix of an approval for every TEE type (og-evm 6030478's PCRApproved names none). */
const ANY_TYPE = "any";
const NOT_IN_CALLDATA =
  "attestation document not in the calldata (registration made through another contract)";
const OUTCOME_STATUS: Record<Outcome, InferenceStatus> = {
  [Outcome.VERIFIED]: InferenceStatus.VERIFIED,
  [Outcome.FAILED]: InferenceStatus.FAILED,
  [Outcome.EXPIRED]: InferenceStatus.EXPIRED,
};

const byPosition = (a: { block: number; logIndex: number }, b: { block: number; logIndex: number }) =>
  a.block - b.block || a.logIndex - b.logIndex;

/**
 * Maps one batch of decoded events onto the database: one load per entity type, in-memory updates in chain order,
 * one save per entity type. Derived data (counts, buckets, reputation) is updated per event as an exact delta, so
 * the result does not depend on how blocks were cut into batches.
 */
export class BatchMapper {
  private readonly nodes = new Map<string, Node>();
  private readonly models = new Map<string, Model>();
  private readonly inferences = new Map<string, Inference>();
  private readonly settlements = new Map<string, Settlement>();
  private readonly settlementsByLink = new Map<string, Settlement[]>();
  private readonly inferencesByLink = new Map<string, Inference[]>();
  private readonly challenges = new Map<string, Challenge>();
  private readonly withdrawals = new Map<string, Withdrawal>();
  private readonly pcrs = new Map<string, Pcr>();
  private readonly teeTypes = new Map<string, TeeType>();
  /** Written whole by every registration (upsert): never loaded. */
  private readonly attestations = new Map<string, TeeAttestation>();
  private network!: NetworkStats;

  private readonly dirty = {
    nodes: new Set<Node>(),
    models: new Set<Model>(),
    inferences: new Set<Inference>(),
    settlements: new Set<Settlement>(),
    challenges: new Set<Challenge>(),
    withdrawals: new Set<Withdrawal>(),
    pcrs: new Set<Pcr>(),
    teeTypes: new Set<TeeType>(),
  };
  private readonly inserts = {
    pcrEvents: [] as PcrEvent[],
    stakeChanges: [] as StakeChange[],
    teeStatus: [] as TeeStatusChange[],
    heartbeats: [] as Heartbeat[],
    verdicts: [] as InferenceVerdict[],
    slashes: [] as Slash[],
    batchSettlements: [] as BatchSettlement[],
    undecoded: [] as UndecodedLog[],
  };
  private readonly agg = new Aggregates();

  constructor(
    private readonly store: Store,
    private readonly teeInfo: TeeInfoReader,
  ) {}

  // ------------------------------------------------------------------ load

  /** Loads everything the batch's events touch: one query per entity type (plus link and revocation lookups). */
  async load(events: PositionedEvent[]): Promise<void> {
    const requestIds = new Set<string>();
    const settlementKeys = new Set<string>();
    const registered = new Set<string>();
    const revokedHashes = new Set<string>();
    const challengeIds = new Set<string>();
    const withdrawalIds = new Set<string>();
    const nodeIds = new Set<string>();
    const modelIds = new Set<string>();
    for (const e of events) {
      if ("requestId" in e && e.requestId !== ZERO_ID) requestIds.add(e.requestId);
      if ("nodeId" in e) nodeIds.add(e.nodeId);
      if ("teeId" in e) nodeIds.add(e.teeId);
      if ("modelId" in e) modelIds.add(e.modelId);
      if (e.kind === "IndividualSettlement")
        settlementKeys.add(linkKey(e.teeId as Hex, e.inputHash as Hex, e.outputHash as Hex));
      if (e.kind === "TEERegistered") registered.add(e.teeId);
      if (e.kind === "PCRRevoked") revokedHashes.add(e.pcrHash);
      if (e.kind === "ChallengeResolved") challengeIds.add(e.challengeId.toString());
      if (e.kind === "WithdrawalCompleted") withdrawalIds.add(e.withdrawalId.toString());
    }
    // Relations come as ids (no joins, no entity copies); they are pointed at the loaded objects below.
    const relations = { loadRelationIds: true } as const;
    const where: object[] = [];
    if (requestIds.size) where.push({ id: In([...requestIds]) });
    if (settlementKeys.size) where.push({ linkKey: In([...settlementKeys]) });
    if (revokedHashes.size) where.push({ pcrHash: In([...revokedHashes]), pcrValidCheck: Check.PASS });
    if (where.length)
      for (const inf of await this.store.find(Inference, { where, ...relations })) this.adoptInference(inf);

    // Settlements: the link candidates of this batch's reveals, earlier ones of TEEs registering now, and those a
    // revocation may taint.
    const revealKeys = new Set<string>();
    const committedHere = new Map<string, Ev<"InferenceCommitted">>();
    for (const e of events) {
      if (e.kind === "InferenceCommitted") committedHere.set(e.requestId, e);
      if (e.kind === "InferenceRevealed") {
        const inf = this.inferences.get(e.requestId);
        const c = committedHere.get(e.requestId);
        const mode = inf?.mode ?? c?.mode;
        const input = inf?.inputHash ?? c?.inputHash;
        if (mode === "TEE" && input)
          revealKeys.add(linkKey(e.nodeId as Hex, input as Hex, e.outputHash as Hex));
      }
    }
    const sWhere: object[] = [];
    if (revealKeys.size) sWhere.push({ linkKey: In([...revealKeys]) });
    if (registered.size) sWhere.push({ teeId: In([...registered]), node: IsNull() });
    if (revokedHashes.size) sWhere.push({ pcrHash: In([...revokedHashes]), pcrValidCheck: Check.PASS });
    if (sWhere.length)
      for (const s of await this.store.find(Settlement, { where: sWhere })) this.adoptSettlement(s);
    // Inferences linked to settlements whose signature a registration will re-check.
    const recheck = [...this.settlements.values()].filter((s) => registered.has(s.teeId)).map((s) => s.id);
    if (recheck.length) {
      for (const inf of await this.store.find(Inference, {
        where: { settlement: { id: In(recheck) } },
        ...relations,
      })) {
        this.adoptInference(inf);
      }
    }

    if (challengeIds.size)
      for (const c of await this.store.findBy(Challenge, { id: In([...challengeIds]) }))
        this.challenges.set(c.id, c);
    if (withdrawalIds.size)
      for (const w of await this.store.findBy(Withdrawal, { id: In([...withdrawalIds]) }))
        this.withdrawals.set(w.id, w);

    const linked = new Set<string>();
    for (const inf of this.inferences.values()) {
      nodeIds.add(relationId(inf.node) as string);
      modelIds.add(relationId(inf.model) as string);
      const sid = relationId(inf.settlement);
      if (sid && !this.settlements.has(sid)) linked.add(sid);
    }
    if (linked.size)
      for (const st of await this.store.findBy(Settlement, { id: In([...linked]) })) this.adoptSettlement(st);
    if (nodeIds.size)
      for (const n of await this.store.findBy(Node, { id: In([...nodeIds]) })) this.nodes.set(n.id, n);
    if (modelIds.size)
      for (const m of await this.store.findBy(Model, { id: In([...modelIds]) })) this.models.set(m.id, m);
    // One object per id, the one that gets updated and saved.
    for (const inf of this.inferences.values()) {
      inf.node = this.nodes.get(relationId(inf.node) as string) as Node;
      inf.model = this.models.get(relationId(inf.model) as string) as Model;
      const sid = relationId(inf.settlement);
      inf.settlement = sid ? (this.settlements.get(sid) as Settlement) : null;
    }
    // PCR approvals and TEE types are small tables: load them whole.
    for (const p of await this.store.find(Pcr, {})) this.pcrs.set(p.id, p);
    for (const t of await this.store.find(TeeType, {})) this.teeTypes.set(t.id, t);
    this.network = (await this.store.findOneBy(NetworkStats, { id: "network" })) ?? newNetworkStats();
  }

  private adoptInference(inf: Inference): void {
    if (this.inferences.has(inf.id)) return;
    this.inferences.set(inf.id, inf);
    if (inf.linkKey) this.push(this.inferencesByLink, inf.linkKey, inf);
  }

  private adoptSettlement(s: Settlement): Settlement {
    const known = this.settlements.get(s.id);
    if (known) return known;
    this.settlements.set(s.id, s);
    this.push(this.settlementsByLink, s.linkKey, s);
    return s;
  }

  private push<T>(map: Map<string, T[]>, key: string, value: T): void {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  }

  // ------------------------------------------------------------------ map

  async map(events: PositionedEvent[]): Promise<void> {
    for (const e of events) await this.apply(e);
  }

  private async apply(e: PositionedEvent): Promise<void> {
    switch (e.kind) {
      case "TEETypeAdded":
        return this.onTeeTypeAdded(e);
      case "TEETypeDeactivated":
        return this.onTeeTypeDeactivated(e);
      case "PCRApproved":
        return this.onPcrApproved(e);
      case "PCRRevoked":
        return this.onPcrRevoked(e);
      case "TEERegistered":
        return this.onTeeRegistered(e);
      case "TEEDisabled":
      case "TEEEnabled":
        return this.onTeeStatus(e.teeId, e.kind === "TEEEnabled", e.pos);
      case "HeartbeatReceived":
        return this.onHeartbeat(e);
      case "IndividualSettlement":
        return this.onSettlement(e);
      case "BatchSettlement":
        this.inserts.batchSettlements.push(
          new BatchSettlement({
            id: rowId(e.pos),
            merkleRoot: e.merkleRoot,
            batchSize: e.batchSize,
            walrusBlobId: e.walrusBlobId,
            ...blockFields(e.pos),
          }),
        );
        return;
      case "StakeDeposited":
        return this.onDeposit(e);
      case "WithdrawalRequested":
        return this.onWithdrawalRequested(e);
      case "WithdrawalCompleted":
        return this.onWithdrawalCompleted(e);
      case "ModelRegistered":
        return this.onModelRegistered(e);
      case "ModelDeprecated": {
        const m = this.model(e.modelId, VerificationMode.VANILLA, e.pos);
        m.deprecated = true;
        m.deprecatedBlock = e.pos.block;
        this.dirty.models.add(m);
        return;
      }
      case "InferenceCommitted":
        return this.onCommitted(e);
      case "InferenceRevealed":
        return this.onRevealed(e);
      case "InferenceVerified":
        return this.onVerified(e);
      case "ChallengeOpened":
        return this.onChallengeOpened(e);
      case "ChallengeResolved":
        return this.onChallengeResolved(e);
      case "NodeSlashed":
        return this.onSlashed(e);
    }
  }

  /** Keeps a log the mapping could not use (unknown request id, duplicate commit, ...): never dropped. */
  private unusable(e: PositionedEvent, error: string): void {
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

  // ---- TEE registry

  private onTeeTypeAdded(e: Ev<"TEETypeAdded">): void {
    const id = String(e.typeId);
    const t = this.teeTypes.get(id) ?? new TeeType({ id, typeId: e.typeId });
    t.name = e.name;
    t.addedBlock = e.pos.block;
    t.addedAt = e.pos.at;
    t.addedTx = e.pos.tx;
    this.teeTypes.set(id, t);
    this.dirty.teeTypes.add(t);
  }

  /** Earlier registries only: recorded on the type; nothing else changes (its TEEs and approvals stay). */
  private onTeeTypeDeactivated(e: Ev<"TEETypeDeactivated">): void {
    const t = this.teeTypes.get(String(e.typeId));
    if (!t) {
      // The registry reverts for a type never added: the TEETypeAdded is before the indexed range.
      this.unusable(e, `TEE type ${e.typeId} was not added in the indexed blocks`);
      return;
    }
    t.deactivatedBlock = e.pos.block;
    t.deactivatedAt = e.pos.at;
    t.deactivatedTx = e.pos.tx;
    this.dirty.teeTypes.add(t);
  }

  /** The approval row of (pcrHash, teeType); teeType undefined: the row of an approval for every TEE type. */
  private pcr(pcrHash: string, teeType: number | undefined): Pcr {
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
  private pcrRows(pcrHash: string): Pcr[] {
    return [...this.pcrs.values()].filter((p) => p.pcrHash === pcrHash);
  }

  /**
   * Whether (pcrHash, teeType) counts as approved at block time `ts` (unix seconds): the type's own row when it
   * has one (it saw every later event: events for every type update all rows of the hash), else the every-type
   * row; approved, or revoked with a grace period that has not ended by `ts`.
   */
  private pcrApprovedAt(pcrHash: string, teeType: number, ts: number): boolean {
    const p = this.pcrs.get(`${pcrHash}-${teeType}`) ?? this.pcrs.get(`${pcrHash}-${ANY_TYPE}`);
    return p ? rowApprovedAt(p, ts) : false;
  }

  /** An approval for one TEE type, or for every type (6030478): every row it covers becomes approved. */
  private onPcrApproved(e: Ev<"PCRApproved">): void {
    // 6030478's approvePCR first sets the previous PCR's expiry (an approval of the same hash then overrides it).
    if (e.teeType === undefined) this.supersede(e);
    const targets =
      e.teeType === undefined
        ? [this.pcr(e.pcrHash, undefined), ...this.pcrRows(e.pcrHash)]
        : [this.pcr(e.pcrHash, e.teeType)];
    for (const p of new Set(targets)) {
      p.approved = true;
      p.approvedUntil = null;
      p.version = e.version;
      p.lastApprovedBlock = e.pos.block;
      this.dirty.pcrs.add(p);
    }
    this.inserts.pcrEvents.push(
      new PcrEvent({
        id: rowId(e.pos),
        pcrHash: e.pcrHash,
        teeType: e.teeType ?? null,
        kind: PcrEventKind.APPROVED,
        version: e.version,
        effectiveAt: null,
        gracePeriod: null,
        ...blockFields(e.pos),
      }),
    );
  }

  /**
   * 6030478's approvePCR(pcrs, version, previousPcrHash, gracePeriod): if the previous PCR is active (not revoked;
   * an expiry already set is overwritten, as the registry does), it expires at block time + gracePeriod. No event
   * says so: read from the calldata (a direct call). Not a PCRRevoked: no retroactive taint (README check 4).
   */
  private supersede(e: Ev<"PCRApproved">): void {
    const call = approvalFromCalldata(e);
    if (!call || call.previousPcrHash === ZERO_ID || call.previousPcrHash === e.pcrHash) return;
    const active = this.pcrRows(call.previousPcrHash).filter((p) => p.approved || p.approvedUntil != null);
    if (active.length === 0) return;
    const effective = dateOfSeconds(BigInt(e.pos.ts) + call.gracePeriod);
    for (const p of active) {
      p.approved = false;
      p.approvedUntil = effective;
      this.dirty.pcrs.add(p);
    }
    this.inserts.pcrEvents.push(
      new PcrEvent({
        id: `${rowId(e.pos)}-expiring`,
        pcrHash: call.previousPcrHash,
        teeType: null,
        kind: PcrEventKind.EXPIRING,
        version: null,
        effectiveAt: effective,
        gracePeriod: call.gracePeriod,
        ...blockFields(e.pos),
      }),
    );
  }

  /**
   * Revokes the PCR (for every TEE type when the event names none) and taints earlier PASS results
   * retroactively. With a grace period (758e149) the PCR still counts as approved for blocks whose time is before
   * block time + grace period, if it was approved when revoked (the registry reverts otherwise).
   */
  private onPcrRevoked(e: Ev<"PCRRevoked">): void {
    const teeType = e.teeType ?? revokedTypeFromCalldata(e);
    const grace = e.gracePeriod ?? 0n;
    const effective = dateOfSeconds(BigInt(e.pos.ts) + grace);
    const targets: Pcr[] = [];
    const wasApproved = new Map<Pcr, boolean>();
    if (teeType === undefined) {
      for (const p of this.pcrRows(e.pcrHash)) {
        targets.push(p);
        wasApproved.set(p, rowApprovedAt(p, e.pos.ts));
      }
    } else {
      const before = this.pcrApprovedAt(e.pcrHash, teeType, e.pos.ts);
      const p = this.pcr(e.pcrHash, teeType);
      targets.push(p);
      wasApproved.set(p, before);
    }
    for (const p of targets) {
      p.approved = false;
      p.approvedUntil = grace > 0n && wasApproved.get(p) ? effective : null;
      p.everRevoked = true;
      p.lastRevokedBlock = e.pos.block;
      this.dirty.pcrs.add(p);
    }
    this.inserts.pcrEvents.push(
      new PcrEvent({
        id: rowId(e.pos),
        pcrHash: e.pcrHash,
        teeType: teeType ?? null,
        kind: PcrEventKind.REVOKED,
        version: null,
        effectiveAt: effective,
        gracePeriod: e.gracePeriod ?? null,
        ...blockFields(e.pos),
      }),
    );
    // Rows judged at or before this block, whose PCR the revocation covers: PASS turns FAIL (checks/, rule 4).
    const revocation = { pcrHash: e.pcrHash as Hex, teeType };
    const tainted = (
      check: Check,
      pcrHash: string | null | undefined,
      type: number | null | undefined,
      block: number,
    ) =>
      pcrHash != null &&
      type != null &&
      block <= e.pos.block &&
      applyRevocation(check, { pcrHash: pcrHash as Hex, teeType: type }, revocation) !== check;
    for (const s of this.settlements.values()) {
      if (tainted(s.pcrValidCheck, s.pcrHash, s.teeType, s.block)) {
        s.pcrValidCheck = Check.FAIL;
        this.dirty.settlements.add(s);
      }
    }
    for (const inf of this.inferences.values()) {
      if (tainted(inf.pcrValidCheck, inf.pcrHash, inf.teeType, inf.committedBlock)) {
        this.mutate(inf, () => {
          inf.pcrValidCheck = Check.FAIL;
        });
      }
    }
  }

  private async onTeeRegistered(e: Ev<"TEERegistered">): Promise<void> {
    const node = this.node(e.teeId, e.pos);
    const wasRegistered = node.registeredBlock != null;
    let info = e.pos.txInput ? decodeRegisterTee(e.pos.txInput as Hex) : undefined;
    let source = KeySource.CALLDATA;
    if (info && !matchesTee(info.signingPublicKey, e.teeId)) {
      // The calldata's key does not hash to the event's id (e.g. a batched registration): ask the chain instead.
      info = undefined;
    }
    // The attestation document is verified by the indexer itself (check "attestation"); its PCRs are the node's.
    const attestation = this.attest(e, info);
    let fromChain: Awaited<ReturnType<TeeInfoReader["read"]>> | undefined;
    if (!info) {
      fromChain = await this.teeInfo.read(e.teeId, e.pos.block);
      source = fromChain ? KeySource.GET_TEE : KeySource.NONE;
    } else if (!attestation.pcrHash) {
      // A document the indexer cannot read PCRs from: the PCR hash comes from getTEE (the chain's word).
      fromChain = await this.teeInfo.read(e.teeId, e.pos.block);
    }
    const publicKey = (info?.signingPublicKey ?? fromChain?.publicKey)?.toLowerCase() ?? null;
    node.owner = e.owner;
    node.teeType = e.teeType;
    node.endpoint = info?.endpoint ?? fromChain?.endpoint ?? null;
    node.paymentAddress = (info?.paymentAddress ?? fromChain?.paymentAddress)?.toLowerCase() ?? null;
    node.publicKey = publicKey;
    node.pcrHash = (attestation.pcrHash ?? fromChain?.pcrHash)?.toLowerCase() ?? null;
    node.keySource = source;
    node.keyStatus = publicKey
      ? keyStatusOf(parseTeeKey(publicKey as Hex, e.teeId as Hex).status)
      : KeyStatus.UNKNOWN;
    if (!node.enabled) this.network.enabledNodes++;
    node.enabled = true;
    node.registeredBlock = e.pos.block;
    node.registeredBlockHash = e.pos.blockHash;
    node.registeredAt = e.pos.at;
    node.registeredTx = e.pos.tx;
    node.registeredLogIndex = e.pos.logIndex;
    this.dirty.nodes.add(node);
    this.inserts.teeStatus.push(
      new TeeStatusChange({ id: rowId(e.pos), node, enabled: true, ...blockFields(e.pos) }),
    );
    if (wasRegistered) return;
    // Settlements this TEE made before it registered: attach them and check their signatures now (teeEnabled and
    // pcrValid stay as judged at their blocks).
    const key = this.keyOf(node);
    for (const s of [...this.settlements.values()].sort(byPosition)) {
      if (s.teeId !== e.teeId || s.node) continue;
      s.node = node;
      s.signatureCheck = signatureCheck(
        key,
        s.inputHash as Hex,
        s.outputHash as Hex,
        s.timestampSeconds,
        s.signature as Hex,
      ) as Check;
      this.dirty.settlements.add(s);
      node.settlements++;
      if (s.signatureCheck === Check.FAIL) {
        node.settlementSignatureFailures++;
        this.network.settlementSignatureFailures++;
      }
      for (const inf of this.inferences.values()) {
        if (inf.settlement === s) this.mutate(inf, () => undefined);
      }
    }
  }

  /** The attestation check of a registration, kept as its TeeAttestation row (the latest registration's). */
  private attest(e: Ev<"TEERegistered">, call: RegisterTeeCall | undefined): TeeAttestation {
    const result = call
      ? attestationCheck({
          document: call.attestationDocument,
          signingPublicKey: call.signingPublicKey,
          tlsCertificate: call.tlsCertificate,
          blockTime: e.pos.ts,
          isPcrApproved: (pcrHash) => this.pcrApprovedAt(pcrHash, e.teeType, e.pos.ts),
        })
      : undefined;
    const row = new TeeAttestation({
      id: e.teeId,
      format: result ? (result.format as AttestationFormat) : AttestationFormat.NONE,
      status: result ? (result.status as Check) : Check.UNKNOWN,
      reason: result ? result.reason : NOT_IN_CALLDATA,
      moduleId: result?.moduleId ?? null,
      timestamp: result?.timestampMs == null ? null : new Date(result.timestampMs),
      pcr0: result?.pcr0 ?? null,
      pcr1: result?.pcr1 ?? null,
      pcr2: result?.pcr2 ?? null,
      pcrHash: result?.pcrHash ?? null,
      // The API lists them leaf first, towards the root (the check orders them root first, as cabundle is).
      certificates: result?.certificates.length ? [...result.certificates].reverse() : null,
      userData: result?.userData ?? null,
      document: call ? call.attestationDocument.toLowerCase() : null,
      tlsCertificate: call ? call.tlsCertificate.toLowerCase() : null,
      ...blockFields(e.pos),
    });
    this.attestations.set(row.id, row);
    return row;
  }

  private onTeeStatus(teeId: string, enabled: boolean, pos: Position): void {
    const node = this.node(teeId, pos);
    if (node.enabled !== enabled) this.network.enabledNodes += enabled ? 1 : -1;
    node.enabled = enabled;
    this.dirty.nodes.add(node);
    this.inserts.teeStatus.push(new TeeStatusChange({ id: rowId(pos), node, enabled, ...blockFields(pos) }));
  }

  private onHeartbeat(e: Ev<"HeartbeatReceived">): void {
    const node = this.node(e.teeId, e.pos);
    const call = e.pos.txInput ? decodeHeartbeat(e.pos.txInput as Hex) : undefined;
    const check = heartbeatSignatureCheck({
      key: this.keyOf(node),
      event: { teeId: e.teeId as Hex, timestamp: e.timestamp },
      call,
    }) as Check;
    const counts = heartbeatCounts(check);
    if (counts) {
      node.lastHeartbeatAt = e.pos.at;
      this.dirty.nodes.add(node);
    }
    this.inserts.heartbeats.push(
      new Heartbeat({
        id: rowId(e.pos),
        node,
        timestampSeconds: e.timestamp,
        signature: call?.signature.toLowerCase() ?? null,
        signatureCheck: check,
        counts,
        ...blockFields(e.pos),
      }),
    );
  }

  // ---- settlements

  private onSettlement(e: Ev<"IndividualSettlement">): void {
    const known = this.nodes.get(e.teeId);
    const node = known && known.registeredBlock != null ? known : undefined;
    const checks = settlementChecks({
      key: node ? this.keyOf(node) : undefined,
      inputHash: e.inputHash as Hex,
      outputHash: e.outputHash as Hex,
      timestamp: e.timestamp,
      signature: e.signature as Hex,
      blockNumber: e.pos.block,
      blockTimestamp: e.pos.ts,
      tee: node ? { registeredAtBlock: node.registeredBlock as number, enabled: node.enabled } : undefined,
      pcrApprovedAtBlock: node ? this.pcrApprovalOf(node, e.pos.ts) : undefined,
    });
    const sig = checks.signature as Check;
    const s = new Settlement({
      id: rowId(e.pos),
      teeId: e.teeId,
      node: node ?? null,
      ethAddress: e.ethAddress,
      inputHash: e.inputHash,
      outputHash: e.outputHash,
      timestampSeconds: e.timestamp,
      timestamp: settlementTimestampDate(e.timestamp),
      walrusBlobId: e.walrusBlobId,
      signature: e.signature,
      linkKey: linkKey(e.teeId as Hex, e.inputHash as Hex, e.outputHash as Hex),
      signatureCheck: sig,
      freshnessCheck: checks.freshness as Check,
      teeEnabledCheck: checks.teeEnabled as Check,
      pcrValidCheck: checks.pcrValid as Check,
      pcrHash: node?.pcrHash ?? null,
      teeType: node?.teeType ?? null,
      ...blockFields(e.pos),
    });
    this.adoptSettlement(s);
    this.dirty.settlements.add(s);
    this.network.settlements++;
    this.agg.count("settlements", e.pos.ts, 1);
    if (sig === Check.FAIL) this.network.settlementSignatureFailures++;
    if (node) {
      node.settlements++;
      if (sig === Check.FAIL) node.settlementSignatureFailures++;
      this.dirty.nodes.add(node);
    }
    // A revealed TEE inference waiting for its settlement links to the earliest one.
    for (const inf of this.inferencesByLink.get(s.linkKey) ?? []) {
      if (!inf.settlement) {
        this.mutate(inf, () => {
          inf.settlement = s;
        });
      }
    }
  }

  /** Whether a registered TEE's PCR is approved at block time `ts`; undefined when its PCR is not known. */
  private pcrApprovalOf(node: Node, ts: number): boolean | undefined {
    if (!node.pcrHash || node.teeType == null) return undefined;
    return this.pcrApprovedAt(node.pcrHash, node.teeType, ts);
  }

  private keyOf(node: Node): KeyObject | undefined {
    if (node.keyStatus !== KeyStatus.VALID || !node.publicKey) return undefined;
    const parsed = parseTeeKey(node.publicKey as Hex, node.id as Hex);
    return parsed.status === "VALID" ? parsed.key : undefined;
  }

  // ---- stake

  private setStake(node: Node, stake: bigint): void {
    this.network.totalStake += stake - node.stake;
    node.stake = stake;
  }

  private stakeChange(
    node: Node,
    kind: StakeChangeKind,
    amount: bigint,
    pos: Position,
    from: string | null = null,
  ): void {
    this.inserts.stakeChanges.push(
      new StakeChange({
        id: rowId(pos),
        node,
        kind,
        amount,
        from,
        stakeAfter: node.stake,
        pendingAfter: node.pendingWithdrawals,
        ...blockFields(pos),
      }),
    );
    this.dirty.nodes.add(node);
  }

  private onDeposit(e: Ev<"StakeDeposited">): void {
    const node = this.node(e.nodeId, e.pos);
    if (!node.operator) node.operator = e.from;
    this.setStake(node, e.newTotal);
    this.stakeChange(node, StakeChangeKind.DEPOSIT, e.amount, e.pos, e.from);
  }

  private onWithdrawalRequested(e: Ev<"WithdrawalRequested">): void {
    const node = this.node(e.nodeId, e.pos);
    node.pendingWithdrawals += e.amount;
    const w = new Withdrawal({
      id: e.withdrawalId.toString(),
      node,
      amount: e.amount,
      unlockAt: new Date(Number(e.unlockAt) * 1000),
      requestedBlock: e.pos.block,
      requestedAt: e.pos.at,
      requestedTx: e.pos.tx,
      completedBlock: null,
      completedAt: null,
      completedTx: null,
      paid: null,
    });
    this.withdrawals.set(w.id, w);
    this.dirty.withdrawals.add(w);
    this.stakeChange(node, StakeChangeKind.WITHDRAWAL_REQUESTED, e.amount, e.pos);
  }

  private onWithdrawalCompleted(e: Ev<"WithdrawalCompleted">): void {
    const node = this.node(e.nodeId, e.pos);
    const w = this.withdrawals.get(e.withdrawalId.toString());
    this.setStake(node, node.stake - e.amount > 0n ? node.stake - e.amount : 0n);
    // pendingWithdrawals holds requested amounts: the request leaves it whole, whatever was paid.
    const requested = w?.amount ?? e.amount;
    node.pendingWithdrawals = node.pendingWithdrawals > requested ? node.pendingWithdrawals - requested : 0n;
    if (w) {
      w.completedBlock = e.pos.block;
      w.completedAt = e.pos.at;
      w.completedTx = e.pos.tx;
      w.paid = e.amount;
      this.dirty.withdrawals.add(w);
    }
    this.stakeChange(node, StakeChangeKind.WITHDRAWAL_COMPLETED, e.amount, e.pos);
  }

  private onSlashed(e: Ev<"NodeSlashed">): void {
    const node = this.node(e.nodeId, e.pos);
    this.setStake(node, e.remainingStake);
    node.totalSlashed += e.amount;
    node.slashes++;
    this.network.totalSlashed += e.amount;
    this.network.slashes++;
    this.agg.slashed(e.pos.ts, node.id, e.amount);
    this.nodeReputation(node, "slash", e.pos.ts, +1);
    this.inserts.slashes.push(
      new Slash({
        id: rowId(e.pos),
        node,
        inference: this.inferences.get(e.requestId) ?? null,
        requestId: e.requestId,
        reason: SlashReason[e.reason],
        amount: e.amount,
        remainingStake: e.remainingStake,
        ...blockFields(e.pos),
      }),
    );
    this.stakeChange(node, StakeChangeKind.SLASH, e.amount, e.pos);
  }

  // ---- models

  private onModelRegistered(e: Ev<"ModelRegistered">): void {
    const m = this.model(e.modelId, VerificationMode[e.mode], e.pos);
    m.owner = e.owner;
    m.name = e.name;
    m.version = e.version;
    m.mode = VerificationMode[e.mode];
    m.contentHash = e.contentHash;
    m.blobId = e.blobId;
    m.registeredBlock = e.pos.block;
    m.registeredBlockHash = e.pos.blockHash;
    m.registeredAt = e.pos.at;
    m.registeredTx = e.pos.tx;
    m.registeredLogIndex = e.pos.logIndex;
    this.dirty.models.add(m);
  }

  // ---- inference lifecycle

  private onCommitted(e: Ev<"InferenceCommitted">): void {
    if (this.inferences.has(e.requestId)) {
      this.unusable(e, `request ${e.requestId} was already committed`);
      return;
    }
    const node = this.node(e.nodeId, e.pos);
    const mode = VerificationMode[e.mode];
    const model = this.model(e.modelId, mode, e.pos);
    const tee = mode === VerificationMode.TEE;
    const inf = new Inference({
      id: e.requestId,
      node,
      model,
      mode,
      status: InferenceStatus.COMMITTED,
      outcome: null,
      inputHash: e.inputHash,
      commitment: e.commitment,
      outputHash: null,
      salt: null,
      proofRef: null,
      revealDeadline: new Date(Number(e.revealDeadline) * 1000),
      committedBlock: e.pos.block,
      committedBlockHash: e.pos.blockHash,
      committedAt: e.pos.at,
      committedTx: e.pos.tx,
      committedLogIndex: e.pos.logIndex,
      revealedBlock: null,
      revealedBlockHash: null,
      revealedAt: null,
      revealedTx: null,
      revealedLogIndex: null,
      settledBlock: null,
      settledBlockHash: null,
      settledAt: null,
      settledTx: null,
      settledLogIndex: null,
      verifier: null,
      lastEventBlock: e.pos.block,
      pcrHash: tee ? node.pcrHash : null,
      teeType: tee ? node.teeType : null,
      commitmentCheck: Check.NOT_APPLICABLE,
      revealOnTimeCheck: Check.NOT_APPLICABLE,
      teeSignatureCheck: Check.NOT_APPLICABLE,
      pcrValidCheck: pcrValidInferenceCheck({
        mode,
        teeRegistered: node.registeredBlock != null,
        pcrApprovedAtBlock: this.pcrApprovalOf(node, e.pos.ts),
        revokedSince: false,
      }) as Check,
      discrepancy: false,
      settlement: null,
      linkKey: null,
      repKind: null,
      repTime: null,
    });
    this.inferences.set(inf.id, inf);
    node.committed++;
    model.inferences++;
    this.network.inferences++;
    if (mode === VerificationMode.VANILLA) this.network.inferencesVanilla++;
    else if (mode === VerificationMode.ZKML) this.network.inferencesZkml++;
    else this.network.inferencesTee++;
    this.agg.committed(e.pos.ts, e.pos.at, node, model, mode);
    this.dirty.nodes.add(node);
    this.dirty.models.add(model);
    this.applyEffects(inf);
  }

  private onRevealed(e: Ev<"InferenceRevealed">): void {
    const inf = this.inferences.get(e.requestId);
    if (!inf) {
      this.unusable(e, `reveal of request ${e.requestId}, which was never committed`);
      return;
    }
    this.mutate(inf, () => {
      inf.outputHash = e.outputHash;
      inf.salt = e.salt;
      inf.proofRef = e.proofRef;
      inf.revealedBlock = e.pos.block;
      inf.revealedBlockHash = e.pos.blockHash;
      inf.revealedAt = e.pos.at;
      inf.revealedTx = e.pos.tx;
      inf.revealedLogIndex = e.pos.logIndex;
      inf.lastEventBlock = e.pos.block;
      if (inf.status === InferenceStatus.COMMITTED) inf.status = InferenceStatus.REVEALED;
      if (inf.mode === VerificationMode.TEE) {
        inf.linkKey = linkKey(inf.node.id as Hex, inf.inputHash as Hex, e.outputHash as Hex);
        this.push(this.inferencesByLink, inf.linkKey, inf);
        const candidates = (this.settlementsByLink.get(inf.linkKey) ?? []).filter(
          (s) => s.teeId === inf.node.id,
        );
        inf.settlement = candidates.sort(byPosition)[0] ?? null;
      }
    });
    inf.node.revealed++;
    this.dirty.nodes.add(inf.node);
  }

  private onVerified(e: Ev<"InferenceVerified">): void {
    const inf = this.inferences.get(e.requestId);
    if (!inf) {
      this.unusable(e, `verdict on request ${e.requestId}, which was never committed`);
      return;
    }
    const outcome = Outcome[e.outcome];
    this.inserts.verdicts.push(
      new InferenceVerdict({
        id: rowId(e.pos),
        inference: inf,
        outcome,
        verifier: e.verifier,
        ...blockFields(e.pos),
      }),
    );
    this.mutate(inf, () => {
      inf.status = OUTCOME_STATUS[outcome];
      inf.outcome = outcome;
      inf.verifier = e.verifier;
      inf.settledBlock = e.pos.block;
      inf.settledBlockHash = e.pos.blockHash;
      inf.settledAt = e.pos.at;
      inf.settledTx = e.pos.tx;
      inf.settledLogIndex = e.pos.logIndex;
      inf.lastEventBlock = e.pos.block;
    });
  }

  private onChallengeOpened(e: Ev<"ChallengeOpened">): void {
    const inf = this.inferences.get(e.requestId);
    if (!inf) {
      this.unusable(e, `challenge of request ${e.requestId}, which was never committed`);
      return;
    }
    const c = new Challenge({
      id: e.challengeId.toString(),
      inference: inf,
      node: inf.node,
      challenger: e.challenger,
      bond: e.bond,
      deadline: new Date(Number(e.deadline) * 1000),
      openedBlock: e.pos.block,
      openedBlockHash: e.pos.blockHash,
      openedAt: e.pos.at,
      openedTx: e.pos.tx,
      openedLogIndex: e.pos.logIndex,
      resolvedBlock: null,
      resolvedBlockHash: null,
      resolvedAt: null,
      resolvedTx: null,
      resolvedLogIndex: null,
      nodeAtFault: null,
      resolver: null,
      evidenceHash: null,
    });
    this.challenges.set(c.id, c);
    this.dirty.challenges.add(c);
    inf.node.challenged++;
    this.dirty.nodes.add(inf.node);
  }

  private onChallengeResolved(e: Ev<"ChallengeResolved">): void {
    const c = this.challenges.get(e.challengeId.toString());
    const inf = this.inferences.get(e.requestId);
    if (!c || !inf) {
      this.unusable(e, `resolution of challenge ${e.challengeId}, which was never opened`);
      return;
    }
    c.resolvedBlock = e.pos.block;
    c.resolvedBlockHash = e.pos.blockHash;
    c.resolvedAt = e.pos.at;
    c.resolvedTx = e.pos.tx;
    c.resolvedLogIndex = e.pos.logIndex;
    c.nodeAtFault = e.nodeAtFault;
    c.resolver = e.resolver;
    c.evidenceHash = e.evidenceHash;
    this.dirty.challenges.add(c);
    if (e.nodeAtFault) {
      inf.node.disputesLost++;
      this.dirty.nodes.add(inf.node);
      this.nodeReputation(inf.node, "dispute_lost", e.pos.ts, +1);
      this.modelReputation(inf.model, "dispute_lost", e.pos.ts, +1);
    }
  }

  // ------------------------------------------------------------------ derived state of an inference

  /** Changes an inference: its old contributions to counts, buckets and reputation out, the new ones in. */
  private mutate(inf: Inference, change: () => void): void {
    this.retractEffects(inf);
    change();
    this.applyEffects(inf);
  }

  /** Judges an inference again from its current state (checks/inference-checks.ts, rules 5-9). */
  private refreshChecks(inf: Inference): void {
    const checks = inferenceChecks({
      mode: inf.mode,
      status: inf.status,
      commitment: inf.commitment as Hex,
      reveal:
        inf.revealedAt && inf.outputHash && inf.salt
          ? {
              outputHash: inf.outputHash as Hex,
              salt: inf.salt as Hex,
              blockTimestamp: Math.floor(inf.revealedAt.getTime() / 1000),
            }
          : undefined,
      revealDeadline: inf.revealDeadline.getTime() / 1000,
      linkedSettlementSignature: inf.settlement?.signatureCheck,
      pcrValid: inf.pcrValidCheck,
    });
    inf.commitmentCheck = checks.commitment as Check;
    inf.revealOnTimeCheck = checks.revealOnTime as Check;
    inf.teeSignatureCheck = checks.teeSignature as Check;
    inf.discrepancy = checks.discrepancy;
    if (inf.status === InferenceStatus.VERIFIED) inf.repKind = inf.discrepancy ? "failure" : "success";
    else if (inf.status === InferenceStatus.FAILED || inf.status === InferenceStatus.EXPIRED)
      inf.repKind = "failure";
    else inf.repKind = null;
    inf.repTime = inf.repKind && inf.settledAt ? Math.floor(inf.settledAt.getTime() / 1000) : null;
  }

  private retractEffects(inf: Inference): void {
    this.effects(inf, -1);
  }

  private applyEffects(inf: Inference): void {
    this.refreshChecks(inf);
    this.effects(inf, +1);
    this.dirty.inferences.add(inf);
  }

  /** What an inference adds to its node's, model's and the network's counts, buckets and reputation. */
  private effects(inf: Inference, sign: 1 | -1): void {
    const node = inf.node;
    const model = inf.model;
    const net = this.network;
    const settledTs = inf.settledAt ? Math.floor(inf.settledAt.getTime() / 1000) : 0;
    switch (inf.status) {
      case InferenceStatus.COMMITTED:
      case InferenceStatus.REVEALED:
        net.pending += sign;
        break;
      case InferenceStatus.VERIFIED:
        node.verified += sign;
        model.verified += sign;
        net.verified += sign;
        this.agg.count("verified", settledTs, sign, node.id, model.id);
        break;
      case InferenceStatus.FAILED:
        node.failed += sign;
        model.failed += sign;
        net.failed += sign;
        this.agg.count("failed", settledTs, sign, node.id, model.id);
        break;
      case InferenceStatus.EXPIRED:
        node.expired += sign;
        model.expired += sign;
        net.expired += sign;
        this.agg.count("expired", settledTs, sign, node.id, model.id);
        break;
    }
    if (inf.discrepancy) {
      node.discrepancies += sign;
      model.discrepancies += sign;
      net.discrepancies += sign;
    }
    if (inf.repKind && inf.repTime != null) {
      const kind = inf.repKind as EventKind;
      this.nodeReputation(node, kind, inf.repTime, sign);
      this.modelReputation(model, kind, inf.repTime, sign);
    }
    this.dirty.nodes.add(node);
    this.dirty.models.add(model);
  }

  private nodeReputation(node: Node, kind: EventKind, t: number, sign: 1 | -1): void {
    const state: DecayedState = { refTime: node.repRefTime, s: node.repS, n: node.repN, d: node.repD };
    const next = sign > 0 ? addEvent(state, kind, t) : removeEvent(state, kind, t);
    node.repRefTime = next.refTime;
    node.repS = next.s;
    node.repN = next.n;
    node.repD = next.d;
    this.dirty.nodes.add(node);
  }

  private modelReputation(model: Model, kind: EventKind, t: number, sign: 1 | -1): void {
    const state: DecayedState = { refTime: model.repRefTime, s: model.repS, n: model.repN, d: 0 };
    const next = sign > 0 ? addEvent(state, kind, t) : removeEvent(state, kind, t);
    model.repRefTime = next.refTime;
    model.repS = next.s;
    model.repN = next.n;
    this.dirty.models.add(model);
  }

  // ------------------------------------------------------------------ get or create

  /** The node with this id, created (with what the event says, nulls elsewhere) if no event named it before. */
  private node(id: string, pos: Position): Node {
    let n = this.nodes.get(id);
    if (!n) {
      n = newNode(id, pos);
      this.nodes.set(id, n);
      this.network.nodes++;
    }
    this.dirty.nodes.add(n);
    return n;
  }

  private model(id: string, mode: VerificationMode, pos: Position): Model {
    let m = this.models.get(id);
    if (!m) {
      m = newModel(id, mode, pos);
      this.models.set(id, m);
      this.network.models++;
    }
    this.dirty.models.add(m);
    return m;
  }

  // ------------------------------------------------------------------ save

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

  /** One upsert or insert per entity type, parents before children (foreign keys). */
  async save(): Promise<void> {
    const s = this.store;
    const timings: string[] = [];
    const up = async <T extends { id: string }>(rows: Iterable<T>) => {
      const list = [...rows];
      const t = performance.now();
      await bulkWrite(s, list, "upsert");
      if (process.env.INDEXER_PROFILE === "1" && list.length)
        timings.push(`${list[0].constructor.name}:${list.length}:${(performance.now() - t).toFixed(0)}`);
    };
    const ins = async <T extends { id: string }>(rows: T[]) => {
      const t = performance.now();
      await bulkWrite(s, rows, "insert");
      if (process.env.INDEXER_PROFILE === "1" && rows.length)
        timings.push(`${rows[0].constructor.name}:${rows.length}:${(performance.now() - t).toFixed(0)}`);
    };
    await up(this.dirty.teeTypes);
    await up(this.dirty.pcrs);
    await ins(this.inserts.pcrEvents);
    await up(this.dirty.nodes);
    await up(this.attestations.values());
    await up(this.dirty.models);
    await up(this.dirty.settlements);
    await up(this.dirty.inferences);
    await ins(this.inserts.verdicts);
    await up(this.dirty.challenges);
    await ins(this.inserts.slashes);
    await up(this.dirty.withdrawals);
    await ins(this.inserts.stakeChanges);
    await ins(this.inserts.teeStatus);
    await ins(this.inserts.heartbeats);
    await ins(this.inserts.batchSettlements);
    await ins(this.inserts.undecoded);
    const t = performance.now();
    await this.agg.save(s);
    timings.push(`aggregates:${(performance.now() - t).toFixed(0)}`);
    await bulkWrite(s, [this.network], "upsert");
    if (timings.length && process.env.INDEXER_PROFILE === "1") console.log(`  save ${timings.join(" ")}`);
  }
}

/** The id of a relation loaded with `loadRelationIds` (a string), or of an object. */
function relationId(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value && typeof value === "object" && "id" in value) return (value as { id: string }).id;
  return undefined;
}

function rowId(pos: Position): string {
  return `${pos.tx}-${pos.logIndex}`;
}

function blockFields(pos: Position) {
  return { block: pos.block, blockHash: pos.blockHash, at: pos.at, tx: pos.tx, logIndex: pos.logIndex };
}

function jsonOf(e: PositionedEvent): string {
  const { pos: _pos, ...rest } = e;
  return JSON.stringify(rest, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
}

function keyStatusOf(status: "VALID" | "MISMATCH" | "MALFORMED"): KeyStatus {
  return KeyStatus[status];
}

function matchesTee(publicKey: Hex, teeId: string): boolean {
  try {
    return keccak256(publicKey).toLowerCase() === teeId;
  } catch {
    return false;
  }
}

/** A Pcr row's approval at block time `ts` (unix seconds): approved, or within its graced revocation. */
function rowApprovedAt(p: Pcr, ts: number): boolean {
  return p.approved || (p.approvedUntil != null && ts * 1000 < p.approvedUntil.getTime());
}

/** Unix seconds as a Date, capped at 9999-12-31T23:59:59Z (a DateTime column holds no later time). */
function dateOfSeconds(seconds: bigint): Date {
  return new Date(Number(seconds > MAX_DATE_SECONDS ? MAX_DATE_SECONDS : seconds) * 1000);
}

/**
 * 758e149's PCRRevoked(pcrHash, gracePeriod) does not name the TEE type its revokePCR(pcrHash, teeType,
 * gracePeriod) call revoked: read it from the transaction's calldata when that is the direct call (same hash and
 * grace period); undefined otherwise (e.g. a call through another contract), and the revocation covers every type.
 */
function revokedTypeFromCalldata(e: Ev<"PCRRevoked">): number | undefined {
  const input = e.pos.txInput;
  if (e.gracePeriod === undefined || !input) return undefined;
  try {
    if (!graceRegistry.functions.revokePCR.is(input)) return undefined;
    const call = graceRegistry.functions.revokePCR.decode(input);
    if (call.pcrHash.toLowerCase() !== e.pcrHash || call.gracePeriod !== e.gracePeriod) return undefined;
    return call.teeType;
  } catch {
    return undefined;
  }
}

/**
 * 6030478's approvePCR(pcrs, version, previousPcrHash, gracePeriod) of a PCRApproved(pcrHash, version), when the
 * transaction is that direct call (its PCRs hash to the event's); undefined otherwise.
 */
function approvalFromCalldata(
  e: Ev<"PCRApproved">,
): { previousPcrHash: string; gracePeriod: bigint } | undefined {
  const input = e.pos.txInput;
  if (!input) return undefined;
  try {
    if (!legacyRegistry.functions.approvePCR.is(input)) return undefined;
    const call = legacyRegistry.functions.approvePCR.decode(input);
    const { pcr0, pcr1, pcr2 } = call.pcrs;
    const hash = keccak256(`0x${[pcr0, pcr1, pcr2].map((b) => b.slice(2)).join("")}` as Hex).toLowerCase();
    if (hash !== e.pcrHash || call.version !== e.version) return undefined;
    return { previousPcrHash: call.previousPcrHash.toLowerCase(), gracePeriod: call.gracePeriod };
  } catch {
    return undefined;
  }
}
