import { describe, expect, it } from "vitest";
import { HALF_LIFE_SECONDS } from "./constants.ts";
import { decayFactor } from "./decay.ts";

const T = 1_764_000_000;

describe("decayFactor", () => {
  it("is 1 for an event at T and halves every half-life", () => {
    expect(decayFactor(T, T)).toBe(1);
    expect(decayFactor(T - HALF_LIFE_SECONDS, T)).toBe(0.5);
    expect(decayFactor(T - 2 * HALF_LIFE_SECONDS, T)).toBe(0.25);
    expect(decayFactor(T + HALF_LIFE_SECONDS, T)).toBe(2);
  });

  it("follows 2^(-age/H) between half-lives", () => {
    expect(decayFactor(T - 86_400, T)).toBeCloseTo(2 ** (-1 / 14), 15);
    expect(decayFactor(T - 3 * 86_400, T)).toBeCloseTo(0.8619728212469777, 15);
    expect(decayFactor(T - 1, T)).toBeLessThan(1);
  });

  it("underflows to 0 for absurd ages instead of producing NaN", () => {
    expect(decayFactor(0, 2000 * HALF_LIFE_SECONDS)).toBe(0);
    expect(decayFactor(2000 * HALF_LIFE_SECONDS, 0)).toBe(Number.POSITIVE_INFINITY);
  });
});
