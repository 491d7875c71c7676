import type { Hex } from "viem";
import { anyFail, type Check, passIf } from "./check-result.ts";
import { sameHex } from "./hex.ts";
import { commitmentOf } from "./messages.ts";
import { type PcrValidInput, pcrValidCheck } from "./settlement-checks.ts";

// The checks of an inference, spec/README.md rules 5-9. Plain data in, a Check out.

/** api.graphql VerificationMode; the contract's Mode enum numbers them 0, 1, 2 in this order. */
export type VerificationMode = "VANILLA" | "ZKML" | "TEE";
export const VERIFICATION_MODES: readonly VerificationMode[] = ["VANILLA", "ZKML", "TEE"];

/** api.graphql InferenceStatus. */
export type InferenceStatus = "COMMITTED" | "REVEALED" | "VERIFIED" | "FAILED" | "EXPIRED";

/** The mode named by the contract's uint8 Mode, or undefined for a value outside the enum. */
export function modeFromIndex(index: number): VerificationMode | undefined {
  return VERIFICATION_MODES[index];
}

/**
 * Rule 5: keccak256(abi.encodePacked(outputHash, salt)) == commitment. NOT_APPLICABLE until revealed (the reveal
 * brings outputHash and salt).
 */
export function commitmentCheck(input: {
  revealed: boolean;
  outputHash?: Hex;
  salt?: Hex;
  commitment: Hex;
}): Check {
  if (!input.revealed || input.outputHash === undefined || input.salt === undefined) return "NOT_APPLICABLE";
  return passIf(sameHex(commitmentOf(input.outputHash, input.salt), input.commitment));
}

/**
 * Rule 6: PASS if the reveal's block timestamp <= revealDeadline; FAIL if it was later, or if the inference was
 * expired (an InferenceVerified(EXPIRED) is indexed; the contract refuses a reveal once expired, so an expired
 * inference is unrevealed); NOT_APPLICABLE while unrevealed and not expired.
 */
export function revealOnTimeCheck(input: {
  /** Block timestamp of the InferenceRevealed; undefined while unrevealed. */
  revealedAt?: number;
  revealDeadline: number;
  expired: boolean;
}): Check {
  if (input.expired) return "FAIL";
  if (input.revealedAt === undefined) return "NOT_APPLICABLE";
  return passIf(input.revealedAt <= input.revealDeadline);
}

/**
 * Rule 7: TEE mode only (NOT_APPLICABLE for VANILLA and ZKML) and NOT_APPLICABLE until revealed; then the
 * signature check of the linked settlement (same teeId, inputHash and outputHash, the earliest if several:
 * settlement-link.ts), UNKNOWN while none is indexed.
 */
export function teeSignatureCheck(input: {
  mode: VerificationMode;
  revealed: boolean;
  linkedSettlementSignature?: Check;
}): Check {
  if (input.mode !== "TEE" || !input.revealed) return "NOT_APPLICABLE";
  return input.linkedSettlementSignature ?? "UNKNOWN";
}

/**
 * Rule 8: TEE mode only; otherwise rule 4 (pcrValidCheck) for the node's TEE at the commit's block. Applies
 * from the commit on (it does not wait for the reveal).
 */
export function pcrValidInferenceCheck(input: { mode: VerificationMode } & PcrValidInput): Check {
  if (input.mode !== "TEE") return "NOT_APPLICABLE";
  return pcrValidCheck(input);
}

/** The four checks of an inference (api.graphql InferenceChecks). */
export interface InferenceChecks {
  commitment: Check;
  revealOnTime: Check;
  teeSignature: Check;
  pcrValid: Check;
}

/** What the indexer knows of an inference now, for rules 5-9. */
export interface InferenceCheckInput {
  mode: VerificationMode;
  /** The chain's status: COMMITTED, REVEALED, or the latest InferenceVerified's outcome. */
  status: InferenceStatus;
  commitment: Hex;
  /** The InferenceRevealed's values and its block time (unix seconds); undefined while unrevealed. */
  reveal: { outputHash: Hex; salt: Hex; blockTimestamp: number } | undefined;
  /** Unix seconds. */
  revealDeadline: number;
  /** The signature check of the linked settlement (settlement-link.ts); undefined while none is indexed. */
  linkedSettlementSignature: Check | undefined;
  /**
   * Rule 8 as judged at the commit (pcrValidInferenceCheck), with the revocations indexed since applied
   * (applyRevocation): it depends on positions, not on the inference's later events.
   */
  pcrValid: Check;
}

/**
 * Every check of an inference (rules 5-8) and whether it is a discrepancy (rule 9), from its current state: the
 * one place the mapping judges an inference. An expired inference fails revealOnTime whether or not it was
 * revealed (rule 6: "FAIL if it was later, or if the inference was expired").
 */
export function inferenceChecks(input: InferenceCheckInput): InferenceChecks & { discrepancy: boolean } {
  const revealed = input.reveal !== undefined;
  const checks: InferenceChecks = {
    commitment: commitmentCheck({
      revealed,
      outputHash: input.reveal?.outputHash,
      salt: input.reveal?.salt,
      commitment: input.commitment,
    }),
    revealOnTime: revealOnTimeCheck({
      revealedAt: input.reveal?.blockTimestamp,
      revealDeadline: input.revealDeadline,
      expired: input.status === "EXPIRED",
    }),
    teeSignature: teeSignatureCheck({
      mode: input.mode,
      revealed,
      linkedSettlementSignature: input.linkedSettlementSignature,
    }),
    pcrValid: input.pcrValid,
  };
  return { ...checks, discrepancy: isDiscrepancy({ chainStatus: input.status, checks }) };
}

/** Rule 9: the chain says VERIFIED while any of checks 5-8 is FAIL. */
export function isDiscrepancy(input: { chainStatus: InferenceStatus; checks: InferenceChecks }): boolean {
  const { chainStatus, checks } = input;
  return (
    chainStatus === "VERIFIED" &&
    anyFail([checks.commitment, checks.revealOnTime, checks.teeSignature, checks.pcrValid])
  );
}
