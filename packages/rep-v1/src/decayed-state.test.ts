import { describe, expect, it } from "vitest";
import { reputationAsOf } from "./as-of.ts";
import { HALF_LIFE_SECONDS } from "./constants.ts";
import {
  addEvent,
  type DecayedState,
  emptyState,
  evaluate,
  removeEvent,
  rescaleTo,
  stateFromRow,
  stateToRow,
  sumsAt,
} from "./decayed-state.ts";
import type { ReputationEvent } from "./events.ts";
import { expectClose, expectReputation, rng, shuffled } from "./test-support.ts";
import type { Reputation } from "./wilson.ts";

const T = 1_764_000_000;
const DAY = 86_400;

function fold(events: readonly ReputationEvent[], start: DecayedState = emptyState()): DecayedState {
  let state = start;
  for (const e of events) state = addEvent(state, e.kind, e.t, e.count);
  return state;
}

/** A realistic mixed history over the 60 days before T, in random order. */
function history(seed: number, size = 400): ReputationEvent[] {
  const random = rng(seed);
  const kinds = ["success", "success", "success", "success", "failure", "dispute_lost", "slash"] as const;
  return Array.from({ length: size }, () => ({
    kind: kinds[Math.floor(random() * kinds.length)],
    t: T - Math.floor(random() * 60 * DAY),
    count: 1 + Math.floor(random() * 3),
  }));
}

function expectSameReputation(actual: Reputation, expected: Reputation, rel: number, label = ""): void {
  expectReputation(actual, expected, rel, label);
}

describe("addEvent", () => {
  it("re-anchors refTime to the newest event and keeps every stored weight <= 1", () => {
    const state = fold([
      { kind: "success", t: T - 10 * DAY, count: 1 },
      { kind: "failure", t: T, count: 1 },
      { kind: "success", t: T - 20 * DAY, count: 1 },
    ]);
    expect(state.refTime).toBe(T);
    expect(state.n).toBeCloseTo(1 + 2 ** (-10 / 14) + 2 ** (-20 / 14), 14);
    expect(state.s).toBeCloseTo(2 ** (-10 / 14) + 2 ** (-20 / 14), 14);
  });

  it("gives the same result in any order, equal to the replay", () => {
    const events = history(7);
    const expected = reputationAsOf(events, T + DAY);
    for (const seed of [1, 2, 3]) {
      expectSameReputation(evaluate(fold(shuffled(events, seed)), T + DAY), expected, 1e-12, `seed ${seed}`);
    }
    const sorted = [...events].sort((a, b) => a.t - b.t);
    const reversed = [...sorted].reverse();
    expectSameReputation(evaluate(fold(sorted), T + DAY), expected, 1e-12, "sorted");
    expectSameReputation(evaluate(fold(reversed), T + DAY), expected, 1e-12, "reversed");
  });

  it("counts a lost dispute as 2w of failure weight", () => {
    const dispute = fold([{ kind: "dispute_lost", t: T - HALF_LIFE_SECONDS, count: 1 }]);
    expect(sumsAt(dispute, T)).toEqual({ s: 0, n: 1, d: 0 }); // 2 · 0.5
    const twoFailures = fold([{ kind: "failure", t: T - HALF_LIFE_SECONDS, count: 2 }]);
    const oneFailure = fold([{ kind: "failure", t: T - HALF_LIFE_SECONDS, count: 1 }]);
    const withSuccesses = (s: DecayedState) => addEvent(s, "success", T, 40);
    expect(evaluate(withSuccesses(dispute), T)).toEqual(evaluate(withSuccesses(twoFailures), T));
    expect(evaluate(withSuccesses(dispute), T).score).toBeLessThan(
      evaluate(withSuccesses(oneFailure), T).score,
    );
  });

  it("ignores an empty state's refTime: the first event anchors it", () => {
    const state = addEvent(emptyState(T + 1000 * DAY), "success", T, 3);
    expect(state).toEqual({ refTime: T, s: 3, n: 3, d: 0 });
  });

  it("does not mutate the state it is given", () => {
    const before = fold([{ kind: "success", t: T, count: 2 }]);
    const copy = { ...before };
    addEvent(before, "failure", T + DAY);
    removeEvent(before, "success", T);
    rescaleTo(before, T - DAY);
    expect(before).toEqual(copy);
  });

  it("neither overflows nor loses recent weight across decades of history", () => {
    const events: ReputationEvent[] = [
      { kind: "success", t: T - 60 * 365 * DAY, count: 5 },
      { kind: "slash", t: T - 45 * 365 * DAY, count: 1 },
      { kind: "failure", t: T, count: 1 },
      { kind: "success", t: T - DAY, count: 30 },
      { kind: "success", t: T - 50 * 365 * DAY, count: 5 },
    ];
    const state = fold(events);
    for (const v of [state.s, state.n, state.d]) expect(Number.isFinite(v)).toBe(true);
    expectSameReputation(evaluate(state, T), reputationAsOf(events, T), 1e-12);
    expect(evaluate(state, T).decayedSlashes).toBeLessThan(1e-300);
  });
});

describe("removeEvent", () => {
  it("revocation: a success turned into a failure at the same t equals a fresh fold with a failure", () => {
    const events = history(11);
    const revokedAt = T - 17 * DAY + 123;
    const before = fold(shuffled([...events, { kind: "success", t: revokedAt, count: 1 }], 5));
    const flipped = addEvent(removeEvent(before, "success", revokedAt), "failure", revokedAt);
    const freshEvents = [...events, { kind: "failure" as const, t: revokedAt, count: 1 }];
    const fresh = fold(freshEvents);

    const at = T + 3 * DAY;
    expectSameReputation(evaluate(flipped, at), evaluate(fresh, at), 1e-12, "vs fresh fold");
    expectSameReputation(evaluate(flipped, at), reputationAsOf(freshEvents, at), 1e-12, "vs replay");
    // The flip moved exactly one success weight from S (N unchanged).
    const w = 2 ** (-(at - revokedAt) / HALF_LIFE_SECONDS);
    expectClose(sumsAt(before, at).s - sumsAt(flipped, at).s, w, 1e-9, "S drop");
    expectClose(sumsAt(flipped, at).n, sumsAt(before, at).n, 1e-14, "N");
    expect(evaluate(flipped, at).successRate).toBeLessThan(evaluate(before, at).successRate ?? 0);
  });

  it("rolls back a later block's events to the state without them (reorg)", () => {
    const kept = history(3, 100);
    const abandoned: ReputationEvent[] = [
      { kind: "failure", t: T + 600, count: 4 },
      { kind: "slash", t: T + 612, count: 1 },
      { kind: "dispute_lost", t: T + 612, count: 1 },
    ];
    let state = fold([...kept, ...abandoned]);
    for (const e of abandoned) state = removeEvent(state, e.kind, e.t, e.count);
    expect(state.refTime).toBe(T + 612); // kept: refTime does not move back by itself
    expectSameReputation(evaluate(state, T + DAY), reputationAsOf(kept, T + DAY), 1e-12);
    // When the new head is earlier than the abandoned events, move the reference back explicitly.
    expectSameReputation(evaluate(rescaleTo(state, T), T), reputationAsOf(kept, T), 1e-12);
  });

  it("snaps rounding residue to exactly 0 when everything is removed", () => {
    const events = history(5, 50);
    let state = fold(events);
    for (const e of shuffled(events, 9)) state = removeEvent(state, e.kind, e.t, e.count);
    expect([state.s, state.n, state.d]).toEqual([0, 0, 0]);
    expect(evaluate(state, T)).toMatchObject({ score: 0, successRate: null, effectiveSamples: 0 });
  });

  it("refuses to remove what the state does not hold", () => {
    const state = fold([{ kind: "success", t: T, count: 1 }]);
    expect(() => removeEvent(state, "slash", T)).toThrow(RangeError);
    expect(() => removeEvent(state, "success", T, 2)).toThrow(RangeError);
    expect(() => removeEvent(addEvent(state, "success", T, 99), "success", T, 101)).toThrow(RangeError);
  });
});

describe("rescaleTo / evaluate", () => {
  it("is invariant: the same state at several reference times evaluates alike (1e-12 relative)", () => {
    const state = fold(history(21));
    const at = T + 5 * DAY + 17;
    const reference = evaluate(state, at);
    const refs = [T - 400 * DAY, T - 30 * DAY - 7, T - 1, T, T + 1, T + 2 * DAY + 0.5, at];
    for (const ref of refs) {
      const moved = rescaleTo(state, ref);
      expect(moved.refTime).toBe(ref);
      expectSameReputation(evaluate(moved, at), reference, 1e-12, `ref ${ref}`);
      // and back again
      expectSameReputation(
        evaluate(rescaleTo(moved, state.refTime), at),
        reference,
        1e-12,
        `back from ${ref}`,
      );
    }
    expect(reference.effectiveSamples).toBeGreaterThan(10);
  });

  it("moves far forward to zeros (underflow) and refuses to overflow moving far back", () => {
    const state = fold(history(2, 20));
    const far = rescaleTo(state, T + 2000 * HALF_LIFE_SECONDS);
    expect([far.s, far.n, far.d]).toEqual([0, 0, 0]);
    expect(() => rescaleTo(state, T - 2000 * HALF_LIFE_SECONDS)).toThrow(RangeError);
    expect(evaluate(state, T + 2000 * HALF_LIFE_SECONDS)).toMatchObject({ score: 0, successRate: null });
  });

  it("refuses to evaluate before the newest folded event", () => {
    const state = fold([
      { kind: "success", t: T, count: 10 },
      { kind: "failure", t: T + 5, count: 10 },
    ]);
    expect(() => evaluate(state, T)).toThrow(RangeError);
    expect(evaluate(state, T + 5).successRate).toBeCloseTo(0.5, 5);
    expect(evaluate(rescaleTo(state, T + 4), T + 5).successRate).toBeCloseTo(
      evaluate(state, T + 5).successRate ?? 0,
      14,
    );
  });

  it("drops D for a model", () => {
    const state = fold([
      { kind: "success", t: T, count: 30 },
      { kind: "slash", t: T, count: 3 },
    ]);
    expect(evaluate(state, T, "node").slashFactor).toBeCloseTo(0.343, 15);
    expect(evaluate(state, T, "model")).toMatchObject({ decayedSlashes: 0, slashFactor: 1, score: 886 });
  });
});

describe("database row", () => {
  it("round-trips through ref_time, s, n, d (and JSON / numeric strings)", () => {
    const state = fold(history(4, 30));
    const row = stateToRow(state);
    expect(Object.keys(row).sort()).toEqual(["d", "n", "ref_time", "s"]);
    expect(stateFromRow(JSON.parse(JSON.stringify(row)))).toEqual(state);
    const fromStrings = stateFromRow({
      ref_time: BigInt(state.refTime),
      s: String(row.s),
      n: String(row.n),
      d: String(row.d),
    });
    expect(fromStrings).toEqual(state);
  });

  it("rejects rows that are not finite non-negative sums", () => {
    expect(() => stateFromRow({ ref_time: T, s: "x", n: 1, d: 0 })).toThrow(RangeError);
    expect(() => stateFromRow({ ref_time: T, s: 0, n: -1, d: 0 })).toThrow(RangeError);
  });
});
