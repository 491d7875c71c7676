import { FORMULA_VERSION, PROVISIONAL_BELOW, SLASH_BASE, Z } from "./constants.ts";

/** Decayed sums at one time T: s = S (successes), n = N (all samples), d = D (slashes). */
export interface DecayedSums {
  readonly s: number;
  readonly n: number;
  readonly d: number;
}

/** One reputation under rep-v1; field names as in the GraphQL type Reputation (asOf is the caller's). */
export interface Reputation {
  /** floor(1000 · lowerBound · slashFactor + 0.5), an integer 0..1000. */
  readonly score: number;
  readonly lowerBound: number;
  readonly upperBound: number;
  /** S / N; null when N = 0. */
  readonly successRate: number | null;
  /** N. */
  readonly effectiveSamples: number;
  /** D. */
  readonly decayedSlashes: number;
  /** 0.7 ^ D. */
  readonly slashFactor: number;
  /** N < 10. */
  readonly provisional: boolean;
  readonly formulaVersion: typeof FORMULA_VERSION;
}

export interface WilsonInterval {
  readonly lowerBound: number;
  readonly upperBound: number;
  /** p = S / N; null when N = 0. */
  readonly successRate: number | null;
}

const Z2 = Z * Z;

/**
 * Below this N the spec's expression is evaluated in an algebraically equal form multiplied through by N,
 * because z²/(4N²) overflows (N² underflows) for N below ~1e-154. Above it the spec's expression is used
 * verbatim, so results are bit-for-bit those of a literal implementation.
 */
const LITERAL_MIN_N = 1e-150;

function assertFinite(value: number, name: string): void {
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be a finite number, got ${value}`);
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

/**
 * Wilson score interval (z = 1.96) of S successes in N samples, both possibly fractional (decayed).
 *
 * Float care: N <= 0 (including tiny negative noise left by incremental removals) is the N = 0 case;
 * p is clamped to [0, 1] (S may exceed N, or fall below 0, by rounding), so p(1-p) is never negative;
 * bounds are clamped to [0, 1]. For N -> 0+ the interval tends to [0, 1] and stays finite for every N > 0,
 * subnormals included.
 */
export function wilsonInterval(successes: number, samples: number): WilsonInterval {
  assertFinite(successes, "S");
  assertFinite(samples, "N");
  if (!(samples > 0)) return { lowerBound: 0, upperBound: 1, successRate: null };
  const n = samples;
  const p = clamp01(successes / n);
  let lower: number;
  let upper: number;
  if (n >= LITERAL_MIN_N) {
    // The spec's expression, term for term.
    const centre = p + Z2 / (2 * n);
    const spread = Z * Math.sqrt(Math.max(0, (p * (1 - p)) / n + Z2 / (4 * n * n)));
    const denominator = 1 + Z2 / n;
    lower = (centre - spread) / denominator;
    upper = (centre + spread) / denominator;
  } else {
    // Numerator and denominator multiplied by N: (pN + z²/2 ± z·sqrt(p(1-p)N + z²/4)) / (N + z²).
    const centre = p * n + Z2 / 2;
    const spread = Z * Math.sqrt(Math.max(0, p * (1 - p) * n + Z2 / 4));
    const denominator = n + Z2;
    lower = (centre - spread) / denominator;
    upper = (centre + spread) / denominator;
  }
  return { lowerBound: clamp01(lower), upperBound: clamp01(upper), successRate: p };
}

/** 0.7 ^ D. D < 0 (rounding noise) counts as 0. */
export function slashFactor(decayedSlashes: number): number {
  assertFinite(decayedSlashes, "D");
  return SLASH_BASE ** Math.max(0, decayedSlashes);
}

/**
 * rep-v1 from the decayed sums at T. Inputs are clamped to the valid domain (N >= 0, 0 <= S <= N, D >= 0)
 * to absorb float noise from incremental updates; non-finite inputs throw a RangeError.
 */
export function reputationFromSums(sums: DecayedSums): Reputation {
  assertFinite(sums.s, "S");
  assertFinite(sums.n, "N");
  assertFinite(sums.d, "D");
  const n = Math.max(0, sums.n);
  const d = Math.max(0, sums.d);
  const interval = wilsonInterval(sums.s, n);
  const factor = slashFactor(d);
  return {
    score: Math.floor(1000 * interval.lowerBound * factor + 0.5),
    lowerBound: interval.lowerBound,
    upperBound: interval.upperBound,
    successRate: interval.successRate,
    effectiveSamples: n,
    decayedSlashes: d,
    slashFactor: factor,
    provisional: n < PROVISIONAL_BELOW,
    formulaVersion: FORMULA_VERSION,
  };
}
