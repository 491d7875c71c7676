import { describe, expect, it } from "vitest";
import { checkEvent, contribution, EVENT_KINDS, isEventKind } from "./events.ts";

describe("contribution", () => {
  it("adds w to S and N for a success", () => {
    expect(contribution("success", 0.5)).toEqual({ s: 0.5, n: 0.5, d: 0 });
  });

  it("adds w to N only for a failure", () => {
    expect(contribution("failure", 0.5)).toEqual({ s: 0, n: 0.5, d: 0 });
  });

  it("adds 2w to N for a lost dispute", () => {
    expect(contribution("dispute_lost", 0.5)).toEqual({ s: 0, n: 1, d: 0 });
    expect(contribution("dispute_lost", 0.3, 7).n).toBe(2 * 0.3 * 7);
  });

  it("adds w to D only for a slash", () => {
    expect(contribution("slash", 0.25)).toEqual({ s: 0, n: 0, d: 0.25 });
  });

  it("multiplies by count", () => {
    expect(contribution("success", 0.5, 20)).toEqual({ s: 10, n: 10, d: 0 });
  });
});

describe("checkEvent", () => {
  it("defaults count to 1 and accepts every kind", () => {
    for (const kind of EVENT_KINDS) expect(checkEvent(kind, 1, undefined)).toBe(1);
    expect(checkEvent("failure", 1, 12)).toBe(12);
  });

  it("rejects unknown kinds, non-finite times and bad counts", () => {
    expect(() => checkEvent("win", 1, 1)).toThrow(RangeError);
    expect(() => checkEvent("success", Number.NaN, 1)).toThrow(RangeError);
    expect(() => checkEvent("success", Number.POSITIVE_INFINITY, 1)).toThrow(RangeError);
    expect(() => checkEvent("success", 1, -1)).toThrow(RangeError);
    expect(() => checkEvent("success", 1, Number.NaN)).toThrow(RangeError);
  });

  it("isEventKind knows exactly the four kinds", () => {
    expect(EVENT_KINDS.every(isEventKind)).toBe(true);
    expect(isEventKind("dispute")).toBe(false);
    expect(isEventKind(3)).toBe(false);
  });
});
