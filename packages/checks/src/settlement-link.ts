import type { Hex } from "viem";
import type { VerificationMode } from "./inference-checks.ts";
import { earliest, type LogPosition } from "./log-position.ts";

// Rule 7's link between a TEE-mode inference and an IndividualSettlement: same teeId (the inference's nodeId),
// same inputHash and same outputHash, "in whichever order the two arrive; if several match, the earliest
// counts". The inference's outputHash comes with its reveal, so a link exists only once the inference is
// revealed; the settlement may be indexed before or after that. Index settlements by linkKey, look the key up
// when an inference is revealed, and when a settlement arrives look up the revealed inference with its key; keep
// `earliest` of the candidates.

export { comparePositions, earliest, type LogPosition } from "./log-position.ts";

/** The key both sides of the link share; case-insensitive in the hex. */
export function linkKey(teeId: Hex, inputHash: Hex, outputHash: Hex): string {
  return `${teeId}:${inputHash}:${outputHash}`.toLowerCase();
}

/**
 * The inference's link key, or undefined while it cannot link: not TEE mode, or not revealed yet.
 */
export function inferenceLinkKey(inference: {
  mode: VerificationMode;
  nodeId: Hex;
  inputHash: Hex;
  outputHash?: Hex;
}): string | undefined {
  if (inference.mode !== "TEE" || inference.outputHash === undefined) return undefined;
  return linkKey(inference.nodeId, inference.inputHash, inference.outputHash);
}

/** The settlement key of an IndividualSettlement. */
export function settlementLinkKey(settlement: { teeId: Hex; inputHash: Hex; outputHash: Hex }): string {
  return linkKey(settlement.teeId, settlement.inputHash, settlement.outputHash);
}

/**
 * The settlement that counts among the matching ones: the earliest by (block number, log index), considering
 * only those at or before `asOfBlock` when given (an "as of" evaluation sees only events up to its block).
 */
export function linkedSettlement<T extends LogPosition>(
  candidates: Iterable<T>,
  asOfBlock?: number,
): T | undefined {
  let best: T | undefined;
  for (const candidate of candidates) {
    if (asOfBlock !== undefined && candidate.blockNumber > asOfBlock) continue;
    best = earliest(best, candidate);
  }
  return best;
}
