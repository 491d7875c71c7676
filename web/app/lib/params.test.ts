import { describe, expect, test } from "vitest";
import { defaultInterval, historyRange } from "./history-range";
import {
  BadParamError,
  boolParam,
  dateParam,
  enumParam,
  hexParam,
  intervalParam,
  intParam,
  pageParams,
} from "./params";

const q = (s: string) => new URLSearchParams(s);

describe("query-string parameters: good values parse, bad ones name what was wrong", () => {
  test("interval", () => {
    expect(intervalParam(q(""))).toBe("DAY");
    expect(intervalParam(q("interval=WEEK"))).toBe("WEEK");
    expect(intervalParam(q("interval=MINUTE"))).toBe("MINUTE");
    expect(() => intervalParam(q("interval=YEAR"))).toThrow(
      "Got interval=YEAR, expected one of MINUTE, HOUR, DAY, WEEK",
    );
  });
  test("dates: a bare 'to' date includes that whole day", () => {
    expect(dateParam(q("from=2026-11-01"), "from")).toBe("2026-11-01T00:00:00.000Z");
    expect(dateParam(q("to=2026-11-01"), "to", true)).toBe("2026-11-01T23:59:59.999Z");
    expect(() => dateParam(q("from=yesterday"), "from")).toThrow(BadParamError);
  });
  test("integers, booleans, enums, hex ids", () => {
    expect(intParam(q("minScore=500"), "minScore", 0, 1000)).toBe(500);
    expect(() => intParam(q("minScore=5000"), "minScore", 0, 1000)).toThrow("Got minScore=5000");
    expect(boolParam(q("enabled=false"), "enabled")).toBe(false);
    expect(boolParam(q("enabled="), "enabled")).toBeUndefined();
    expect(() => boolParam(q("enabled=yes"), "enabled")).toThrow("expected true or false");
    expect(enumParam(q("mode=TEE"), "mode", ["TEE", "ZKML"] as const)).toBe("TEE");
    expect(() => enumParam(q("mode=tee"), "mode", ["TEE"] as const)).toThrow("Got mode=tee");
    expect(hexParam(q(`node=0x${"AB".repeat(32)}`), "node", 32)).toBe(`0x${"ab".repeat(32)}`);
    expect(() => hexParam(q("node=0x12"), "node", 32)).toThrow("expected 0x followed by 64 hex digits");
  });
});

describe("chart ranges", () => {
  test("hourly charts without a start show the 7 days before the latest indexed block", () => {
    const range = historyRange(q("interval=HOUR"), "2026-11-26T12:00:00.000Z");
    expect(range.from).toBe("2026-11-19T12:00:00.000Z");
  });
  test("daily charts without a start begin at the first data (no from)", () => {
    expect(historyRange(q(""), "2026-11-26T12:00:00.000Z").from).toBeUndefined();
  });
  test("the default bucket follows the data's span: minutes for a young network, then hours, then days", () => {
    expect(defaultInterval(0)).toBe("MINUTE");
    expect(defaultInterval(20 * 60)).toBe("MINUTE");
    expect(defaultInterval(2 * 3600)).toBe("MINUTE");
    expect(defaultInterval(2 * 3600 + 1)).toBe("HOUR");
    expect(defaultInterval(3 * 86_400)).toBe("HOUR");
    expect(defaultInterval(30 * 86_400)).toBe("DAY");
    const young = historyRange(q(""), "2026-11-26T12:00:00.000Z", "HOUR");
    expect(young.interval).toBe("HOUR");
    expect(young.from).toBeUndefined();
  });
});

describe("pageParams reads a list page's size, number and cursor", () => {
  test("defaults, a chosen size and page, and the cursor", () => {
    expect(pageParams(new URLSearchParams(""), 50)).toEqual({ size: 50, page: 1, after: undefined });
    expect(pageParams(new URLSearchParams("size=10&page=3&after=abc"), 50)).toEqual({
      size: 10,
      page: 3,
      after: "abc",
    });
  });
  test("a size the list does not offer, or a page below 1, is a bad parameter naming it", () => {
    expect(() => pageParams(new URLSearchParams("size=7"), 50)).toThrow(/Got size=7, expected one of 10, 25/);
    expect(() => pageParams(new URLSearchParams("size=5000"), 50)).toThrow(/size=5000/);
    expect(() => pageParams(new URLSearchParams("page=0"), 50)).toThrow(/Got page=0/);
  });
});
