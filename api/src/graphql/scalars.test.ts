import { Kind } from "graphql";
import { describe, expect, test } from "vitest";
import {
  BigIntScalar,
  BytesScalar,
  DateTimeScalar,
  parseBytes,
  parseIsoDateTime,
  parseOptionalBytes,
} from "./scalars.ts";

describe("Bytes", () => {
  test("an argument in any case is normalised to lowercase", () => {
    expect(parseBytes("node", `0x${"AbCd".repeat(16)}`, 32)).toBe(`0x${"abcd".repeat(16)}`);
  });

  test("a short value is BAD_USER_INPUT naming the argument, what was received and what was expected", () => {
    expect(() => parseBytes("node", "0x12", 32)).toThrowError(
      'Got node="0x12", expected 32 bytes of hex (0x followed by 64 hex digits)',
    );
    try {
      parseBytes("node", "0x12", 32);
    } catch (err) {
      expect((err as { extensions: { code: string } }).extensions.code).toBe("BAD_USER_INPUT");
    }
  });

  test("non-hex, a missing 0x, an odd length and the wrong length are all rejected", () => {
    for (const bad of [
      `0x${"zz".repeat(32)}`,
      "ab".repeat(32),
      `0x${"a".repeat(63)}`,
      `0x${"ab".repeat(20)}`,
      "",
    ]) {
      expect(() => parseBytes("id", bad, 32)).toThrowError(/^Got id=/);
    }
    expect(parseBytes("owner", `0x${"AB".repeat(20)}`, 20)).toBe(`0x${"ab".repeat(20)}`);
  });

  test("an optional argument left out is undefined", () => {
    expect(parseOptionalBytes("model", null, 32)).toBeUndefined();
    expect(parseOptionalBytes("model", undefined, 32)).toBeUndefined();
  });

  test("answers are lowercase hex; a non-hex value from the database is an internal error", () => {
    expect(BytesScalar.serialize("0xABCD")).toBe("0xabcd");
    expect(BytesScalar.serialize("0x")).toBe("0x");
    expect(() => BytesScalar.serialize("nothex")).toThrow(TypeError);
  });

  test("a literal or variable that is not a string is rejected by the scalar", () => {
    expect(() => BytesScalar.parseValue(12)).toThrowError(/Expected a 0x-prefixed hex string, got 12/);
    expect(() => BytesScalar.parseLiteral({ kind: Kind.INT, value: "12" })).toThrowError(
      /Expected a 0x-prefixed hex/,
    );
  });
});

describe("BigInt", () => {
  test("serialises wei as base-10 strings, beyond 2^53 exactly", () => {
    expect(BigIntScalar.serialize("123456789012345678901234567890")).toBe("123456789012345678901234567890");
    expect(BigIntScalar.serialize(10n ** 30n)).toBe("1000000000000000000000000000000");
    expect(BigIntScalar.serialize(42)).toBe("42");
  });

  test("inputs must be base-10 integer strings", () => {
    expect(BigIntScalar.parseValue("1000")).toBe("1000");
    expect(() => BigIntScalar.parseValue("1e3")).toThrowError(
      /Expected a base-10 integer string such as "1000", got "1e3"/,
    );
    expect(() => BigIntScalar.parseValue(-1)).toThrow();
  });
});

describe("DateTime", () => {
  test("serialises as ISO-8601 UTC with milliseconds", () => {
    expect(DateTimeScalar.serialize(new Date(Date.UTC(2026, 10, 26, 4)))).toBe("2026-11-26T04:00:00.000Z");
  });

  test("accepts ISO dates and date-times with a zone", () => {
    expect(DateTimeScalar.parseValue("2026-11-26T04:00:00.000Z")).toEqual(
      new Date("2026-11-26T04:00:00.000Z"),
    );
    expect(DateTimeScalar.parseValue("2026-11-26T05:00:00+01:00")).toEqual(
      new Date("2026-11-26T04:00:00.000Z"),
    );
    expect(DateTimeScalar.parseValue("2026-11-26")).toEqual(new Date("2026-11-26T00:00:00.000Z"));
  });

  test("rejects local times, non-dates and dates that do not exist, saying what is expected", () => {
    for (const bad of [
      "2026-11-26T04:00:00",
      "yesterday",
      "2026-02-30",
      "1764129600",
      "2026-13-01T00:00:00Z",
    ]) {
      expect(parseIsoDateTime(bad)).toBeUndefined();
    }
    expect(() => DateTimeScalar.parseValue("yesterday")).toThrowError(
      'Expected an ISO-8601 date-time such as 2026-11-26T04:00:00.000Z, got "yesterday"',
    );
    expect(() => DateTimeScalar.parseValue(1764129600)).toThrow();
  });
});
