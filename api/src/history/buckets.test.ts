import { describe, expect, test } from "vitest";
import { bucketRange, bucketStart, bucketStarts, denseBuckets, MAX_BUCKETS, rollUp } from "./buckets.ts";

const t = (iso: string) => Date.parse(iso) / 1000;

describe("buckets", () => {
  test("HOUR and DAY align to UTC; WEEK starts on Monday 00:00 UTC", () => {
    expect(bucketStart(t("2026-11-26T04:59:59Z"), "HOUR")).toBe(t("2026-11-26T04:00:00Z"));
    expect(bucketStart(t("2026-11-26T04:00:00Z"), "DAY")).toBe(t("2026-11-26T00:00:00Z"));
    // 2026-11-26 is a Thursday; its ISO week started on Monday 2026-11-23.
    expect(bucketStart(t("2026-11-26T04:00:00Z"), "WEEK")).toBe(t("2026-11-23T00:00:00Z"));
    expect(bucketStart(t("2026-11-23T00:00:00Z"), "WEEK")).toBe(t("2026-11-23T00:00:00Z"));
    expect(bucketStart(t("2026-11-22T23:59:59Z"), "WEEK")).toBe(t("2026-11-16T00:00:00Z"));
  });

  test("a range covers the buckets holding from and to", () => {
    const r = bucketRange("DAY", new Date("2026-11-20T12:00:00Z"), new Date("2026-11-22T01:00:00Z"), 0);
    expect(bucketStarts(r).map((s) => new Date(s * 1000).toISOString())).toEqual([
      "2026-11-20T00:00:00.000Z",
      "2026-11-21T00:00:00.000Z",
      "2026-11-22T00:00:00.000Z",
    ]);
  });

  test("to defaults to asOf; from after to and too many buckets are BAD_USER_INPUT", () => {
    const asOf = t("2026-11-26T04:00:00Z");
    expect(bucketRange("HOUR", undefined, undefined, asOf).last).toBe(asOf);
    expect(() => bucketRange("DAY", new Date("2026-12-01T00:00:00Z"), undefined, asOf)).toThrowError(
      'Got from="2026-12-01T00:00:00.000Z", expected a time at or before to="2026-11-26T04:00:00.000Z"',
    );
    expect(() => bucketRange("HOUR", new Date("2026-01-01T00:00:00Z"), undefined, asOf)).toThrowError(
      /HOUR buckets, expected at most 1000/,
    );
    const widest = bucketRange("HOUR", new Date((asOf - (MAX_BUCKETS - 1) * 3600) * 1000), undefined, asOf);
    expect(bucketStarts(widest)).toHaveLength(MAX_BUCKETS);
  });

  test("dense buckets fill gaps with zeros; without from they start at the first bucket with data", () => {
    const asOf = t("2026-11-26T04:00:00Z");
    const rows = new Map([[t("2026-11-24T00:00:00Z"), 5]]);
    const implicit = denseBuckets(bucketRange("DAY", undefined, undefined, asOf), rows, (s, r) => [
      s,
      r ?? 0,
    ]);
    expect(implicit).toEqual([
      [t("2026-11-24T00:00:00Z"), 5],
      [t("2026-11-25T00:00:00Z"), 0],
      [t("2026-11-26T00:00:00Z"), 0],
    ]);
    expect(denseBuckets(bucketRange("DAY", undefined, undefined, asOf), new Map(), (s) => s)).toEqual([]);
    const explicit = denseBuckets(
      bucketRange("DAY", new Date("2026-11-23T00:00:00Z"), undefined, asOf),
      rows,
      (_s, r) => r ?? 0,
    );
    expect(explicit).toEqual([0, 5, 0, 0]);
  });

  test("DAY rows roll up into ISO weeks", () => {
    const rows = [
      { start: t("2026-11-22T00:00:00Z"), n: 1 }, // Sunday: previous week
      { start: t("2026-11-23T00:00:00Z"), n: 2 },
      { start: t("2026-11-29T00:00:00Z"), n: 3 },
    ];
    const weeks = rollUp(rows, "WEEK", (a, b) => ({ start: a.start, n: a.n + b.n }));
    expect([...weeks.entries()]).toEqual([
      [t("2026-11-16T00:00:00Z"), { start: t("2026-11-16T00:00:00Z"), n: 1 }],
      [t("2026-11-23T00:00:00Z"), { start: t("2026-11-23T00:00:00Z"), n: 5 }],
    ]);
  });
});
