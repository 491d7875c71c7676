import { describe, expect, test } from "vitest";
import { anyFail, CHECK_VALUES, isCheck, passIf } from "./check-result.ts";

describe("check-result", () => {
  test("the four values are the API's enum Check", () => {
    expect([...CHECK_VALUES].sort()).toEqual(["FAIL", "NOT_APPLICABLE", "PASS", "UNKNOWN"]);
    for (const value of CHECK_VALUES) expect(isCheck(value)).toBe(true);
    expect(isCheck("pass")).toBe(false);
    expect(isCheck(undefined)).toBe(false);
  });

  test("passIf maps true to PASS and false to FAIL", () => {
    expect(passIf(true)).toBe("PASS");
    expect(passIf(false)).toBe("FAIL");
  });

  test("only FAIL counts as a failure: UNKNOWN and NOT_APPLICABLE do not", () => {
    expect(anyFail([])).toBe(false);
    expect(anyFail(["PASS", "UNKNOWN", "NOT_APPLICABLE"])).toBe(false);
    expect(anyFail(["PASS", "FAIL"])).toBe(true);
    expect(anyFail(new Set(["FAIL" as const]))).toBe(true);
  });
});
