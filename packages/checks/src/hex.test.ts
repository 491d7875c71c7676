import { describe, expect, test } from "vitest";
import { hexToBuffer, isHex32, sameHex, write32 } from "./hex.ts";

describe("hex", () => {
  test("hexToBuffer decodes 0x hex of either case and refuses anything else", () => {
    expect(hexToBuffer("0x")).toEqual(Buffer.alloc(0));
    expect(hexToBuffer("0xaBcD")).toEqual(Buffer.from([0xab, 0xcd]));
    for (const bad of [
      "",
      "0",
      "abcd",
      "0xabc",
      "0xzz",
      "0xab g",
      "0Xab",
      "0x0g",
      "0xg0",
      " 0xab",
      12,
      undefined,
    ]) {
      expect(hexToBuffer(bad)).toBeUndefined();
    }
  });

  test("write32 writes exactly 32 bytes of hex and reports anything else", () => {
    const target = Buffer.alloc(64);
    expect(write32(target, 32, `0x${"ab".repeat(32)}`)).toBe(true);
    expect(target.subarray(32)).toEqual(Buffer.alloc(32, 0xab));
    expect(write32(target, 0, `0x${"ab".repeat(31)}`)).toBe(false);
    expect(write32(target, 0, `0x${"ab".repeat(31)}zz`)).toBe(false);
    expect(write32(target, 0, `1x${"ab".repeat(32)}`)).toBe(false);
  });

  test("isHex32 and sameHex", () => {
    expect(isHex32(`0x${"00".repeat(32)}`)).toBe(true);
    expect(isHex32(`0x${"00".repeat(33)}`)).toBe(false);
    expect(sameHex("0xAB", "0xab")).toBe(true);
    expect(sameHex("0xab", "0xac")).toBe(false);
  });
});
