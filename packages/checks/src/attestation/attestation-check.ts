import { decodeAbiParameters, type Hex } from "viem";
import { devnetPcrHash } from "../calldata.ts";
import { hexToBuffer } from "../hex.ts";
import type { CertificateInfo } from "./chain.ts";
import { verifyNitroDocument } from "./document.ts";
import { userDataBindingFailure } from "./user-data.ts";

/** og-evm's freshness window (validateAttestationTimestamp): the document at most this old at the block… */
export const ATTESTATION_MAX_AGE_SECONDS = 300;
/** …and at most this far ahead of it (clock skew). */
export const ATTESTATION_MAX_SKEW_SECONDS = 60;
/**
 * og-evm refuses documents older than this (1738281600000 ms, 2025-01-31T00:00:00Z; its comment says 2026,
 * its value is 2025), whatever the block time.
 */
export const MIN_ATTESTATION_TIMESTAMP_MS = 1_738_281_600_000;

export const DEVNET_DOCUMENT_REASON =
  "devnet document (abi.encode of three PCRs), not an AWS Nitro attestation";

export interface AttestationCheckInput {
  /** registerTEEWithAttestation's attestationDocument (0x hex). */
  document: Hex;
  /** Its signingPublicKey (0x hex, DER). */
  signingPublicKey: Hex;
  /** Its tlsCertificate (0x hex, DER). */
  tlsCertificate: Hex;
  /** The registration block's timestamp, in Unix seconds. */
  blockTime: number;
  /** Whether `pcrHash` is approved for the registration's TEE type at its block (the caller binds both). */
  isPcrApproved: (pcrHash: Hex) => boolean;
  /** The trust anchor (PEM); the pinned AWS Nitro root unless a test supplies its own. */
  rootPem?: string;
}

/**
 * The indexer's own verdict on a registration's attestation document:
 * - NITRO: an AWS Nitro document (CBOR COSE_Sign1), PASS only when every step passes, else FAIL with
 *   the first failure as the reason;
 * - DEVNET: the devnet's abi.encode(bytes pcr0, bytes pcr1, bytes pcr2), NOT_APPLICABLE (nothing to verify);
 * - UNRECOGNIZED: anything else, FAIL.
 * The other fields are what the document says, filled as soon as it decodes; on FAIL they are unverified
 * claims.
 */
export interface AttestationCheckResult {
  format: "NITRO" | "DEVNET" | "UNRECOGNIZED";
  status: "PASS" | "FAIL" | "NOT_APPLICABLE";
  reason: string | null;
  moduleId: string | null;
  timestampMs: number | null;
  pcr0: Hex | null;
  pcr1: Hex | null;
  pcr2: Hex | null;
  pcrHash: Hex | null;
  /** Root first: the document's cabundle in order, then the leaf. Empty when not a decoded Nitro document. */
  certificates: CertificateInfo[];
  userData: Hex | null;
}

/**
 * Verifies a registration's attestation document the way OpenGradient's TEE precompile does, the first
 * failure being the reason: decode; the COSE signature with the leaf certificate; the chain to the pinned
 * root at the document's time; the PCR hash approved for the TEE type; user_data binding the registered TLS
 * certificate and signing key; the document fresh at the registration block. Never throws (unless
 * isPcrApproved does).
 */
export function attestationCheck(input: AttestationCheckInput): AttestationCheckResult {
  try {
    return checkDocument(input);
  } catch (err) {
    // Anyone can register bytes: a document that trips node:crypto in a way no step foresaw is a FAIL with what
    // happened, never an exception in the mapping.
    return unrecognized(`the attestation document could not be verified (${(err as Error).message})`);
  }
}

function checkDocument(input: AttestationCheckInput): AttestationCheckResult {
  const bytes = hexToBuffer(input.document);
  if (bytes === undefined) return unrecognized("the attestation document is not 0x hex");
  if (bytes.length === 0) return unrecognized("the attestation document is empty");

  const devnet = devnetDocument(input.document);
  if (devnet !== undefined) {
    return {
      ...empty(),
      format: "DEVNET",
      status: "NOT_APPLICABLE",
      reason: DEVNET_DOCUMENT_REASON,
      ...devnet,
    };
  }

  const verified = verifyNitroDocument(bytes, input.rootPem === undefined ? {} : { rootPem: input.rootPem });
  if (verified.format === "UNRECOGNIZED") return unrecognized(verified.reason ?? "not a Nitro document");
  const doc = verified.document;
  const result: AttestationCheckResult = {
    format: "NITRO",
    status: "FAIL",
    reason: verified.reason,
    moduleId: doc?.moduleId ?? null,
    timestampMs: doc?.timestampMs ?? null,
    pcr0: doc?.pcr0 ?? null,
    pcr1: doc?.pcr1 ?? null,
    pcr2: doc?.pcr2 ?? null,
    pcrHash: doc?.pcrHash ?? null,
    certificates: doc?.certificates ?? [],
    userData: doc?.userData ?? null,
  };
  if (!verified.ok || doc === null) return result;

  const failure = registrationFailure(input, doc.pcrHash, doc.timestampMs, verified.userDataBytes);
  return failure === null ? { ...result, status: "PASS", reason: null } : { ...result, reason: failure };
}

/** The registration steps after the document's own verification: PCR approval, key binding, freshness. */
function registrationFailure(
  input: AttestationCheckInput,
  pcrHash: Hex,
  timestampMs: number,
  userData: Buffer | null,
): string | null {
  if (!input.isPcrApproved(pcrHash)) {
    return `PCR hash ${pcrHash} is not approved for the TEE type at the registration block`;
  }
  const signingPublicKey = hexToBuffer(input.signingPublicKey);
  if (signingPublicKey === undefined) return "the registered signing key is not 0x hex";
  const tlsCertificate = hexToBuffer(input.tlsCertificate);
  if (tlsCertificate === undefined) return "the registered TLS certificate is not 0x hex";
  return (
    userDataBindingFailure(userData, signingPublicKey, tlsCertificate) ??
    freshnessFailure(timestampMs, input.blockTime)
  );
}

/**
 * Why a document made at `timestampMs` is not fresh at a block of `blockTimeSeconds`, or null when it is
 * (og-evm validateAttestationTimestamp): the document time, in whole seconds (rounded down), at most
 * ATTESTATION_MAX_AGE_SECONDS before the block and at most ATTESTATION_MAX_SKEW_SECONDS after it.
 */
export function freshnessFailure(timestampMs: number, blockTimeSeconds: number): string | null {
  const when = new Date(timestampMs).toISOString();
  if (timestampMs < MIN_ATTESTATION_TIMESTAMP_MS) {
    return `the document's time ${when} is before ${new Date(MIN_ATTESTATION_TIMESTAMP_MS).toISOString()}, earlier than og-evm accepts`;
  }
  const documentSeconds = Math.floor(timestampMs / 1000);
  const age = blockTimeSeconds - documentSeconds;
  if (age > ATTESTATION_MAX_AGE_SECONDS) {
    return `the document (${when}) is ${age} s older than the registration block, more than ${ATTESTATION_MAX_AGE_SECONDS} s`;
  }
  if (-age > ATTESTATION_MAX_SKEW_SECONDS) {
    return `the document (${when}) is ${-age} s later than the registration block, more than ${ATTESTATION_MAX_SKEW_SECONDS} s`;
  }
  return null;
}

/** The devnet document's PCRs and hash, or undefined when the document is not abi.encode(bytes, bytes, bytes). */
function devnetDocument(document: Hex): { pcr0: Hex; pcr1: Hex; pcr2: Hex; pcrHash: Hex } | undefined {
  const pcrHash = devnetPcrHash(document);
  if (pcrHash === undefined) return undefined;
  const [pcr0, pcr1, pcr2] = decodeAbiParameters(
    [{ type: "bytes" }, { type: "bytes" }, { type: "bytes" }],
    document,
  );
  return { pcr0, pcr1, pcr2, pcrHash };
}

function unrecognized(reason: string): AttestationCheckResult {
  return { ...empty(), format: "UNRECOGNIZED", status: "FAIL", reason };
}

function empty(): Omit<AttestationCheckResult, "format" | "status" | "reason"> {
  return {
    moduleId: null,
    timestampMs: null,
    pcr0: null,
    pcr1: null,
    pcr2: null,
    pcrHash: null,
    certificates: [],
    userData: null,
  };
}
