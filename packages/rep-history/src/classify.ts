import {
  type Check,
  isDiscrepancy,
  teeSignatureCheck,
  type VerificationMode,
} from "@attestation-explorer/checks";
import {
  addEvent,
  contribution,
  type DecayedState,
  type DecayedSums,
  decayFactor,
  EVENT_KINDS,
  type EventKind,
  emptyState,
  evaluate,
  type Reputation,
  type ReputationEvent,
  removeEvent,
  reputationAsOf,
  type Subject,
} from "@attestation-explorer/rep-v1";

// rep-v1 "as of" an earlier time A (spec/README.md, spec/reputation.md): only events in blocks with timestamp
// <= A count, including which settlement an inference links to, while revocations are judged with today's
// knowledge (the stored pcrValid check). Pure: the rows come from events-sql.ts.
//
// An inference counts by its latest verdict at or before A:
// - FAILED / EXPIRED: a failure at that verdict's time;
// - VERIFIED: a success, unless it is a discrepancy as of A (then a failure at the same time). As of A:
//   commitment and revealOnTime are the stored checks once revealed by A (NOT_APPLICABLE before);
//   teeSignature (TEE mode) is the linked settlement's signature check if that settlement's block is at or
//   before A (the linked one is the earliest match, so no other match can be earlier), UNKNOWN otherwise;
//   pcrValid (TEE mode) is the stored check.
// A lost dispute adds a dispute_lost event at its resolution; a slash a slash event (nodes only).

export type Outcome = "VERIFIED" | "FAILED" | "EXPIRED";

export interface VerdictEvent {
  kind: "verdict";
  inferenceId: string;
  /** Block timestamp, unix seconds. */
  t: number;
  block: number;
  logIndex: number;
  outcome: Outcome;
  mode: VerificationMode;
  revealedT: number | null;
  commitmentCheck: Check;
  revealOnTimeCheck: Check;
  pcrValidCheck: Check;
  settlementT: number | null;
  settlementSignatureCheck: Check | null;
}

export interface PlainEvent {
  kind: "dispute_lost" | "slash";
  t: number;
}

export type SubjectEvent = VerdictEvent | PlainEvent;

/** Verdicts of one inference, oldest first (block, log index). */
type Verdicts = VerdictEvent[];

/** Rule 9 (packages/checks: the same rule the indexer applies) on the inference's checks as of A. */
function isDiscrepancyAsOf(v: VerdictEvent, asOf: number): boolean {
  const revealed = v.revealedT !== null && v.revealedT <= asOf;
  const linked = v.settlementT !== null && v.settlementT <= asOf;
  return isDiscrepancy({
    chainStatus: "VERIFIED",
    checks: {
      commitment: revealed ? v.commitmentCheck : "NOT_APPLICABLE",
      revealOnTime: revealed ? v.revealOnTimeCheck : "NOT_APPLICABLE",
      teeSignature: teeSignatureCheck({
        mode: v.mode,
        revealed,
        linkedSettlementSignature: linked ? (v.settlementSignatureCheck ?? undefined) : undefined,
      }),
      pcrValid: v.mode === "TEE" ? v.pcrValidCheck : "NOT_APPLICABLE",
    },
  });
}

/** What one inference adds as of A: its latest verdict at or before A, classified; null if none. */
export function classifyAsOf(verdicts: Verdicts, asOf: number): ReputationEvent | null {
  let latest: VerdictEvent | undefined;
  for (const v of verdicts) {
    if (v.t <= asOf) latest = v;
    else break;
  }
  if (!latest) return null;
  if (latest.outcome !== "VERIFIED") return { kind: "failure", t: latest.t };
  return { kind: isDiscrepancyAsOf(latest, asOf) ? "failure" : "success", t: latest.t };
}

function groupVerdicts(events: readonly SubjectEvent[]): Map<string, Verdicts> {
  const byInference = new Map<string, Verdicts>();
  for (const e of events) {
    if (e.kind !== "verdict") continue;
    const list = byInference.get(e.inferenceId) ?? [];
    list.push(e);
    byInference.set(e.inferenceId, list);
  }
  for (const list of byInference.values()) list.sort((a, b) => a.block - b.block || a.logIndex - b.logIndex);
  return byInference;
}

/** The subject's classified reputation events as of A. */
export function eventsAsOf(events: readonly SubjectEvent[], asOf: number): ReputationEvent[] {
  const out: ReputationEvent[] = [];
  for (const verdicts of groupVerdicts(events).values()) {
    const e = classifyAsOf(verdicts, asOf);
    if (e) out.push(e);
  }
  for (const e of events) {
    if (e.kind !== "verdict" && e.t <= asOf) out.push({ kind: e.kind, t: e.t });
  }
  return out;
}

/** rep-v1 as of A by replay (the reference computation of packages/rep-v1/src/as-of.ts). */
export function replayAsOf(events: readonly SubjectEvent[], asOf: number, subject: Subject): Reputation {
  return reputationAsOf(eventsAsOf(events, asOf), asOf, subject);
}

/** What one event of each kind adds at weight 1 (rep-v1's contribution; scaled by the weight below). */
const UNIT = Object.fromEntries(EVENT_KINDS.map((k) => [k, contribution(k, 1)])) as Record<
  EventKind,
  DecayedSums
>;

/**
 * rep-v1's sums at each of `times` (ascending), bit for bit decayedSumsAsOf(eventsAsOf(events, T), T, subject)
 * at every T (as reputation(asOf:) replays), without classifying every inference again at every T: an
 * inference's classification as of T is a step function of T (changesOf), walked once over the ascending times.
 * The floats are those of the replay in its order: for each T, the inferences in eventsAsOf's order (of their
 * first verdict), then lost disputes and slashes in chain order, each adding contribution(kind, 2^(-(T - t)/H))
 * (w · 1 = w, w · 2 = 2 · w and s + w · 0 = s exactly, as S, N and D are never -0).
 */
export function decayedSumsSeries(
  events: readonly SubjectEvent[],
  times: readonly number[],
  subject: Subject,
): DecayedSums[] {
  const m = times.length;
  const s = new Float64Array(m);
  const n = new Float64Array(m);
  const d = new Float64Array(m);
  /** Adds one classified event to the sums at times[from..to). */
  const add = (kind: EventKind, t: number, from: number, to: number) => {
    const u = UNIT[kind];
    for (let i = from; i < to; i++) {
      const w = decayFactor(t, times[i]);
      s[i] += w * u.s;
      n[i] += w * u.n;
      d[i] += w * u.d;
    }
  };
  for (const verdicts of groupVerdicts(events).values()) {
    const changes = changesOf(verdicts);
    let i = 0;
    for (let c = 0; c < changes.length; c++) {
      const until = c + 1 < changes.length ? changes[c + 1].at : Number.POSITIVE_INFINITY;
      const e = changes[c].add;
      while (i < m && times[i] < changes[c].at) i++;
      const from = i;
      while (i < m && times[i] < until) i++;
      if (e) add(e.kind, e.t, from, i);
    }
  }
  for (const e of events) {
    if (e.kind === "verdict") continue;
    let i = 0;
    while (i < m && times[i] < e.t) i++;
    add(e.kind, e.t, i, m);
  }
  const out: DecayedSums[] = new Array(m);
  for (let i = 0; i < m; i++) out[i] = { s: s[i], n: n[i], d: subject === "model" ? 0 : d[i] };
  return out;
}

interface Change {
  /** When the classification changes (unix seconds). */
  at: number;
  remove: ReputationEvent | null;
  add: ReputationEvent | null;
}

const sameEvent = (a: ReputationEvent | null, b: ReputationEvent | null) =>
  a === b || (a !== null && b !== null && a.kind === b.kind && a.t === b.t);

/** When an inference's classification as of A changes with A: at its verdicts, its reveal and its settlement. */
function changesOf(verdicts: Verdicts): Change[] {
  const times = new Set<number>();
  for (const v of verdicts) {
    times.add(v.t);
    if (v.revealedT !== null) times.add(v.revealedT);
    if (v.settlementT !== null) times.add(v.settlementT);
  }
  const changes: Change[] = [];
  let current: ReputationEvent | null = null;
  for (const at of [...times].sort((a, b) => a - b)) {
    const next = classifyAsOf(verdicts, at);
    if (!sameEvent(current, next)) {
      changes.push({ at, remove: current, add: next });
      current = next;
    }
  }
  return changes;
}

function apply(state: DecayedState, kind: EventKind, t: number, sign: 1 | -1): DecayedState {
  return sign === 1 ? addEvent(state, kind, t) : removeEvent(state, kind, t);
}

/**
 * rep-v1 at each of `times` (any order; results in the same order) in one sweep: every inference's
 * classification is a step function of A, so its changes are folded in time order into a decayed state
 * (remove the old classification, add the new one) that is evaluated as each time is passed. Agrees with
 * replayAsOf to float noise (see packages/rep-v1/src/decayed-state.ts), in O((events + times) log).
 */
export function replaySeries(
  events: readonly SubjectEvent[],
  times: readonly number[],
  subject: Subject,
): Reputation[] {
  const changes: Change[] = [];
  for (const verdicts of groupVerdicts(events).values()) changes.push(...changesOf(verdicts));
  for (const e of events) {
    if (e.kind !== "verdict") changes.push({ at: e.t, remove: null, add: { kind: e.kind, t: e.t } });
  }
  // Stable sort: an inference's own changes keep their order, so each removal follows the addition it undoes.
  changes.sort((a, b) => a.at - b.at);
  const order = times.map((_, i) => i).sort((a, b) => times[a] - times[b]);
  const out: Reputation[] = new Array(times.length);
  let state = emptyState();
  let next = 0;
  for (const i of order) {
    const T = times[i];
    while (next < changes.length && changes[next].at <= T) {
      const c = changes[next++];
      if (c.remove) state = apply(state, c.remove.kind, c.remove.t, -1);
      if (c.add) state = apply(state, c.add.kind, c.add.t, 1);
    }
    out[i] = evaluate(state.refTime > T ? emptyState(T) : state, T, subject);
  }
  return out;
}
