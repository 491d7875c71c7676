import { randomBytes } from "node:crypto";
import { encodePacked, type Hex, keccak256 } from "viem";
import { describe, expect, test } from "vitest";
import { commitmentOf, heartbeatMessage, settlementMessage } from "./messages.ts";

const random32 = (): Hex => `0x${randomBytes(32).toString("hex")}`;
const UINT256_MAX = 2n ** 256n - 1n;
const a: Hex = `0x${"11".repeat(32)}`;
const b: Hex = `0x${"22".repeat(32)}`;

describe("messages", () => {
  test("equal keccak256(encodePacked(...)) built the straightforward way with viem, on random inputs", () => {
    for (let i = 0; i < 200; i++) {
      const [x, y] = [random32(), random32()];
      const t = BigInt(`0x${randomBytes(1 + (i % 32)).toString("hex")}`);
      expect(settlementMessage(x, y, t)).toBe(
        keccak256(encodePacked(["bytes32", "bytes32", "uint256"], [x, y, t])),
      );
      expect(heartbeatMessage(x, t)).toBe(keccak256(encodePacked(["bytes32", "uint256"], [x, t])));
      expect(commitmentOf(x, y)).toBe(keccak256(encodePacked(["bytes32", "bytes32"], [x, y])));
    }
  });

  test("take the whole uint256 range, 0 and 2^256-1 included", () => {
    for (const t of [0n, 1n, UINT256_MAX]) {
      expect(settlementMessage(a, b, t)).toBe(
        keccak256(encodePacked(["bytes32", "bytes32", "uint256"], [a, b, t])),
      );
      expect(heartbeatMessage(a, t)).toBe(keccak256(encodePacked(["bytes32", "uint256"], [a, t])));
    }
  });

  test("do not leak one call's fields into the next (shared scratch buffer)", () => {
    const first = settlementMessage(a, b, 1n);
    heartbeatMessage(b, UINT256_MAX);
    commitmentOf(b, a);
    settlementMessage(b, a, UINT256_MAX);
    expect(settlementMessage(a, b, 1n)).toBe(first);
  });

  test("commitmentOf answers a repeated reveal from its memory with the same value, also past its 20,000 entries", () => {
    // Each output hash twice, with two salts: a memory keyed by less than both would answer one for the other.
    const outputs = Array.from({ length: 10_500 }, random32);
    const pairs = outputs.flatMap((x) => [[x, a] as const, [x, b] as const]);
    const first = pairs.map(([x, y]) => commitmentOf(x, y));
    expect(pairs.map(([x, y]) => commitmentOf(x, y))).toEqual(first);
    for (let i = 0; i < pairs.length; i += 997)
      for (const j of [i, i + 1])
        expect(first[j]).toBe(keccak256(encodePacked(["bytes32", "bytes32"], pairs[j])));
  });

  test("read hex digits in either case", () => {
    const upper = `0x${"ab".repeat(32).toUpperCase()}` as Hex;
    expect(commitmentOf(upper, a)).toBe(commitmentOf(`0x${"ab".repeat(32)}`, a));
  });

  test("throw for a field that is not 32 bytes of hex or a timestamp outside uint256 (caller bugs)", () => {
    expect(() => settlementMessage("0x1234", b, 1n)).toThrow(TypeError);
    expect(() => settlementMessage(a, `${b}00` as Hex, 1n)).toThrow(TypeError);
    expect(() => commitmentOf(`0x${"zz".repeat(32)}` as Hex, a)).toThrow(TypeError);
    expect(() => commitmentOf(a, `0x${"1".repeat(63)}g` as Hex)).toThrow(TypeError);
    expect(() => heartbeatMessage(a, -1n)).toThrow(RangeError);
    expect(() => heartbeatMessage(a, UINT256_MAX + 1n)).toThrow(RangeError);
    expect(() => heartbeatMessage(a, 5 as unknown as bigint)).toThrow(RangeError);
  });
});
