import { describe, expect, it } from "vitest";
import {
  decayedSumsAsOf,
  modelReputationAsOf,
  nodeReputationAsOf,
  reputationAsOf,
  reputationSeries,
} from "./as-of.ts";
import { HALF_LIFE_SECONDS } from "./constants.ts";
import type { ReputationEvent } from "./events.ts";
import { expectReputation, rng } from "./test-support.ts";

const T = 1_764_000_000;
const DAY = 86_400;

describe("decayedSumsAsOf", () => {
  it("counts events at t <= asOf with weight 2^(-(asOf - t)/H) and nothing later", () => {
    const events: ReputationEvent[] = [
      { kind: "success", t: T, count: 3 },
      { kind: "success", t: T - HALF_LIFE_SECONDS, count: 4 },
      { kind: "failure", t: T - 2 * HALF_LIFE_SECONDS, count: 4 },
      { kind: "dispute_lost", t: T - HALF_LIFE_SECONDS },
      { kind: "slash", t: T - HALF_LIFE_SECONDS, count: 2 },
      { kind: "failure", t: T + 1, count: 100 },
      { kind: "slash", t: T + 1 },
    ];
    expect(decayedSumsAsOf(events, T)).toEqual({ s: 3 + 2, n: 3 + 2 + 1 + 1, d: 1 });
    expect(decayedSumsAsOf(events, T, "model")).toEqual({ s: 5, n: 7, d: 0 });
    expect(decayedSumsAsOf(events, T - HALF_LIFE_SECONDS)).toEqual({ s: 4, n: 4 + 2 + 2, d: 2 });
    expect(decayedSumsAsOf([], T)).toEqual({ s: 0, n: 0, d: 0 });
  });

  it("rejects malformed events and asOf, even after asOf", () => {
    expect(() => decayedSumsAsOf([{ kind: "win" as "success", t: T }], T)).toThrow(RangeError);
    expect(() => decayedSumsAsOf([{ kind: "success", t: T + 5, count: -1 }], T)).toThrow(RangeError);
    expect(() => decayedSumsAsOf([], Number.NaN)).toThrow(RangeError);
  });
});

describe("node and model reputation", () => {
  const events: ReputationEvent[] = [
    { kind: "success", t: T - DAY, count: 60 },
    { kind: "failure", t: T - 2 * DAY, count: 3 },
    { kind: "slash", t: T - 3 * DAY, count: 1 },
  ];

  it("a node's score carries the slash factor", () => {
    const node = nodeReputationAsOf(events, T);
    expect(node).toEqual(reputationAsOf(events, T, "node"));
    expect(node.slashFactor).toBeCloseTo(0.7 ** (2 ** (-3 / 14)), 14);
    expect(node.score).toBe(Math.floor(1000 * node.lowerBound * node.slashFactor + 0.5));
  });

  it("a model's ignores slashes but nothing else", () => {
    const node = nodeReputationAsOf(events, T);
    const model = modelReputationAsOf(events, T);
    expect(model).toEqual(reputationAsOf(events, T, "model"));
    expect(model).toMatchObject({ decayedSlashes: 0, slashFactor: 1 });
    expect(model.lowerBound).toBe(node.lowerBound);
    expect(model.effectiveSamples).toBe(node.effectiveSamples);
    expect(model.score).toBeGreaterThan(node.score);
  });
});

describe("reputationSeries", () => {
  it("equals one replay per time, in the order the times were given", () => {
    const random = rng(42);
    const kinds = ["success", "success", "failure", "dispute_lost", "slash"] as const;
    const events: ReputationEvent[] = Array.from({ length: 300 }, () => ({
      kind: kinds[Math.floor(random() * kinds.length)],
      t: T - Math.floor(random() * 90 * DAY),
      count: 1 + Math.floor(random() * 2),
    }));
    const times = [T, T - 100 * DAY, T - 45 * DAY, T - 89 * DAY, T - DAY + 0.5, T + 30 * DAY, -5];
    for (const subject of ["node", "model"] as const) {
      const series = reputationSeries(events, times, subject);
      expect(series.length).toBe(times.length);
      times.forEach((time, i) => {
        expectReputation(series[i], reputationAsOf(events, time, subject), 1e-12, `${subject} @${time}`);
      });
      expect(series[1]).toMatchObject({ score: 0, successRate: null });
      expect(series[0].effectiveSamples).toBeGreaterThan(series[3].effectiveSamples);
    }
  });
});
