import { badInput, shown } from "../graphql/errors.ts";

// Time buckets of history(interval, from, to). HOUR and DAY are the indexer's own buckets (UTC-aligned); WEEK
// sums DAY buckets by ISO week, which starts on Monday 00:00 UTC; MINUTE is counted from the rows themselves
// (minute-sql.ts), for a network too young for hours to show a trend. Lists are dense (empty buckets are zeros)
// and bounded: at most MAX_BUCKETS.

export type Interval = "MINUTE" | "HOUR" | "DAY" | "WEEK";

export const INTERVAL_SECONDS: Record<Interval, number> = {
  MINUTE: 60,
  HOUR: 3_600,
  DAY: 86_400,
  WEEK: 604_800,
};
export const MAX_BUCKETS = 1000;

/** 1970-01-05T00:00:00Z, the first Monday of the epoch. */
const FIRST_MONDAY = 345_600;

/** Start (unix seconds) of the bucket holding t. */
export function bucketStart(t: number, interval: Interval): number {
  const size = INTERVAL_SECONDS[interval];
  const origin = interval === "WEEK" ? FIRST_MONDAY : 0;
  return Math.floor((t - origin) / size) * size + origin;
}

export interface BucketRange {
  /** Start of the first bucket, unix seconds. */
  first: number;
  /** Start of the last bucket. */
  last: number;
  interval: Interval;
  /** Whether `from` was given (else leading empty buckets are dropped, see trimLeading). */
  explicitFrom: boolean;
}

/**
 * The buckets for from/to (Dates or undefined): to defaults to asOf (the latest block time); from defaults to
 * MAX_BUCKETS buckets before to (and leading empty buckets are then dropped by the caller). Throws
 * BAD_USER_INPUT for from > to or more than MAX_BUCKETS buckets.
 */
export function bucketRange(
  interval: Interval,
  from: Date | undefined,
  to: Date | undefined,
  asOf: number,
): BucketRange {
  const size = INTERVAL_SECONDS[interval];
  const toT = to ? to.getTime() / 1000 : asOf;
  const last = bucketStart(toT, interval);
  if (from && from.getTime() / 1000 > toT) {
    throw badInput(`Got from=${shown(from)}, expected a time at or before to=${shown(new Date(toT * 1000))}`);
  }
  if (!from) return { first: last - (MAX_BUCKETS - 1) * size, last, interval, explicitFrom: false };
  const first = bucketStart(from.getTime() / 1000, interval);
  const count = (last - first) / size + 1;
  if (count > MAX_BUCKETS) {
    throw badInput(
      `Got from=${shown(from)} and to=${shown(new Date(toT * 1000))}: ${count} ${interval} buckets, expected at most ${MAX_BUCKETS} (narrow the range or use a longer interval)`,
    );
  }
  return { first, last, interval, explicitFrom: true };
}

/** Every bucket start of the range, oldest first. */
export function bucketStarts(range: BucketRange): number[] {
  const size = INTERVAL_SECONDS[range.interval];
  const out: number[] = [];
  for (let s = range.first; s <= range.last; s += size) out.push(s);
  return out;
}

/**
 * Dense buckets: `make(start, row)` for every start of the range, with the row found for it (or undefined).
 * Without an explicit from, buckets before the first one with data are left out (none at all: empty list).
 */
export function denseBuckets<Row, Out>(
  range: BucketRange,
  rows: Map<number, Row>,
  make: (start: number, row: Row | undefined) => Out,
): Out[] {
  let starts = bucketStarts(range);
  if (!range.explicitFrom) {
    const firstWithData = starts.findIndex((s) => rows.has(s));
    starts = firstWithData < 0 ? [] : starts.slice(firstWithData);
  }
  return starts.map((s) => make(s, rows.get(s)));
}

/** Sums numeric fields of rows into buckets of `interval` (e.g. DAY rows into WEEKs); BigInt fields as strings. */
export function rollUp<Row extends { start: number }>(
  rows: readonly Row[],
  interval: Interval,
  add: (into: Row, row: Row) => Row,
): Map<number, Row> {
  const out = new Map<number, Row>();
  for (const row of rows) {
    const start = bucketStart(row.start, interval);
    const existing = out.get(start);
    out.set(start, existing ? add(existing, row) : { ...row, start });
  }
  return out;
}

/** Sum of two base-10 integer strings. */
export const addBig = (a: string, b: string): string => (BigInt(a) + BigInt(b)).toString();
