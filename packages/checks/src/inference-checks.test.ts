import { keccak256 } from "viem";
import { describe, expect, test } from "vitest";
import type { Check } from "./check-result.ts";
import {
  commitmentCheck,
  type InferenceCheckInput,
  type InferenceChecks,
  type InferenceStatus,
  inferenceChecks,
  isDiscrepancy,
  modeFromIndex,
  pcrValidInferenceCheck,
  revealOnTimeCheck,
  teeSignatureCheck,
  type VerificationMode,
} from "./inference-checks.ts";
import { commitmentOf } from "./messages.ts";

const outputHash = keccak256("0xaa");
const salt = keccak256("0xbb");
const commitment = commitmentOf(outputHash, salt);

describe("commitmentCheck (rule 5)", () => {
  test("a reveal that opens the commitment passes", () => {
    expect(commitmentCheck({ revealed: true, outputHash, salt, commitment })).toBe("PASS");
  });

  test("a reveal with a wrong salt fails the commitment check", () => {
    expect(commitmentCheck({ revealed: true, outputHash, salt: keccak256("0xcc"), commitment })).toBe("FAIL");
  });

  test("a reveal with another output hash fails the commitment check", () => {
    expect(commitmentCheck({ revealed: true, outputHash: keccak256("0xcc"), salt, commitment })).toBe("FAIL");
  });

  test("is NOT_APPLICABLE until revealed", () => {
    expect(commitmentCheck({ revealed: false, commitment })).toBe("NOT_APPLICABLE");
  });

  test("compares the commitment whatever its hex case", () => {
    const upper = `0x${commitment.slice(2).toUpperCase()}` as const;
    expect(commitmentCheck({ revealed: true, outputHash, salt, commitment: upper })).toBe("PASS");
  });
});

describe("revealOnTimeCheck (rule 6)", () => {
  const revealDeadline = 1_000;

  test("a reveal at or before the deadline passes", () => {
    expect(revealOnTimeCheck({ revealedAt: 999, revealDeadline, expired: false })).toBe("PASS");
    expect(revealOnTimeCheck({ revealedAt: 1_000, revealDeadline, expired: false })).toBe("PASS");
  });

  test("a reveal one second after the deadline fails", () => {
    expect(revealOnTimeCheck({ revealedAt: 1_001, revealDeadline, expired: false })).toBe("FAIL");
  });

  test("an expired inference fails", () => {
    expect(revealOnTimeCheck({ revealDeadline, expired: true })).toBe("FAIL");
  });

  test("is NOT_APPLICABLE while unrevealed and not expired, even past the deadline", () => {
    expect(revealOnTimeCheck({ revealDeadline, expired: false })).toBe("NOT_APPLICABLE");
  });
});

describe("teeSignatureCheck (rule 7)", () => {
  test("is NOT_APPLICABLE for VANILLA and ZKML inferences, even with a linked settlement", () => {
    for (const mode of ["VANILLA", "ZKML"] as const) {
      expect(teeSignatureCheck({ mode, revealed: true, linkedSettlementSignature: "FAIL" })).toBe(
        "NOT_APPLICABLE",
      );
    }
  });

  test("is NOT_APPLICABLE for a TEE inference until revealed", () => {
    expect(teeSignatureCheck({ mode: "TEE", revealed: false })).toBe("NOT_APPLICABLE");
  });

  test("is UNKNOWN for a revealed TEE inference while no settlement is linked", () => {
    expect(teeSignatureCheck({ mode: "TEE", revealed: true })).toBe("UNKNOWN");
  });

  test("is the linked settlement's signature check once linked", () => {
    for (const check of ["PASS", "FAIL", "UNKNOWN"] as const) {
      expect(teeSignatureCheck({ mode: "TEE", revealed: true, linkedSettlementSignature: check })).toBe(
        check,
      );
    }
  });
});

describe("pcrValidInferenceCheck (rule 8)", () => {
  const good = { teeRegistered: true, pcrApprovedAtBlock: true, revokedSince: false };

  test("is NOT_APPLICABLE for VANILLA and ZKML inferences", () => {
    expect(pcrValidInferenceCheck({ mode: "VANILLA", ...good })).toBe("NOT_APPLICABLE");
    expect(pcrValidInferenceCheck({ mode: "ZKML", ...good, revokedSince: true })).toBe("NOT_APPLICABLE");
  });

  test("follows rule 4 for a TEE inference at its commit's block", () => {
    expect(pcrValidInferenceCheck({ mode: "TEE", ...good })).toBe("PASS");
    expect(pcrValidInferenceCheck({ mode: "TEE", ...good, revokedSince: true })).toBe("FAIL");
    expect(pcrValidInferenceCheck({ mode: "TEE", ...good, pcrApprovedAtBlock: false })).toBe("FAIL");
    expect(pcrValidInferenceCheck({ mode: "TEE", ...good, teeRegistered: false })).toBe("UNKNOWN");
  });
});

describe("isDiscrepancy (rule 9)", () => {
  const allPass: InferenceChecks = {
    commitment: "PASS",
    revealOnTime: "PASS",
    teeSignature: "PASS",
    pcrValid: "PASS",
  };
  const statuses: InferenceStatus[] = ["COMMITTED", "REVEALED", "VERIFIED", "FAILED", "EXPIRED"];

  test("is a discrepancy when the chain says VERIFIED and any one check fails", () => {
    for (const name of Object.keys(allPass) as (keyof InferenceChecks)[]) {
      expect(isDiscrepancy({ chainStatus: "VERIFIED", checks: { ...allPass, [name]: "FAIL" } })).toBe(true);
    }
  });

  test("is a discrepancy only when the chain says VERIFIED", () => {
    const failing = { ...allPass, commitment: "FAIL" as Check };
    for (const chainStatus of statuses) {
      expect(isDiscrepancy({ chainStatus, checks: failing })).toBe(chainStatus === "VERIFIED");
    }
  });

  test("UNKNOWN and NOT_APPLICABLE checks are no discrepancy", () => {
    const checks: InferenceChecks = {
      commitment: "PASS",
      revealOnTime: "PASS",
      teeSignature: "UNKNOWN",
      pcrValid: "NOT_APPLICABLE",
    };
    expect(isDiscrepancy({ chainStatus: "VERIFIED", checks })).toBe(false);
    expect(isDiscrepancy({ chainStatus: "VERIFIED", checks: allPass })).toBe(false);
  });
});

describe("modeFromIndex", () => {
  test("numbers the modes as the contract's Mode enum, undefined outside it", () => {
    const modes: (VerificationMode | undefined)[] = [0, 1, 2, 3, -1].map(modeFromIndex);
    expect(modes).toEqual(["VANILLA", "ZKML", "TEE", undefined, undefined]);
  });
});

describe("inferenceChecks (rules 5-9 together, as the mapping judges an inference)", () => {
  const base: InferenceCheckInput = {
    mode: "TEE",
    status: "REVEALED",
    commitment,
    reveal: { outputHash, salt, blockTimestamp: 1_000 },
    revealDeadline: 1_000,
    linkedSettlementSignature: "PASS",
    pcrValid: "PASS",
  };

  test("an honest TEE inference revealed at its deadline passes every check and is no discrepancy", () => {
    expect(inferenceChecks({ ...base, status: "VERIFIED" })).toEqual({
      commitment: "PASS",
      revealOnTime: "PASS",
      teeSignature: "PASS",
      pcrValid: "PASS",
      discrepancy: false,
    });
  });

  test("a reveal one second late fails revealOnTime, and VERIFIED then is a discrepancy", () => {
    const late = {
      ...base,
      status: "VERIFIED" as const,
      reveal: { outputHash, salt, blockTimestamp: 1_001 },
    };
    expect(inferenceChecks(late)).toMatchObject({ revealOnTime: "FAIL", discrepancy: true });
  });

  test("an expired inference fails revealOnTime whether or not it was revealed (spec rule 6)", () => {
    expect(inferenceChecks({ ...base, status: "EXPIRED", reveal: undefined }).revealOnTime).toBe("FAIL");
    expect(inferenceChecks({ ...base, status: "EXPIRED" }).revealOnTime).toBe("FAIL");
    // Unrevealed and not expired: nothing to judge yet.
    expect(inferenceChecks({ ...base, status: "COMMITTED", reveal: undefined })).toEqual({
      commitment: "NOT_APPLICABLE",
      revealOnTime: "NOT_APPLICABLE",
      teeSignature: "NOT_APPLICABLE",
      pcrValid: "PASS",
      discrepancy: false,
    });
  });

  test("a TEE reveal without its settlement indexed is UNKNOWN; other modes never judge a TEE signature", () => {
    expect(inferenceChecks({ ...base, linkedSettlementSignature: undefined }).teeSignature).toBe("UNKNOWN");
    expect(inferenceChecks({ ...base, mode: "ZKML", pcrValid: "NOT_APPLICABLE" }).teeSignature).toBe(
      "NOT_APPLICABLE",
    );
  });

  test("the stored pcrValid (judged at the commit, revocations applied) decides check 8 and the discrepancy", () => {
    expect(inferenceChecks({ ...base, status: "VERIFIED", pcrValid: "FAIL" })).toMatchObject({
      pcrValid: "FAIL",
      discrepancy: true,
    });
    expect(inferenceChecks({ ...base, status: "FAILED", pcrValid: "FAIL" }).discrepancy).toBe(false);
  });

  test("a wrong salt fails the commitment and makes VERIFIED a discrepancy", () => {
    const wrong = {
      ...base,
      status: "VERIFIED" as const,
      reveal: { outputHash, salt: keccak256("0xcc"), blockTimestamp: 5 },
    };
    expect(inferenceChecks(wrong)).toMatchObject({ commitment: "FAIL", discrepancy: true });
  });
});
