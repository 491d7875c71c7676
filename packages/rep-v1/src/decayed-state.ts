/**
 * O(1) incremental reputation state for one subject (node or model).
 *
 * The state holds S, N and D valued at a reference time `refTime`:
 *   s = Σ_successes c·w,  n = s + Σ_failures c·w + Σ_lost_disputes 2c·w,  d = Σ_slashes c·w,
 *   with w = 2^(-(refTime - t)/H).
 * Moving the reference multiplies all three by one factor, 2^(-(T' - refTime)/H), so adding an event, removing
 * one and evaluating at a later T are each O(1) and need no event list.
 *
 * Database row: columns ref_time, s, n, d, plain numbers (double precision / float8; ref_time may also be a
 * bigint column while it only ever holds block timestamps). See stateToRow / stateFromRow.
 *
 * Float behaviour:
 * - addEvent re-anchors refTime to the event's t when t > refTime (multiplying the sums by a factor <= 1), so
 *   refTime is the newest folded event and each stored event weight is <= 1: nothing can overflow. An event
 *   more than ~1074 half-lives (~41 years) older than refTime underflows to weight 0, as do old sums when the
 *   reference jumps that far forward; such contributions are below 2^-1074 of a fresh event.
 * - Each re-anchor rounds once (relative error <= 2^-53), so after k events the sums agree with a fresh replay
 *   within about k·1e-16 relative (in practice far less), not bit for bit. The replay path (as-of.ts) is the
 *   reference; the two give the same score unless 1000·lowerBound·slashFactor lies within that noise of a
 *   .5 boundary (or N within it of 10, for `provisional`).
 * - removeEvent subtracts a weight recomputed at refTime, which can leave rounding residue. A component whose
 *   remainder is at most REMOVAL_SNAP_RELATIVE (1e-9) of its value before the removal is set to exactly 0: a
 *   genuine remainder that small needs every other event to be ~30 half-lives (~14 months) older than the
 *   removed one, and then its only effect is on successRate/effectiveSamples of a subject whose N is ~0 (score
 *   0 either way). Removing clearly more than the state holds (by over half an event's weight) throws.
 *   For reorg rollback prefer restoring the row saved before the abandoned blocks: that is exact.
 * - rescaleTo may move the reference backward (factor > 1) and throws a RangeError instead of overflowing.
 */
import { HALF_LIFE_SECONDS } from "./constants.ts";
import { decayFactor } from "./decay.ts";
import { checkEvent, contribution, type EventKind, type Subject } from "./events.ts";
import { type DecayedSums, type Reputation, reputationFromSums } from "./wilson.ts";

/** S, N, D valued at refTime (unix seconds). Treat as immutable: every function returns a new state. */
export interface DecayedState extends DecayedSums {
  readonly refTime: number;
}

/** The state as a database row. */
export interface DecayedStateRow {
  ref_time: number;
  s: number;
  n: number;
  d: number;
}

/** Remainders at most this fraction of the pre-removal value are rounding residue and become 0. */
export const REMOVAL_SNAP_RELATIVE = 1e-9;

function assertFiniteTime(t: number, name: string): void {
  if (!Number.isFinite(t)) throw new RangeError(`${name} must be a finite unix time in seconds, got ${t}`);
}

function isEmpty(state: DecayedState): boolean {
  return state.s === 0 && state.n === 0 && state.d === 0;
}

/** A state with no events. Its refTime is irrelevant: the first event re-anchors it. */
export function emptyState(refTime = 0): DecayedState {
  assertFiniteTime(refTime, "refTime");
  return { refTime, s: 0, n: 0, d: 0 };
}

/**
 * The same sums expressed at reference time T (forward: factor <= 1; backward: factor > 1).
 * Moving backward past a folded event is arithmetic only: evaluate's guard then no longer proves that no
 * folded event is later than the evaluation time (do it only when you know that, e.g. after a reorg rollback).
 * Throws a RangeError if moving backward would overflow (more than ~1000 half-lives, ~38 years).
 */
export function rescaleTo(state: DecayedState, T: number): DecayedState {
  assertFiniteTime(T, "T");
  if (T === state.refTime) return state;
  if (isEmpty(state)) return emptyState(T);
  const f = decayFactor(state.refTime, T);
  const next: DecayedState = { refTime: T, s: state.s * f, n: state.n * f, d: state.d * f };
  if (!Number.isFinite(next.s) || !Number.isFinite(next.n) || !Number.isFinite(next.d)) {
    throw new RangeError(
      `rescaling from ${state.refTime} to ${T} overflows (${(state.refTime - T) / HALF_LIFE_SECONDS} half-lives back)`,
    );
  }
  return next;
}

/**
 * Folds `count` events of `kind` at block time t into the state. Events may come in any order; when
 * t > refTime the state is first re-anchored to t.
 */
export function addEvent(state: DecayedState, kind: EventKind, t: number, count = 1): DecayedState {
  const c = checkEvent(kind, t, count);
  const base = isEmpty(state) ? emptyState(t) : t > state.refTime ? rescaleTo(state, t) : state;
  const add = contribution(kind, decayFactor(t, base.refTime), c);
  return { refTime: base.refTime, s: base.s + add.s, n: base.n + add.n, d: base.d + add.d };
}

function subtract(before: number, delta: number, count: number, name: string): number {
  if (delta === 0) return before;
  const after = before - delta;
  if (after < (-0.5 * delta) / count) {
    throw new RangeError(`removing ${delta} from ${name} = ${before}: the state does not hold that event`);
  }
  return after <= REMOVAL_SNAP_RELATIVE * before ? 0 : after;
}

/**
 * Unfolds `count` events of `kind` at time t that were added before: a PCR revocation turning a success into a
 * failure is removeEvent(success, t) then addEvent(failure, t); a reorg can remove the abandoned blocks' events.
 * The reference time is kept.
 */
export function removeEvent(state: DecayedState, kind: EventKind, t: number, count = 1): DecayedState {
  const c = checkEvent(kind, t, count);
  const sub = contribution(kind, decayFactor(t, state.refTime), c);
  if (!Number.isFinite(sub.s) || !Number.isFinite(sub.n) || !Number.isFinite(sub.d)) {
    throw new RangeError(`event at ${t} is too far after the reference time ${state.refTime}`);
  }
  return {
    refTime: state.refTime,
    s: subtract(state.s, sub.s, c, "S"),
    n: subtract(state.n, sub.n, c, "N"),
    d: subtract(state.d, sub.d, c, "D"),
  };
}

/**
 * S, N, D at time T >= refTime (D = 0 for models). The state cannot tell which of its events are later
 * than T, so T < refTime (refTime being the newest folded event) throws a RangeError: answer an earlier asOf
 * with the replay path (as-of.ts), or rescaleTo first if you know no folded event is later than T.
 */
export function sumsAt(state: DecayedState, T: number, subject: Subject = "node"): DecayedSums {
  assertFiniteTime(T, "T");
  if (T < state.refTime) {
    throw new RangeError(
      `state holds events up to ${state.refTime}; evaluating at ${T} would count later events (replay instead)`,
    );
  }
  const f = decayFactor(state.refTime, T);
  return { s: state.s * f, n: state.n * f, d: subject === "model" ? 0 : state.d * f };
}

/** rep-v1 of the state's events at T >= refTime (see sumsAt). */
export function evaluate(state: DecayedState, T: number, subject: Subject = "node"): Reputation {
  return reputationFromSums(sumsAt(state, T, subject));
}

export function stateToRow(state: DecayedState): DecayedStateRow {
  return { ref_time: state.refTime, s: state.s, n: state.n, d: state.d };
}

/** Reads a row back; accepts numeric strings and bigints (as some drivers return int8/numeric columns). */
export function stateFromRow(row: {
  ref_time: number | string | bigint;
  s: number | string;
  n: number | string;
  d: number | string;
}): DecayedState {
  const state: DecayedState = {
    refTime: Number(row.ref_time),
    s: Number(row.s),
    n: Number(row.n),
    d: Number(row.d),
  };
  for (const [name, value] of Object.entries(state)) {
    if (!Number.isFinite(value)) throw new RangeError(`reputation row column ${name} is not a finite number`);
  }
  if (state.s < 0 || state.n < 0 || state.d < 0) throw new RangeError("reputation row has a negative sum");
  return state;
}
