import { describe, expect, test } from "vitest";
import { arrayLineWriter, COLUMNS, type Column, csvLine, ndjsonLine, type Row } from "./format.ts";

// The array writers (rows as pg's arrays, or history.ts's) against csvLine / ndjsonLine over the same rows as
// objects: the same text, row after row, whatever repeats from one row to the next.

const columns: Column[] = [
  { name: "id", kind: "hex" },
  { name: "name", kind: "text" },
  { name: "status", kind: "enum" },
  { name: "at", kind: "time" },
  { name: "n", kind: "int" },
  { name: "x", kind: "float" },
  { name: "ok", kind: "bool" },
  { name: "wei", kind: "wei" },
  { name: "version", kind: "const" },
];
const fields = ["x", "id", "name", "status", "at", "n", "ok", "wei", "version"]; // not the columns' order

const ids = ["0xAB", "0xab", "0xcd"];
const names = ["plain", "=SUM(A1)", 'say "hi", then\r\nleave', "", "-1", "+x", "@y", "naïve"];
const statuses = ["VERIFIED", "FAILED"];
const times = ["2026-11-26T00:50:00.000Z", "2026-11-26T00:50:01.000Z", new Date(0), "2026-11-26 00:50:00+00"];

function rows(count: number): Row[] {
  const out: Row[] = [];
  // mulberry32, a fixed seed: a failure names the same rows every run.
  let seed = 7;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  // The first value half the time: runs of the same value, broken by the others.
  const pick = <T>(list: readonly T[]) =>
    random() < 0.5 ? list[0] : list[Math.floor(random() * list.length)];
  for (let i = 0; i < count; i++) {
    out.push({
      id: pick(ids),
      name: pick(names),
      status: pick(statuses),
      at: pick(times),
      n: pick([0, 1, 42, null]),
      x: pick([0.1, 1 / 3, Number.NaN, null, 5]),
      ok: pick([true, false, null]),
      wei: pick(["0", "126000000000000000000", null]),
      version: "rep-v1",
    });
  }
  return out;
}

describe("arrayLineWriter", () => {
  test.each(["csv", "ndjson"] as const)(
    "%s: the lines csvLine / ndjsonLine give for the same rows",
    (format) => {
      const write = arrayLineWriter(format, columns, fields);
      const line = format === "csv" ? csvLine : ndjsonLine;
      const sample = rows(2_000);
      const fromArrays = sample.map((row) => write(fields.map((f) => row[f])));
      expect(fromArrays).toEqual(sample.map((row) => line(columns, row)));
      // Repeats and changes both occurred, and a cell that needs quoting or a guard was written.
      expect(new Set(fromArrays).size).toBeGreaterThan(50);
      const sameName = sample.filter((row, i) => i > 0 && row.name === sample[i - 1].name).length;
      expect(sameName).toBeGreaterThan(200);
      expect(sameName).toBeLessThan(1_800);
      if (format === "csv") {
        expect(fromArrays.some((l) => l.includes(`"say ""hi"", then\r\nleave"`))).toBe(true);
        expect(fromArrays.some((l) => l.includes(",'=SUM(A1),"))).toBe(true);
      }
    },
  );

  test("the history export's columns: a node's repeated id and constants", () => {
    const cols = COLUMNS["reputation-history"];
    const names = cols.map((c) => c.name);
    const write = arrayLineWriter("csv", cols, names);
    const row = (node: string, end: string, score: number): Row =>
      Object.fromEntries(
        names.map((n) => [
          n,
          n === "node"
            ? node
            : n === "bucket_end"
              ? end
              : n === "score"
                ? score
                : n === "formula_version"
                  ? "rep-v1"
                  : null,
        ]),
      );
    const sample = [
      row("0xAA", "2026-11-26T00:00:00.000Z", 1),
      row("0xAA", "2026-11-27T00:00:00.000Z", 2),
      row("0xbb", "2026-11-26T00:00:00.000Z", 3),
    ];
    expect(sample.map((r) => write(names.map((n) => r[n])))).toEqual(sample.map((r) => csvLine(cols, r)));
  });
});
