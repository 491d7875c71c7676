/**
 * Parameters of reputation formula rep-v1 (spec/reputation.md). Changing any of them changes published
 * numbers, so it needs a new FORMULA_VERSION.
 */

/** Name of the formula, exported beside every number it produced. */
export const FORMULA_VERSION = "rep-v1";

/** Half-life H of every event's weight, in seconds (14 days): w = 2^(-(T - t) / H). */
export const HALF_LIFE_SECONDS = 1_209_600;

/** z of the Wilson score interval (95 %). */
export const Z = 1.96;

/** slashFactor = SLASH_BASE ^ D, with D the decayed number of slashes. */
export const SLASH_BASE = 0.7;

/** A reputation is provisional while its effective sample count N is below this. */
export const PROVISIONAL_BELOW = 10;

/** uptime7d looks at the UPTIME_WINDOWS half-hour windows of the 7 days before asOf. */
export const UPTIME_PERIOD_SECONDS = 604_800;
export const UPTIME_WINDOW_SECONDS = 1_800;
export const UPTIME_WINDOWS = 336;
