// Enum values of the public API (spec/api.graphql) that pages offer as filters and orderings. Shared by the
// server loaders and the browser, so kept out of the *.server.ts modules.
import type { Check, InferenceStatus, Mode } from "./types";

export const NODE_ORDERS = [
  "SCORE_DESC",
  "SCORE_ASC",
  "STAKE_DESC",
  "SLASHED_DESC",
  "INFERENCES_DESC",
  "REGISTERED_DESC",
] as const;
export type NodeOrderBy = (typeof NODE_ORDERS)[number];

export const MODEL_ORDERS = ["INFERENCES_DESC", "SCORE_DESC", "REGISTERED_DESC", "NAME_ASC"] as const;
export type ModelOrderBy = (typeof MODEL_ORDERS)[number];

export const STATUSES: InferenceStatus[] = ["COMMITTED", "REVEALED", "VERIFIED", "FAILED", "EXPIRED"];
export const MODES: Mode[] = ["VANILLA", "ZKML", "TEE"];
export const CHECKS: Check[] = ["PASS", "FAIL", "UNKNOWN", "NOT_APPLICABLE"];

export const SLASH_REASONS = [
  "INVALID_PROOF",
  "REVEAL_MISMATCH",
  "REVEAL_TIMEOUT",
  "LOST_DISPUTE",
  "PCR_REVOKED",
  "EQUIVOCATION",
] as const;
export type SlashReason = (typeof SLASH_REASONS)[number];

/** What each slash reason means, in words (the contract's code is shown on hover). */
export const SLASH_REASON_WORDS: Record<SlashReason, string> = {
  INVALID_PROOF: "invalid proof",
  REVEAL_MISMATCH: "reveal did not match the commitment",
  REVEAL_TIMEOUT: "no reveal before the deadline",
  LOST_DISPUTE: "lost a dispute",
  PCR_REVOKED: "its PCR was revoked",
  EQUIVOCATION: "equivocation (two answers to one request)",
};

/** A slash reason in words; an unknown code as it is. */
export function slashReasonWords(reason: string): string {
  return (SLASH_REASON_WORDS as Record<string, string>)[reason] ?? reason;
}
