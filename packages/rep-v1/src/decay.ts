import { HALF_LIFE_SECONDS } from "./constants.ts";

/**
 * Weight at time `at` of one event at time `t` (unix seconds): 2^(-(at - t) / H).
 *
 * Written exactly as the spec writes it, so the replay path is bit-for-bit the reference computation.
 * Above 1 when t > at (used when a stored state is anchored before an event). Underflows to 0 once the
 * event is more than ~1074 half-lives (~41 years) older than `at`; overflows to Infinity once it is more
 * than ~1024 half-lives newer. Callers that can hit the latter check the result (see decayed-state.ts).
 */
export function decayFactor(t: number, at: number): number {
  return 2 ** (-(at - t) / HALF_LIFE_SECONDS);
}
