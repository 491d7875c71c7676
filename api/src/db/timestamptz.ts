import pg from "pg";

// How the API's sessions turn `timestamptz` text into a Date. pg's own parser (postgres-date) runs three regular
// expressions per value: 0.6-0.7 µs, against 0.2 µs here (BENCHMARKS, "where a computed answer's CPU goes"; a
// page of 50 inferences holds 200 of them). Every API session runs with TimeZone=UTC (database.ts), so Postgres
// sends whole-second times as `YYYY-MM-DD HH:MM:SS+00`; those are read here digit by digit into the same Date.
// Anything else (fractions of a second, another offset, BC, infinity) goes to pg's parser as before.

const defaultTimestamptz = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ, "text");

const ZERO = 48;
/** The digits at [from, from + count) of `text` as a number, or -1 if one of them is not a digit. */
function digits(text: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const d = text.charCodeAt(i) - ZERO;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** Epoch milliseconds of a whole-second UTC `timestamptz` text (`YYYY-MM-DD HH:MM:SS+00`), else undefined. */
function wholeSecondUtcMillis(text: string): number | undefined {
  // A four-digit year: no two-digit-year or BC adjustment applies.
  if (
    text.length === 22 &&
    text.charCodeAt(4) === 45 && // -
    text.charCodeAt(7) === 45 &&
    text.charCodeAt(10) === 32 && // space
    text.charCodeAt(13) === 58 && // :
    text.charCodeAt(16) === 58 &&
    text.charCodeAt(19) === 43 && // +
    text.charCodeAt(20) === ZERO &&
    text.charCodeAt(21) === ZERO
  ) {
    const year = digits(text, 0, 4);
    const month = digits(text, 5, 2);
    const day = digits(text, 8, 2);
    const hour = digits(text, 11, 2);
    const minute = digits(text, 14, 2);
    const second = digits(text, 17, 2);
    if (year >= 1000 && month >= 0 && day >= 0 && hour >= 0 && minute >= 0 && second >= 0)
      return Date.UTC(year, month - 1, day, hour, minute, second);
  }
  return undefined;
}

/** The Date of a `timestamptz` in Postgres's text output, equal to what pg's default parser returns. */
export function parseTimestamptz(text: string): Date | number | null {
  const ms = wholeSecondUtcMillis(text);
  if (ms !== undefined) return new Date(ms);
  return defaultTimestamptz(text) as Date | number | null;
}

/**
 * A `timestamptz` as epoch milliseconds (what a Parquet TIMESTAMP_MILLIS holds): parseTimestamptz's Date's
 * getTime(), without the Date for whole seconds in UTC; pg's other answers (±Infinity, null) as they are.
 */
export function timestamptzMillis(text: string): number | null {
  const ms = wholeSecondUtcMillis(text);
  if (ms !== undefined) return ms;
  const value = defaultTimestamptz(text) as Date | number | null;
  return value instanceof Date ? value.getTime() : value;
}

/** pg's type parsers, with parseTimestamptz for `timestamptz` in text format. */
export const apiTypeParsers = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === pg.types.builtins.TIMESTAMPTZ && format !== "binary") return parseTimestamptz;
    return pg.types.getTypeParser(oid, format ?? "text");
  },
} as pg.CustomTypesConfig;
