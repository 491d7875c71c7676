import pg from "pg";
import { expect, test } from "vitest";
import { parseTimestamptz, timestamptzMillis } from "./timestamptz.ts";

const pgParse = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ, "text");
const same = (text: string) => {
  const ours = parseTimestamptz(text);
  const theirs = pgParse(text) as Date | number | null;
  const value = (v: Date | number | null) => (v instanceof Date ? `date ${v.getTime()}` : String(v));
  expect(value(ours), text).toBe(value(theirs));
  // The milliseconds the Parquet exports write: the same instant.
  expect(String(timestamptzMillis(text)), text).toBe(
    String(theirs instanceof Date ? theirs.getTime() : theirs),
  );
  return ours;
};

test("whole seconds in UTC, as Postgres prints them, give pg's Date", () => {
  expect((same("2026-11-26 00:50:00+00") as Date).toISOString()).toBe("2026-11-26T00:50:00.000Z");
  expect((same("1970-01-01 00:00:00+00") as Date).getTime()).toBe(0);
  for (const text of ["1000-01-01 00:00:00+00", "9999-12-31 23:59:59+00", "2024-02-29 12:34:56+00"])
    same(text);
  // A spread of times from year 1000 to 9999 (a fixed LCG, so a failure names its input).
  let x = 12345;
  for (let i = 0; i < 5000; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const ms = -30_000_000_000_000 + Math.floor((x / 2 ** 31) * 283_000_000_000_000);
    const iso = new Date(Math.floor(ms / 1000) * 1000).toISOString();
    same(`${iso.slice(0, 10)} ${iso.slice(11, 19)}+00`);
  }
});

test("everything else is pg's own parse: fractions, other offsets, BC, infinity, odd text", () => {
  for (const text of [
    "2026-11-26 00:50:00.123456+00",
    "2026-11-26 00:50:00.5+00",
    "2026-11-26 00:50:00+05:30",
    "2026-11-26 00:50:00-08",
    "2026-11-26 00:50:00+01",
    "0099-01-01 00:00:00+00",
    "0044-03-15 12:00:00+00 BC",
    "10000-01-01 00:00:00+00",
    "infinity",
    "-infinity",
    "2026-1x-26 00:50:00+00",
    "2026-11-26T00:50:00+00",
  ])
    same(text);
});
