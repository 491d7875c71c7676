import { decayedSumsAsOf, reputationAsOf } from "@attestation-explorer/rep-v1";
import { describe, expect, test } from "vitest";
import {
  classifyAsOf,
  decayedSumsSeries,
  eventsAsOf,
  replayAsOf,
  replaySeries,
  type SubjectEvent,
  type VerdictEvent,
} from "./classify.ts";

function verdict(overrides: Partial<VerdictEvent>): VerdictEvent {
  return {
    kind: "verdict",
    inferenceId: "i",
    t: 1000,
    block: 10,
    logIndex: 0,
    outcome: "VERIFIED",
    mode: "VANILLA",
    revealedT: 900,
    commitmentCheck: "PASS",
    revealOnTimeCheck: "PASS",
    pcrValidCheck: "NOT_APPLICABLE",
    settlementT: null,
    settlementSignatureCheck: null,
    ...overrides,
  };
}

describe("an inference as of A", () => {
  test("counts nothing before its first verdict, then by its latest verdict at or before A", () => {
    const vs = [verdict({ t: 1000, block: 10, outcome: "FAILED" }), verdict({ t: 2000, block: 20 })];
    expect(classifyAsOf(vs, 999)).toBeNull();
    expect(classifyAsOf(vs, 1000)).toEqual({ kind: "failure", t: 1000 });
    expect(classifyAsOf(vs, 1999)).toEqual({ kind: "failure", t: 1000 });
    expect(classifyAsOf(vs, 2000)).toEqual({ kind: "success", t: 2000 });
  });

  test("EXPIRED is a failure", () => {
    expect(classifyAsOf([verdict({ outcome: "EXPIRED", revealedT: null })], 5000)).toEqual({
      kind: "failure",
      t: 1000,
    });
  });

  test("VERIFIED with a failed commitment or late reveal is a discrepancy: a failure at the verdict's time", () => {
    expect(classifyAsOf([verdict({ commitmentCheck: "FAIL" })], 5000)).toEqual({ kind: "failure", t: 1000 });
    expect(classifyAsOf([verdict({ revealOnTimeCheck: "FAIL" })], 5000)).toEqual({
      kind: "failure",
      t: 1000,
    });
  });

  test("a forged settlement signature counts only from the settlement's block on", () => {
    const vs = [
      verdict({ mode: "TEE", pcrValidCheck: "PASS", settlementT: 3000, settlementSignatureCheck: "FAIL" }),
    ];
    expect(classifyAsOf(vs, 2999)).toEqual({ kind: "success", t: 1000 });
    expect(classifyAsOf(vs, 3000)).toEqual({ kind: "failure", t: 1000 });
  });

  test("a PCR revocation is judged with today's knowledge: a failure even as of before the revocation", () => {
    const vs = [
      verdict({ mode: "TEE", pcrValidCheck: "FAIL", settlementT: 1100, settlementSignatureCheck: "PASS" }),
    ];
    expect(classifyAsOf(vs, 1000)).toEqual({ kind: "failure", t: 1000 });
  });

  test("TEE checks do not apply to VANILLA and ZKML inferences", () => {
    const vs = [
      verdict({ mode: "ZKML", pcrValidCheck: "FAIL", settlementT: 1100, settlementSignatureCheck: "FAIL" }),
    ];
    expect(classifyAsOf(vs, 5000)).toEqual({ kind: "success", t: 1000 });
  });
});

/** A pseudo-random history: verdict changes, late settlements, disputes and slashes over 60 days. */
function randomHistory(): SubjectEvent[] {
  let seed = 42;
  const rand = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const events: SubjectEvent[] = [];
  for (let i = 0; i < 400; i++) {
    const t = Math.floor(rand() * 60 * 86_400);
    const tee = rand() < 0.4;
    events.push(
      verdict({
        inferenceId: `i${i}`,
        t,
        block: t,
        outcome: rand() < 0.8 ? "VERIFIED" : rand() < 0.5 ? "FAILED" : "EXPIRED",
        mode: tee ? "TEE" : "VANILLA",
        revealedT: t - 100,
        commitmentCheck: rand() < 0.05 ? "FAIL" : "PASS",
        pcrValidCheck: tee ? (rand() < 0.1 ? "FAIL" : "PASS") : "NOT_APPLICABLE",
        settlementT: tee ? t + Math.floor(rand() * 5 * 86_400) : null,
        settlementSignatureCheck: tee ? (rand() < 0.3 ? "FAIL" : "PASS") : null,
      }),
    );
    if (rand() < 0.2) {
      const later = t + Math.floor(rand() * 3 * 86_400);
      events.push(verdict({ inferenceId: `i${i}`, t: later, block: later, outcome: "FAILED" }));
    }
    if (rand() < 0.05) events.push({ kind: "dispute_lost", t: t + 500 });
    if (rand() < 0.05) events.push({ kind: "slash", t: t + 600 });
  }
  return events;
}

describe("replay", () => {
  test("adds lost disputes and slashes at or before A and matches the library on the classified events", () => {
    const events: SubjectEvent[] = [
      verdict({ inferenceId: "a", t: 1000 }),
      verdict({ inferenceId: "b", t: 1500, outcome: "FAILED" }),
      { kind: "dispute_lost", t: 1600 },
      { kind: "slash", t: 1700 },
      { kind: "slash", t: 9000 },
    ];
    const A = 5000;
    expect(eventsAsOf(events, A)).toEqual([
      { kind: "success", t: 1000 },
      { kind: "failure", t: 1500 },
      { kind: "dispute_lost", t: 1600 },
      { kind: "slash", t: 1700 },
    ]);
    expect(replayAsOf(events, A, "node")).toEqual(reputationAsOf(eventsAsOf(events, A), A, "node"));
    expect(replayAsOf(events, A, "model").decayedSlashes).toBe(0);
  });

  test("the sweep over many times agrees with a replay at each time", () => {
    const events = randomHistory();
    const times = Array.from({ length: 70 }, (_, d) => d * 86_400 + 3_600);
    const series = replaySeries(events, times, "node");
    times.forEach((T, i) => {
      const replay = replayAsOf(events, T, "node");
      expect(series[i].score).toBe(replay.score);
      expect(series[i].effectiveSamples).toBeCloseTo(replay.effectiveSamples, 9);
      expect(series[i].lowerBound).toBeCloseTo(replay.lowerBound, 9);
      expect(series[i].decayedSlashes).toBeCloseTo(replay.decayedSlashes, 9);
    });
    // Times in any order come back in that order.
    const shuffled = [times[5], times[1], times[60]];
    expect(replaySeries(events, shuffled, "node").map((r) => r.score)).toEqual([
      series[5].score,
      series[1].score,
      series[60].score,
    ]);
  });

  test("the sums at many ascending times are, bit for bit, a replay's at each time", () => {
    const events = randomHistory();
    // Every day, and every time at which an inference's classification changes (verdicts, reveals,
    // settlements) or a dispute or slash counts, and one second before each.
    const at = new Set<number>(Array.from({ length: 70 }, (_, d) => d * 86_400 + 3_600));
    for (const e of events) {
      for (const t of [
        e.t,
        e.kind === "verdict" ? e.revealedT : null,
        e.kind === "verdict" ? e.settlementT : null,
      ]) {
        if (t !== null) at.add(t).add(t - 1);
      }
    }
    const times = [...at].sort((a, b) => a - b);
    for (const subject of ["node", "model"] as const) {
      const series = decayedSumsSeries(events, times, subject);
      expect(series.length).toBe(times.length);
      times.forEach((T, i) => {
        const replay = decayedSumsAsOf(eventsAsOf(events, T), T, subject);
        expect(series[i].s, `${subject} S at ${T}`).toBe(replay.s);
        expect(series[i].n, `${subject} N at ${T}`).toBe(replay.n);
        expect(series[i].d, `${subject} D at ${T}`).toBe(replay.d);
      });
    }
    expect(decayedSumsSeries(events, times, "node").some((x) => x.d > 0 && x.n > 0)).toBe(true);
  });
});
