/**
 * The replay path: rep-v1 of one subject as of any time T, from its classified events.
 *
 * This is the reference computation (Query reputation(asOf:), exports' asOf, history buckets): only events with
 * t <= T count, each weighted 2^(-(T - t)/H) directly at T and summed in the order given. Events must already be
 * classified with today's knowledge (a success later hit by a PCR revocation is passed as a failure, same t),
 * as spec/README.md's "as of" rule requires. O(events).
 */
import { decayFactor } from "./decay.ts";
import { addEvent, type DecayedState, emptyState, evaluate } from "./decayed-state.ts";
import { checkEvent, contribution, type ReputationEvent, type Subject } from "./events.ts";
import { type DecayedSums, type Reputation, reputationFromSums } from "./wilson.ts";

function assertFiniteTime(asOf: number): void {
  if (!Number.isFinite(asOf)) throw new RangeError(`asOf must be a finite unix time in seconds, got ${asOf}`);
}

/** S, N, D at asOf over the events with t <= asOf. Models ignore slashes (D = 0). */
export function decayedSumsAsOf(
  events: Iterable<ReputationEvent>,
  asOf: number,
  subject: Subject = "node",
): DecayedSums {
  assertFiniteTime(asOf);
  let s = 0;
  let n = 0;
  let d = 0;
  for (const event of events) {
    const count = checkEvent(event.kind, event.t, event.count);
    if (event.t > asOf) continue;
    const add = contribution(event.kind, decayFactor(event.t, asOf), count);
    s += add.s;
    n += add.n;
    d += add.d;
  }
  return { s, n, d: subject === "model" ? 0 : d };
}

/** rep-v1 of a node or model as of asOf (unix seconds). */
export function reputationAsOf(
  events: Iterable<ReputationEvent>,
  asOf: number,
  subject: Subject = "node",
): Reputation {
  return reputationFromSums(decayedSumsAsOf(events, asOf, subject));
}

/** rep-v1 of a node: slashes count. */
export function nodeReputationAsOf(events: Iterable<ReputationEvent>, asOf: number): Reputation {
  return reputationAsOf(events, asOf, "node");
}

/** rep-v1 of a model: the same over all the model's inferences, slashes ignored (D = 0, slashFactor = 1). */
export function modelReputationAsOf(events: Iterable<ReputationEvent>, asOf: number): Reputation {
  return reputationAsOf(events, asOf, "model");
}

/**
 * rep-v1 at each of `times` (any order; results in the same order), e.g. the ends of history buckets, in
 * O((events + times) · log) instead of one replay per time: events are folded in time order into a
 * decayed state that is evaluated as each time is passed. Agrees with reputationAsOf to float noise
 * (see decayed-state.ts), not bit for bit.
 */
export function reputationSeries(
  events: Iterable<ReputationEvent>,
  times: readonly number[],
  subject: Subject = "node",
): Reputation[] {
  const sorted = [...events];
  for (const e of sorted) checkEvent(e.kind, e.t, e.count);
  sorted.sort((a, b) => a.t - b.t);
  const order = times.map((_, i) => i).sort((a, b) => times[a] - times[b]);
  const out: Reputation[] = new Array(times.length);
  let state: DecayedState = emptyState();
  let next = 0;
  for (const i of order) {
    const T = times[i];
    assertFiniteTime(T);
    while (next < sorted.length && sorted[next].t <= T) {
      const e = sorted[next++];
      state = addEvent(state, e.kind, e.t, e.count ?? 1);
    }
    // Every folded event has t <= T, so only the initial empty state (refTime 0, with T < 0) can be after T.
    out[i] = evaluate(state.refTime > T ? emptyState(T) : state, T, subject);
  }
  return out;
}
