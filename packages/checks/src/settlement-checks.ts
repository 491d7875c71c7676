import type { KeyObject } from "node:crypto";
import type { Hex } from "viem";
import { type Check, passIf } from "./check-result.ts";
import { sameHex } from "./hex.ts";
import { isAfter, type LogPosition } from "./log-position.ts";
import { settlementMessage } from "./messages.ts";
import { verifyPssSignature } from "./rsa-pss.ts";

// The checks of an IndividualSettlement, spec/README.md rules 1-4. Inputs are plain data the caller computed
// for the settlement's block; nothing here reads a database or the chain.

/** Freshness window (rule 2): the signed timestamp may be up to an hour old and up to 5 minutes ahead. */
export const FRESHNESS_PAST_SECONDS = 3600;
export const FRESHNESS_FUTURE_SECONDS = 300;
/** 9999-12-31T23:59:59Z: the last second a Settlement.timestamp (DateTime) can show. */
export const MAX_DATE_SECONDS = 253_402_300_799n;

/**
 * Rule 1: RSA-PSS over settlementMessage(inputHash, outputHash, timestamp) against the TEE's key. UNKNOWN when
 * the key is unknown (unregistered TEE, or a registered key that parseTeeKey did not find VALID); PASS or FAIL
 * otherwise, FAIL for any malformed signature. Hashes and timestamp come from the decoded event: a hash that
 * is not bytes32 or a timestamp outside uint256 is a caller bug and throws.
 */
export function signatureCheck(
  key: KeyObject | undefined,
  inputHash: Hex,
  outputHash: Hex,
  timestamp: bigint,
  signature: Hex,
): Check {
  if (key === undefined) return "UNKNOWN";
  return passIf(verifyPssSignature(key, settlementMessage(inputHash, outputHash, timestamp), signature));
}

/**
 * Rule 2: PASS iff blockTimestamp - 3600 <= signedTimestamp <= blockTimestamp + 300 (bounds included). The
 * signed timestamp is any uint256, so the comparison is in bigint.
 */
export function freshnessCheck(signedTimestamp: bigint, blockTimestamp: number): Check {
  const block = BigInt(blockTimestamp);
  return passIf(
    signedTimestamp >= block - BigInt(FRESHNESS_PAST_SECONDS) &&
      signedTimestamp <= block + BigInt(FRESHNESS_FUTURE_SECONDS),
  );
}

/** What the indexer knows of a TEE as of the settlement (state just before the settlement's log). */
export interface TeeStateAtBlock {
  /** Block of its TEERegistered; undefined for a TEE only known from other events (never registered). */
  registeredAtBlock?: number;
  enabled: boolean;
}

/**
 * Rule 3: the TEE was registered and enabled at the settlement's block. FAIL for an unknown or unregistered TEE,
 * and (when `settlementBlock` is given) for a registration after it, whatever `enabled` says.
 */
export function teeEnabledCheck(tee: TeeStateAtBlock | undefined, settlementBlock?: number): Check {
  if (tee?.registeredAtBlock === undefined) return "FAIL";
  if (settlementBlock !== undefined && tee.registeredAtBlock > settlementBlock) return "FAIL";
  return passIf(tee.enabled);
}

/** A TEE's PCR measurement, as approved: PCRApproved(pcrHash, teeType). */
export interface PcrRef {
  pcrHash: Hex;
  teeType: number;
}

/** A PCRRevoked event: teeType undefined for the one-argument form, which revokes the hash for every TEE type. */
export interface PcrRevocation {
  pcrHash: Hex;
  teeType: number | undefined;
}

/** Plain data for rule 4 (and rule 8), computed by the caller for the row's position (settlement or commit). */
export interface PcrValidInput {
  /** The TEE was registered at the row's block. */
  teeRegistered: boolean;
  /**
   * The TEE's (pcrHash, teeType) was approved at the row's position (pcrApprovedAt); undefined when the TEE's
   * PCR hash is not known (registration calldata not decodable and getTEE not answered).
   */
  pcrApprovedAtBlock: boolean | undefined;
  /** A PCRRevoked covering it has been indexed after the row, up to the latest indexed block (revokedSince). */
  revokedSince: boolean;
}

/**
 * Rule 4: PASS if the TEE's PCR was approved at the row's block and no PCRRevoked for it has been indexed since;
 * FAIL if not; UNKNOWN if the TEE was not registered at that block (or its PCR hash is not known).
 */
export function pcrValidCheck(input: PcrValidInput): Check {
  if (!input.teeRegistered || input.pcrApprovedAtBlock === undefined) return "UNKNOWN";
  return passIf(input.pcrApprovedAtBlock && !input.revokedSince);
}

/** What the indexer knows of an IndividualSettlement and its TEE at the settlement's position. */
export interface SettlementCheckInput {
  /** The TEE's key when it is known and VALID (tee-key.ts); undefined otherwise. */
  key: KeyObject | undefined;
  inputHash: Hex;
  outputHash: Hex;
  /** The signed timestamp (uint256). */
  timestamp: bigint;
  signature: Hex;
  /** The settlement's block: number and time (unix seconds). */
  blockNumber: number;
  blockTimestamp: number;
  /** The TEE's state just before the settlement's log; undefined for a TEE never registered. */
  tee: TeeStateAtBlock | undefined;
  /** Whether the TEE's PCR was approved at the settlement's position (pcrApprovedAt); undefined when unknown. */
  pcrApprovedAtBlock: boolean | undefined;
}

/** api.graphql SettlementChecks. */
export interface SettlementChecks {
  signature: Check;
  freshness: Check;
  teeEnabled: Check;
  pcrValid: Check;
}

/**
 * Rules 1-4 of a settlement as judged at its block. Rule 4's retroactive part (a PCRRevoked indexed later) is
 * applied to the stored result by applyRevocation, and rule 1 is judged again once an unregistered TEE registers.
 */
export function settlementChecks(input: SettlementCheckInput): SettlementChecks {
  return {
    signature: signatureCheck(input.key, input.inputHash, input.outputHash, input.timestamp, input.signature),
    freshness: freshnessCheck(input.timestamp, input.blockTimestamp),
    teeEnabled: teeEnabledCheck(input.tee, input.blockNumber),
    pcrValid: pcrValidCheck({
      teeRegistered: input.tee?.registeredAtBlock !== undefined,
      pcrApprovedAtBlock: input.pcrApprovedAtBlock,
      revokedSince: false,
    }),
  };
}

/**
 * The retroactive rule as a predicate: the PCRs a revocation covers. A revocation indexed after a row turns that
 * row's pcrValid PASS into FAIL when the row's TEE PCR is covered (same pcrHash, and the same teeType unless the
 * revocation is the one-argument form). A later re-approval does not clear that taint: nothing turns it back.
 */
export function revocationCovers(revocation: PcrRevocation): (pcr: PcrRef) => boolean {
  const hash = revocation.pcrHash.toLowerCase();
  const teeType = revocation.teeType;
  return (pcr) => sameHex(pcr.pcrHash, hash) && (teeType === undefined || teeType === pcr.teeType);
}

/** An earlier pcrValid result after a revocation is indexed: PASS becomes FAIL if the revocation covers its PCR. */
export function applyRevocation(check: Check, pcr: PcrRef, revocation: PcrRevocation): Check {
  return check === "PASS" && revocationCovers(revocation)(pcr) ? "FAIL" : check;
}

/** A PCRApproved or PCRRevoked event with its position, for replaying approvals. */
export type PcrEvent =
  | ({ kind: "approved" } & PcrRef & LogPosition)
  | ({ kind: "revoked" } & PcrRevocation & LogPosition);

/**
 * Whether `pcr` was approved just before `position`: the latest event before it that concerns the pcr is an
 * approval. `events` in any order. (Same block: events before the row's log index count, later ones do not.)
 */
export function pcrApprovedAt(events: Iterable<PcrEvent>, pcr: PcrRef, position: LogPosition): boolean {
  let latest: PcrEvent | undefined;
  for (const event of events) {
    if (!isAfter(position, event)) continue;
    const concerns =
      event.kind === "approved"
        ? sameHex(event.pcrHash, pcr.pcrHash) && event.teeType === pcr.teeType
        : revocationCovers(event)(pcr);
    if (concerns && (latest === undefined || isAfter(event, latest))) latest = event;
  }
  return latest?.kind === "approved";
}

/** Whether a revocation covering `pcr` comes after `position` (rule 4's "indexed since"). */
export function revokedSince(
  revocations: Iterable<PcrRevocation & LogPosition>,
  pcr: PcrRef,
  position: LogPosition,
): boolean {
  for (const revocation of revocations) {
    if (isAfter(revocation, position) && revocationCovers(revocation)(pcr)) return true;
  }
  return false;
}

/** Settlement.timestamp: the signed time as a Date, or null beyond 9999-12-31T23:59:59Z (a DateTime cannot show it). */
export function settlementTimestampDate(timestampSeconds: bigint): Date | null {
  if (timestampSeconds < 0n || timestampSeconds > MAX_DATE_SECONDS) return null;
  return new Date(Number(timestampSeconds) * 1000);
}
