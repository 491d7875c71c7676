import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from "graphql";
import { gotExpected, shown } from "./errors.ts";

// Scalars of the contract (api.graphql "Conventions").
//
// Bytes inputs are only required to be strings here: their hex form and length depend on the argument (a node id
// is 32 bytes, an owner 20), so each resolver checks them with parseBytes, and the error names the argument:
// "Got node=\"0x12\", expected 32 bytes of hex". That works the same for literals and variables.

const HEX = /^0x(?:[0-9a-fA-F]{2})*$/;

export const BytesScalar = new GraphQLScalarType<string, string>({
  name: "Bytes",
  description: "0x-prefixed hex, lowercase in answers; any case accepted in arguments.",
  serialize(value) {
    if (typeof value !== "string" || !HEX.test(value)) {
      throw new TypeError(`Bytes cannot represent ${shown(value)}`);
    }
    return value.toLowerCase();
  },
  parseValue(value) {
    if (typeof value !== "string")
      throw new GraphQLError(`Expected a 0x-prefixed hex string, got ${shown(value)}`);
    return value;
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) {
      throw new GraphQLError(`Expected a 0x-prefixed hex string, got ${literal(ast)}`);
    }
    return ast.value;
  },
});

/**
 * Checks and normalises a Bytes argument: 0x, then exactly `bytes` bytes of hex (any case); returns it lowercase.
 * Throws BAD_USER_INPUT naming the argument otherwise.
 */
export function parseBytes(name: string, value: string, bytes: number): string {
  if (typeof value !== "string" || !HEX.test(value) || value.length !== 2 + 2 * bytes) {
    throw gotExpected(name, value, `${bytes} bytes of hex (0x followed by ${2 * bytes} hex digits)`);
  }
  return value.toLowerCase();
}

/** parseBytes for an optional argument. */
export function parseOptionalBytes(
  name: string,
  value: string | null | undefined,
  bytes: number,
): string | undefined {
  return value === null || value === undefined ? undefined : parseBytes(name, value, bytes);
}

const DIGITS = /^(?:0|[1-9][0-9]*)$/;

export const BigIntScalar = new GraphQLScalarType<string, string>({
  name: "BigInt",
  description: "An unsigned integer as a base-10 string (wei for amounts).",
  serialize(value) {
    if (typeof value === "bigint") return value.toString(10);
    if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
    if (typeof value === "string" && /^-?(?:0|[1-9][0-9]*)$/.test(value)) return value;
    throw new TypeError(`BigInt cannot represent ${shown(value)}`);
  },
  parseValue(value) {
    if (typeof value === "string" && DIGITS.test(value)) return value;
    if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return String(value);
    throw new GraphQLError(`Expected a base-10 integer string such as "1000", got ${shown(value)}`);
  },
  parseLiteral(ast) {
    if ((ast.kind === Kind.STRING || ast.kind === Kind.INT) && DIGITS.test(ast.value)) return ast.value;
    throw new GraphQLError(`Expected a base-10 integer string such as "1000", got ${literal(ast)}`);
  },
});

// ISO-8601 with a date, and optionally a time with an explicit zone (Z or ±hh:mm): no local-time ambiguity.
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;
const DATE_TIME_EXPECTED = "an ISO-8601 date-time such as 2026-11-26T04:00:00.000Z";

/** Parses an ISO-8601 string into a Date, or undefined when it is not one (or not a real date). */
export function parseIsoDateTime(value: string): Date | undefined {
  if (!ISO_DATE_TIME.test(value)) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return undefined;
  // new Date() rolls 2026-02-30 over to March: reject dates that do not exist.
  const [y, m, d] = value.slice(0, 10).split("-").map(Number);
  if (!/[+-]\d{2}:\d{2}$/.test(value)) {
    if (date.getUTCFullYear() !== y || date.getUTCMonth() + 1 !== m || date.getUTCDate() !== d)
      return undefined;
  }
  return date;
}

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: "DateTime",
  description: "ISO-8601 UTC date-time, e.g. 2026-11-26T04:00:00.000Z.",
  serialize(value) {
    const date = value instanceof Date ? value : typeof value === "string" ? new Date(value) : undefined;
    if (!date || Number.isNaN(date.getTime()))
      throw new TypeError(`DateTime cannot represent ${shown(value)}`);
    return date.toISOString();
  },
  parseValue(value) {
    const date = typeof value === "string" ? parseIsoDateTime(value) : undefined;
    if (!date) throw new GraphQLError(`Expected ${DATE_TIME_EXPECTED}, got ${shown(value)}`);
    return date;
  },
  parseLiteral(ast) {
    const date = ast.kind === Kind.STRING ? parseIsoDateTime(ast.value) : undefined;
    if (!date) throw new GraphQLError(`Expected ${DATE_TIME_EXPECTED}, got ${literal(ast)}`);
    return date;
  },
});

/** Unix seconds (possibly fractional) of a Date. */
export const toSeconds = (date: Date): number => date.getTime() / 1000;

function literal(ast: ValueNode): string {
  return "value" in ast && typeof ast.value === "string" ? JSON.stringify(ast.value) : ast.kind;
}
