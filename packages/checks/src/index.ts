// The indexer's own checks (spec/README.md, "What the indexer must do beyond copying events"): pure functions
// of plain data, no database or RPC.
export {
  decodeHeartbeat,
  decodeRegisterTee,
  devnetPcrHash,
  HEARTBEAT_SELECTOR,
  type HeartbeatCall,
  REGISTER_TEE_SELECTOR,
  type RegisterTeeCall,
} from "./calldata.ts";
export { anyFail, CHECK_VALUES, type Check, isCheck, passIf } from "./check-result.ts";
export { heartbeatCounts, heartbeatSignatureCheck } from "./heartbeat-checks.ts";
export {
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
  VERIFICATION_MODES,
  type VerificationMode,
} from "./inference-checks.ts";
export { comparePositions, earliest, isAfter, type LogPosition } from "./log-position.ts";
export { commitmentOf, heartbeatMessage, settlementMessage } from "./messages.ts";
export { PSS_SALT_LENGTH, verifyPssSignature } from "./rsa-pss.ts";
export {
  applyRevocation,
  FRESHNESS_FUTURE_SECONDS,
  FRESHNESS_PAST_SECONDS,
  freshnessCheck,
  MAX_DATE_SECONDS,
  type PcrEvent,
  type PcrRef,
  type PcrRevocation,
  type PcrValidInput,
  pcrApprovedAt,
  pcrValidCheck,
  revocationCovers,
  revokedSince,
  type SettlementCheckInput,
  type SettlementChecks,
  settlementChecks,
  settlementTimestampDate,
  signatureCheck,
  type TeeStateAtBlock,
  teeEnabledCheck,
} from "./settlement-checks.ts";
export { inferenceLinkKey, linkedSettlement, linkKey, settlementLinkKey } from "./settlement-link.ts";
export {
  clearTeeKeyCache,
  MAX_RSA_BITS,
  MIN_RSA_BITS,
  parseRsaSpki,
  parseTeeKey,
  setTeeKeyCacheCapacity,
  TEE_KEY_CACHE_CAPACITY,
  type TeeKeyResult,
  teeKeyCacheSize,
  usableKey,
} from "./tee-key.ts";
