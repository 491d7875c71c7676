import { describe, expect, test } from "vitest";
import {
  formatAge,
  formatBucket,
  formatDuration,
  formatInt,
  formatPercent,
  formatTime,
  formatWei,
  modelLabel,
  shortHex,
} from "./format";

describe("formatWei shows exact ETH amounts from wei strings", () => {
  test("whole and fractional amounts, trailing zeros trimmed, thousands grouped", () => {
    expect(formatWei("0")).toBe("0 ETH");
    expect(formatWei("1000000000000000000")).toBe("1 ETH");
    expect(formatWei("12500000000000000000")).toBe("12.5 ETH");
    expect(formatWei("1234567000000000000000000")).toBe("1,234,567 ETH");
  });
  test("amounts beyond a double's precision stay exact", () => {
    expect(formatWei("123456789012345678901234567890", 2)).toBe("123,456,789,012.34 ETH");
  });
  test("a dust amount is not shown as zero", () => {
    expect(formatWei("1")).toBe("<0.0001 ETH");
  });
  test("negative, missing and non-numeric values", () => {
    expect(formatWei("-2000000000000000000")).toBe("-2 ETH");
    expect(formatWei(null)).toBe("—");
    expect(formatWei("abc")).toBe("abc");
  });
});

describe("other formats", () => {
  test("integers, percents, hex, times", () => {
    expect(formatInt(1234567)).toBe("1,234,567");
    expect(formatInt(null)).toBe("—");
    expect(formatPercent(0.8923)).toBe("89.2%");
    expect(formatPercent(null)).toBe("—");
    expect(shortHex(`0x${"ab".repeat(32)}`)).toBe("0xababab…ababab");
    expect(shortHex("0x1234")).toBe("0x1234");
    expect(formatTime("2026-11-26T04:00:00.000Z")).toBe("2026-11-26 04:00:00 UTC");
    expect(formatBucket("2026-11-26T04:00:00.000Z", "HOUR")).toBe("11-26 04:00");
    expect(formatBucket("2026-11-26T00:00:00.000Z", "DAY")).toBe("2026-11-26");
    expect(formatDuration(3725)).toBe("1 h 2 min");
  });
  test("a model never registered is labelled by its id", () => {
    expect(modelLabel({ id: `0x${"cd".repeat(32)}`, name: "", version: "" })).toBe("0xcdcdcd…cdcdcd");
    expect(modelLabel({ id: "0x1", name: "llama", version: "3" })).toBe("llama 3");
  });
});

describe("formatAge says how long ago a time was, in one unit", () => {
  const now = Date.parse("2026-11-26T12:00:00.000Z");
  test("seconds, minutes, hours and days, rounded down past the first unit", () => {
    expect(formatAge("2026-11-26T11:59:48.000Z", now)).toBe("12 s ago");
    expect(formatAge("2026-11-26T12:00:00.000Z", now)).toBe("0 s ago");
    expect(formatAge("2026-11-26T11:54:30.000Z", now)).toBe("5 min ago");
    expect(formatAge("2026-11-26T08:59:00.000Z", now)).toBe("3 h ago");
    expect(formatAge("2026-11-24T11:00:00.000Z", now)).toBe("2 d ago");
  });
  test("a time ahead of the clock is 'in …'; no time is a dash", () => {
    expect(formatAge("2026-11-26T12:00:04.000Z", now)).toBe("in 4 s");
    expect(formatAge(null, now)).toBe("—");
    expect(formatAge("not a time", now)).toBe("—");
  });
});
