import { linkKey } from "@attestation-explorer/checks";
import type { Store } from "@subsquid/typeorm-store";
import { In, IsNull } from "typeorm";
import type { Hex } from "viem";
import {
  Challenge,
  Check,
  Inference,
  Model,
  NetworkStats,
  Node,
  Pcr,
  Settlement,
  TeeType,
  Withdrawal,
} from "../model";
import type { PositionedEvent } from "./decode-logs";
import { newNetworkStats } from "./entity-factory";
import { type BatchState, type Ev, ZERO_ID } from "./state";

/** Loads everything the batch's events touch: one query per entity type (plus link and revocation lookups). */
export async function loadState(store: Store, events: PositionedEvent[], state: BatchState): Promise<void> {
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
    for (const inf of await store.find(Inference, { where, ...relations })) state.adoptInference(inf);

  // Settlements: the link candidates of this batch's reveals, earlier ones of TEEs registering now, and those a
  // revocation may taint.
  const revealKeys = new Set<string>();
  const committedHere = new Map<string, Ev<"InferenceCommitted">>();
  for (const e of events) {
    if (e.kind === "InferenceCommitted") committedHere.set(e.requestId, e);
    if (e.kind === "InferenceRevealed") {
      const inf = state.inferences.get(e.requestId);
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
    for (const s of await store.find(Settlement, { where: sWhere })) state.adoptSettlement(s);
  // Inferences linked to settlements whose signature a registration will re-check.
  const recheck = [...state.settlements.values()].filter((s) => registered.has(s.teeId)).map((s) => s.id);
  if (recheck.length) {
    for (const inf of await store.find(Inference, {
      where: { settlement: { id: In(recheck) } },
      ...relations,
    })) {
      state.adoptInference(inf);
    }
  }

  if (challengeIds.size)
    for (const c of await store.findBy(Challenge, { id: In([...challengeIds]) }))
      state.challenges.set(c.id, c);
  if (withdrawalIds.size)
    for (const w of await store.findBy(Withdrawal, { id: In([...withdrawalIds]) }))
      state.withdrawals.set(w.id, w);

  const linked = new Set<string>();
  for (const inf of state.inferences.values()) {
    nodeIds.add(relationId(inf.node) as string);
    modelIds.add(relationId(inf.model) as string);
    const sid = relationId(inf.settlement);
    if (sid && !state.settlements.has(sid)) linked.add(sid);
  }
  if (linked.size)
    for (const st of await store.findBy(Settlement, { id: In([...linked]) })) state.adoptSettlement(st);
  if (nodeIds.size)
    for (const n of await store.findBy(Node, { id: In([...nodeIds]) })) state.nodes.set(n.id, n);
  if (modelIds.size)
    for (const m of await store.findBy(Model, { id: In([...modelIds]) })) state.models.set(m.id, m);
  // One object per id, the one that gets updated and saved.
  for (const inf of state.inferences.values()) {
    inf.node = state.nodes.get(relationId(inf.node) as string) as Node;
    inf.model = state.models.get(relationId(inf.model) as string) as Model;
    const sid = relationId(inf.settlement);
    inf.settlement = sid ? (state.settlements.get(sid) as Settlement) : null;
  }
  // PCR approvals and TEE types are small tables: load them whole.
  for (const p of await store.find(Pcr, {})) state.pcrs.set(p.id, p);
  for (const t of await store.find(TeeType, {})) state.teeTypes.set(t.id, t);
  state.network = (await store.findOneBy(NetworkStats, { id: "network" })) ?? newNetworkStats();
}

/** The id of a relation loaded with `loadRelationIds` (a string), or of an object. */
function relationId(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value && typeof value === "object" && "id" in value) return (value as { id: string }).id;
  return undefined;
}
