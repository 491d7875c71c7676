/**
 * uptime7d (spec/reputation.md): the share of the 336 half-hour windows
 * (T - 7d + 1800k, T - 7d + 1800(k+1)], k = 0..335, that hold at least one counting heartbeat (by block
 * timestamp). Windows are open on the left and closed on the right: a heartbeat at exactly T counts, one at
 * exactly T - 7d does not. Only counting heartbeats may be passed (a FAIL signature does not count; PASS and
 * UNKNOWN do; spec/README.md).
 *
 * The windows are aligned to T (asOf), not to the clock, so a per-node bitmap of clock-aligned half hours
 * cannot answer it. What the indexer can keep per node instead is the sorted list of its counting heartbeat
 * timestamps of the last 7 days (insertHeartbeat / removeHeartbeat / pruneHeartbeats below) and compute the
 * windows on demand with uptimeWindowCountSorted: O(log n + k) for the k heartbeats in (T - 7d, T].
 * Prune with the finalized block's timestamp (pruneHeartbeats(list, finalizedTime - 7d)): a reorg cannot move
 * the head below the finalized block, so the list still answers every asOf >= finalizedTime. Earlier asOf values
 * need the heartbeats from storage; in SQL the count is
 *   count(distinct ceil((ts - (T - 604800)) / 1800.0)) where ts > T - 604800 and ts <= T.
 */
import { UPTIME_PERIOD_SECONDS, UPTIME_WINDOW_SECONDS, UPTIME_WINDOWS } from "./constants.ts";

function assertFiniteTime(value: number, name: string): void {
  if (!Number.isFinite(value))
    throw new RangeError(`${name} must be a finite unix time in seconds, got ${value}`);
}

/** k (0..335) of the window of asOf that holds a heartbeat at t, or -1 when t is outside (asOf - 7d, asOf]. */
export function uptimeWindowIndex(t: number, asOf: number): number {
  const start = asOf - UPTIME_PERIOD_SECONDS;
  if (!(t > start && t <= asOf)) return -1;
  const k = Math.ceil((t - start) / UPTIME_WINDOW_SECONDS) - 1;
  return Math.min(Math.max(k, 0), UPTIME_WINDOWS - 1);
}

/** Number of windows (0..336) holding at least one of the heartbeats, in any order. O(n). */
export function uptimeWindowCount(heartbeats: readonly number[], asOf: number): number {
  assertFiniteTime(asOf, "asOf");
  const seen = new Uint8Array(UPTIME_WINDOWS);
  let count = 0;
  for (const t of heartbeats) {
    const k = uptimeWindowIndex(t, asOf);
    if (k >= 0 && seen[k] === 0) {
      seen[k] = 1;
      count++;
    }
  }
  return count;
}

/**
 * How many of asOf's 336 windows a node registered at `since` has existed in: the windows ending at or after it
 * (336 for a node at least 7 days old, 0 for one registered after asOf). A node younger than 7 days can fill
 * only these; the explorer shows its uptime over them, saying so (issue 11).
 */
export function uptimeWindowsSince(since: number, asOf: number): number {
  assertFiniteTime(since, "since");
  assertFiniteTime(asOf, "asOf");
  if (since > asOf) return 0;
  const x = (since - (asOf - UPTIME_PERIOD_SECONDS)) / UPTIME_WINDOW_SECONDS;
  return Math.min(UPTIME_WINDOWS, UPTIME_WINDOWS + 1 - Math.ceil(x));
}

/** uptime7d over heartbeat timestamps in any order. O(n). */
export function uptime7d(heartbeats: readonly number[], asOf: number): number {
  return uptimeWindowCount(heartbeats, asOf) / UPTIME_WINDOWS;
}

/** First index i with sorted[i] > t (sorted ascending), or sorted.length. */
function firstAfter(sorted: readonly number[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Number of windows holding a heartbeat, over timestamps sorted ascending (duplicates allowed):
 * O(log n + k), k = heartbeats in (asOf - 7d, asOf]. Throws a RangeError if the scanned part is not sorted.
 */
export function uptimeWindowCountSorted(sorted: readonly number[], asOf: number): number {
  assertFiniteTime(asOf, "asOf");
  let count = 0;
  let last = -1;
  let previous = Number.NEGATIVE_INFINITY;
  for (let i = firstAfter(sorted, asOf - UPTIME_PERIOD_SECONDS); i < sorted.length; i++) {
    const t = sorted[i];
    if (t < previous) throw new RangeError("heartbeat timestamps are not sorted ascending");
    previous = t;
    if (t > asOf) break;
    const k = uptimeWindowIndex(t, asOf);
    if (k !== last) {
      last = k;
      count++;
    }
  }
  return count;
}

/** uptime7d over timestamps sorted ascending. O(log n + k). */
export function uptime7dSorted(sorted: readonly number[], asOf: number): number {
  return uptimeWindowCountSorted(sorted, asOf) / UPTIME_WINDOWS;
}

/** Inserts t keeping `sorted` ascending (in place; O(1) amortised when heartbeats arrive in order). */
export function insertHeartbeat(sorted: number[], t: number): void {
  assertFiniteTime(t, "heartbeat time");
  if (sorted.length === 0 || sorted[sorted.length - 1] <= t) sorted.push(t);
  else sorted.splice(firstAfter(sorted, t), 0, t);
}

/** Removes one occurrence of t (reorg rollback); returns whether it was there. In place. */
export function removeHeartbeat(sorted: number[], t: number): boolean {
  const i = firstAfter(sorted, t) - 1;
  if (i < 0 || sorted[i] !== t) return false;
  sorted.splice(i, 1);
  return true;
}

/**
 * Drops the timestamps <= cutoff (in place) and returns how many were dropped. With
 * cutoff = finalizedTime - 7d, the list still answers every asOf >= finalizedTime.
 */
export function pruneHeartbeats(sorted: number[], cutoff: number): number {
  const dropped = firstAfter(sorted, cutoff);
  if (dropped > 0) sorted.splice(0, dropped);
  return dropped;
}
