import { HALF_LIFE_SECONDS, PROVISIONAL_BELOW, SLASH_BASE, Z } from "@attestation-explorer/rep-v1";

// rep-v1's score (spec/reputation.md) as SQL over a row's decayed state (ref_time, s, n, d), evaluated at T, so a
// leaderboard can order and filter 10,000 nodes in one statement. The row state is moved from ref_time to T
// (one factor 2^(-(T - ref_time)/H)) and fed to the Wilson lower bound, as packages/rep-v1/src/wilson.ts does.
//
// Postgres raises an error where IEEE arithmetic would underflow (pow, products rounding to 0), so two guards
// keep every intermediate value a normal double. Both only cut branches whose score is 0 (or a factor of 1)
// anyway: a row more than 100 half-lives (~4 years) old weighs at most 2^-100 per event, and N < 1e-6 gives a
// lower bound below N / z² < 3e-7. The slash factor 0.7^D is taken as 0 past D = 1900 (0.7^1900 < 1e-294).

export interface RepColumns {
  refTime: string;
  s: string;
  n: string;
  /** Omit for models (D = 0). */
  d?: string;
}

const Z2 = Z * Z;

/**
 * A FROM-clause fragment (`CROSS JOIN LATERAL (...) alias`) adding `alias.score` (int) and `alias.samples`
 * (effective samples N, float8) for the row's state at T (`t` is an SQL expression of unix seconds).
 */
export function scoreLateral(columns: RepColumns, t: string, alias: string): string {
  const d = columns.d ? `${columns.d}::float8` : "0::float8";
  const factor = `CASE WHEN (${t}) - ${columns.refTime} > ${100 * HALF_LIFE_SECONDS} THEN 0::float8
                  ELSE power(2::float8, -((${t}) - ${columns.refTime})::float8 / ${HALF_LIFE_SECONDS}) END`;
  return `CROSS JOIN LATERAL (
    SELECT CASE WHEN w.nn < 1e-6 THEN 0
                ELSE floor(1000 * greatest(0::float8, least(1::float8,
                       (w.p + ${Z2} / (2 * w.nn) - ${Z} * sqrt(greatest(0::float8, w.p * (1 - w.p) / w.nn + ${Z2} / (4 * w.nn * w.nn))))
                       / (1 + ${Z2} / w.nn)))
                     * CASE WHEN w.dd > 1900 THEN 0::float8 WHEN w.dd <= 0 THEN 1::float8 ELSE power(${SLASH_BASE}::float8, w.dd) END
                     + 0.5)::int
           END AS score,
           w.nn AS samples,
           w.nn < ${PROVISIONAL_BELOW} AS provisional
      FROM (SELECT v.nn, v.dd, CASE WHEN v.nn > 0 THEN least(1::float8, greatest(0::float8, v.ss / v.nn)) ELSE 0::float8 END AS p
              FROM (SELECT ${columns.s}::float8 * f.f AS ss, ${columns.n}::float8 * f.f AS nn, ${d} * f.f AS dd
                      FROM (SELECT ${factor} AS f) f) v) w
  ) ${alias}`;
}
