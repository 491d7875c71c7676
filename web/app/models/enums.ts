// Enum values of the public API (spec/api.graphql) that pages offer as filters and orderings, in the order pages
// list them; each list is checked against the API's enum (app/generated/graphql.ts). Shared by the server loaders
// and the browser, so kept out of the *.server.ts modules.
import type {
  Check,
  InferenceStatus,
  ModelOrderBy,
  NodeOrderBy,
  SlashReason,
  VerificationMode,
} from "~/generated/graphql";

export type { ModelOrderBy, NodeOrderBy, SlashReason };

export const NODE_ORDERS = [
  "SCORE_DESC",
  "SCORE_ASC",
  "STAKE_DESC",
  "SLASHED_DESC",
  "INFERENCES_DESC",
  "REGISTERED_DESC",
] as const satisfies readonly NodeOrderBy[];

export const MODEL_ORDERS = [
  "INFERENCES_DESC",
  "SCORE_DESC",
  "REGISTERED_DESC",
  "NAME_ASC",
] as const satisfies readonly ModelOrderBy[];

export const STATUSES: InferenceStatus[] = ["COMMITTED", "REVEALED", "VERIFIED", "FAILED", "EXPIRED"];
export const MODES: VerificationMode[] = ["VANILLA", "ZKML", "TEE"];
export const CHECKS: Check[] = ["PASS", "FAIL", "UNKNOWN", "NOT_APPLICABLE"];

export const SLASH_REASONS = [
  "INVALID_PROOF",
  "REVEAL_MISMATCH",
  "REVEAL_TIMEOUT",
  "LOST_DISPUTE",
  "PCR_REVOKED",
  "EQUIVOCATION",
] as const satisfies readonly SlashReason[];

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
