import { describe, expect, it } from "vitest";
import { UPTIME_PERIOD_SECONDS, UPTIME_WINDOW_SECONDS, UPTIME_WINDOWS } from "./constants.ts";
import { rng } from "./test-support.ts";
import {
  insertHeartbeat,
  pruneHeartbeats,
  removeHeartbeat,
  uptime7d,
  uptime7dSorted,
  uptimeWindowCount,
  uptimeWindowCountSorted,
  uptimeWindowIndex,
  uptimeWindowsSince,
} from "./uptime.ts";

const T = 1_764_000_000;
const START = T - UPTIME_PERIOD_SECONDS;

/** Both implementations, which must agree. */
function both(heartbeats: number[], asOf = T): number {
  const unsorted = uptime7d(heartbeats, asOf);
  const sorted = uptime7dSorted(
    [...heartbeats].sort((a, b) => a - b),
    asOf,
  );
  expect(sorted).toBe(unsorted);
  return unsorted;
}

describe("uptime7d", () => {
  it("counts a heartbeat at exactly T", () => {
    expect(both([T])).toBe(1 / 336);
    expect(uptimeWindowIndex(T, T)).toBe(UPTIME_WINDOWS - 1);
  });

  it("does not count a heartbeat at exactly T - 7d, but one a second later", () => {
    expect(both([START])).toBe(0);
    expect(uptimeWindowIndex(START, T)).toBe(-1);
    expect(both([START + 1])).toBe(1 / 336);
    expect(uptimeWindowIndex(START + 1, T)).toBe(0);
  });

  it("ignores heartbeats after T", () => {
    expect(both([T + 1, T + 1800])).toBe(0);
  });

  it("counts several heartbeats in one window once", () => {
    expect(both([START + 1, START + 900, START + 1800])).toBe(1 / 336);
    expect(both([START + 1800, START + 1801])).toBe(2 / 336); // right edge of window 0, then window 1
    expect(uptimeWindowCount([T - 1, T - 2, T - 3], T)).toBe(1);
  });

  it("is 1 with one heartbeat per window", () => {
    const everyWindow = Array.from(
      { length: UPTIME_WINDOWS },
      (_, k) => START + UPTIME_WINDOW_SECONDS * (k + 1),
    );
    expect(both(everyWindow)).toBe(1);
    // Half a window later each heartbeat sits mid-window, still one per window.
    expect(both(everyWindow, T + 900)).toBe(1);
    // A whole window later the first heartbeat (now exactly at T - 7d) has left the period.
    expect(both(everyWindow, T + UPTIME_WINDOW_SECONDS)).toBe(335 / 336);
  });

  it("aligns the windows to asOf, not to the clock", () => {
    const pair = [START + 1800 * 10 + 100, START + 1800 * 10 + 1700];
    expect(both(pair)).toBe(1 / 336);
    expect(both(pair, T + 900)).toBe(2 / 336); // a window boundary now falls between the two
  });

  it("agrees between the unsorted O(n) and sorted O(log n + k) versions on random data", () => {
    const random = rng(99);
    for (let round = 0; round < 20; round++) {
      const beats = Array.from({ length: 1 + Math.floor(random() * 400) }, () =>
        Math.floor(T - 9 * 86_400 + random() * 10 * 86_400),
      );
      const asOf = T - Math.floor(random() * 86_400);
      const count = uptimeWindowCount(beats, asOf);
      expect(
        uptimeWindowCountSorted(
          [...beats].sort((a, b) => a - b),
          asOf,
        ),
      ).toBe(count);
      expect(count).toBeGreaterThan(0);
      expect(count).toBeLessThanOrEqual(UPTIME_WINDOWS);
    }
  });

  it("the sorted version refuses unsorted input", () => {
    expect(() => uptimeWindowCountSorted([T - 10, T - 20], T)).toThrow(RangeError);
    expect(() => uptime7d([T], Number.NaN)).toThrow(RangeError);
  });
});

describe("per-node heartbeat list", () => {
  it("stays sorted under inserts in any order, removes one occurrence, and prunes up to a cutoff", () => {
    const list: number[] = [];
    for (const t of [T - 100, T - 50, T - 75, T - 50, T - 7200, T]) insertHeartbeat(list, t);
    expect(list).toEqual([T - 7200, T - 100, T - 75, T - 50, T - 50, T]);
    expect(removeHeartbeat(list, T - 50)).toBe(true);
    expect(removeHeartbeat(list, T - 51)).toBe(false);
    expect(list).toEqual([T - 7200, T - 100, T - 75, T - 50, T]);
    expect(uptime7dSorted(list, T)).toBe(2 / 336);
    expect(pruneHeartbeats(list, T - 100)).toBe(2);
    expect(list).toEqual([T - 75, T - 50, T]);
    expect(pruneHeartbeats(list, T - 1000)).toBe(0);
  });

  it("pruned at finalizedTime - 7d still answers every asOf >= finalizedTime", () => {
    const random = rng(5);
    const all = Array.from({ length: 500 }, () => Math.floor(T - 20 * 86_400 + random() * 20 * 86_400)).sort(
      (a, b) => a - b,
    );
    const finalizedTime = T - 3 * 86_400;
    const pruned = [...all];
    expect(pruneHeartbeats(pruned, finalizedTime - UPTIME_PERIOD_SECONDS)).toBeGreaterThan(0);
    for (const asOf of [finalizedTime, finalizedTime + 1, T - 4321, T]) {
      expect(uptime7dSorted(pruned, asOf)).toBe(uptime7dSorted(all, asOf));
    }
  });
});

describe("uptimeWindowsSince", () => {
  it("counts the windows ending at or after the registration, 336 at most", () => {
    expect(uptimeWindowsSince(START - 1, T)).toBe(UPTIME_WINDOWS);
    expect(uptimeWindowsSince(START, T)).toBe(UPTIME_WINDOWS);
    // The first window is (START, START + 1800]: a registration inside it or at its end still has all 336.
    expect(uptimeWindowsSince(START + 1, T)).toBe(UPTIME_WINDOWS);
    expect(uptimeWindowsSince(START + UPTIME_WINDOW_SECONDS, T)).toBe(UPTIME_WINDOWS);
    expect(uptimeWindowsSince(START + UPTIME_WINDOW_SECONDS + 1, T)).toBe(UPTIME_WINDOWS - 1);
    // Registered in the last half hour: one window; at exactly T (a heartbeat in that block counts): one.
    expect(uptimeWindowsSince(T - 10, T)).toBe(1);
    expect(uptimeWindowsSince(T, T)).toBe(1);
    expect(uptimeWindowsSince(T + 1, T)).toBe(0);
  });

  it("a node heartbeating in every window since its registration has full uptime over its life", () => {
    const since = T - 3 * 86_400 + 7;
    const beats: number[] = [];
    for (let t = since; t <= T; t += UPTIME_WINDOW_SECONDS / 2) beats.push(t);
    expect(uptimeWindowCount(beats, T)).toBe(uptimeWindowsSince(since, T));
  });
});
