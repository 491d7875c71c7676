import { describe, expect, it } from "vitest";
import { Z } from "./constants.ts";
import { reputationFromSums, slashFactor, wilsonInterval } from "./wilson.ts";

describe("wilsonInterval", () => {
  it("is [0, 1] with no success rate when N = 0", () => {
    expect(wilsonInterval(0, 0)).toEqual({ lowerBound: 0, upperBound: 1, successRate: null });
  });

  it("is symmetric: lower(S, N) = 1 - upper(N - S, N)", () => {
    for (const [s, n] of [
      [3, 3],
      [90, 100],
      [0.4, 1.7],
      [123.45, 200.5],
    ]) {
      const a = wilsonInterval(s, n);
      const b = wilsonInterval(n - s, n);
      expect(Math.abs(a.lowerBound - (1 - b.upperBound))).toBeLessThan(1e-12);
    }
  });

  it("gives 0 successes of N the interval [0, z²/(N + z²)]", () => {
    const n = 25;
    const w = wilsonInterval(0, n);
    expect(w.lowerBound).toBeLessThan(1e-15);
    expect(w.upperBound).toBeCloseTo((Z * Z) / (n + Z * Z), 14);
    expect(w.successRate).toBe(0);
  });

  it("ranks 3 of 3 below 970 of 1000 (sample size is part of trust)", () => {
    expect(wilsonInterval(3, 3).lowerBound).toBeLessThan(wilsonInterval(970, 1000).lowerBound);
  });

  it("stays finite and within [0, 1] for extremely small N > 0", () => {
    for (const n of [1e-12, 1e-100, 1e-149, 1e-151, 1e-200, 1e-310, Number.MIN_VALUE]) {
      for (const fraction of [0, 0.5, 1]) {
        const w = wilsonInterval(fraction * n, n);
        expect(Number.isFinite(w.lowerBound) && Number.isFinite(w.upperBound), `N=${n}`).toBe(true);
        expect(w.lowerBound).toBeGreaterThanOrEqual(0);
        expect(w.lowerBound).toBeLessThan(1e-10);
        expect(w.upperBound).toBeGreaterThan(1 - 1e-10);
        expect(w.upperBound).toBeLessThanOrEqual(1);
        // Normal N: S / N is exact enough; subnormal N has few significant bits left in S.
        if (n >= 1e-300) expect(w.successRate).toBeCloseTo(fraction, 12);
        else expect(w.successRate).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it("clamps float noise: S a hair above N or below 0", () => {
    const exact = wilsonInterval(40, 40);
    const above = wilsonInterval(40 * (1 + 4e-16), 40);
    expect(above.successRate).toBe(1);
    expect(above.lowerBound).toBe(exact.lowerBound);
    expect(wilsonInterval(-1e-17, 40).successRate).toBe(0);
    expect(wilsonInterval(0, -1e-18)).toEqual({ lowerBound: 0, upperBound: 1, successRate: null });
  });

  it("rejects non-finite inputs", () => {
    expect(() => wilsonInterval(Number.NaN, 1)).toThrow(RangeError);
    expect(() => wilsonInterval(1, Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe("slashFactor", () => {
  it("is 0.7^D", () => {
    expect(slashFactor(0)).toBe(1);
    expect(slashFactor(1)).toBe(0.7);
    expect(slashFactor(2)).toBeCloseTo(0.49, 15);
    expect(slashFactor(0.5)).toBeCloseTo(Math.sqrt(0.7), 15);
    expect(slashFactor(-1e-17)).toBe(1);
  });
});

describe("reputationFromSums", () => {
  it("rounds 1000 · lowerBound · slashFactor half up", () => {
    for (const [s, n, d] of [
      [50, 50, 1],
      [1, 1, 0],
      [10, 10, 0],
      [37.5, 41.25, 0.3],
      [700, 1000, 2],
    ]) {
      const r = reputationFromSums({ s, n, d });
      const exact = 1000 * r.lowerBound * r.slashFactor;
      expect(r.score).toBe(Math.floor(exact + 0.5));
      expect(Math.abs(r.score - exact)).toBeLessThanOrEqual(0.5);
    }
    expect(reputationFromSums({ s: 50, n: 50, d: 1 }).score).toBe(650);
  });

  it("reaches 1000 only with a long clean history (lowerBound >= 0.9995 needs N > ~7,700)", () => {
    expect(reputationFromSums({ s: 1e5, n: 1e5, d: 0 }).score).toBe(1000);
    expect(reputationFromSums({ s: 1000, n: 1000, d: 0 }).score).toBe(996);
    expect(reputationFromSums({ s: 7000, n: 7000, d: 0 }).score).toBe(999);
  });

  it("reports D and its factor even when N = 0, with score 0", () => {
    const r = reputationFromSums({ s: 0, n: 0, d: 1 });
    expect(r).toMatchObject({
      score: 0,
      successRate: null,
      decayedSlashes: 1,
      slashFactor: 0.7,
      provisional: true,
    });
  });

  it("is provisional exactly while N < 10", () => {
    expect(reputationFromSums({ s: 9.999999999999998, n: 9.999999999999998, d: 0 }).provisional).toBe(true);
    expect(reputationFromSums({ s: 10, n: 10, d: 0 }).provisional).toBe(false);
  });

  it("absorbs negative rounding noise and rejects non-finite sums", () => {
    const r = reputationFromSums({ s: -1e-18, n: -1e-18, d: -1e-18 });
    expect(r).toMatchObject({
      score: 0,
      effectiveSamples: 0,
      decayedSlashes: 0,
      slashFactor: 1,
      successRate: null,
    });
    expect(() => reputationFromSums({ s: 1, n: Number.NaN, d: 0 })).toThrow(RangeError);
  });
});
