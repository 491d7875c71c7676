import { createHash } from "node:crypto";
import type { Hex } from "viem";

// OpenGradient's enclaves run nitriding, which puts two multihashes in the document's user_data: sha256 of
// the enclave's TLS certificate (DER), then sha256 of its signing public key (DER). That is what binds the
// keys a registration submits to the attested enclave (og-evm ParseNitridingUserData,
// VerifyTLSCertificateBinding, VerifySigningKeyBinding). Like og-evm, the 2-byte multihash prefixes
// (0x12 0x20) are not checked.

/** [prefix:2][sha256(TLS certificate):32][prefix:2][sha256(signing key):32]. */
export const NITRIDING_USER_DATA_LENGTH = 68;
/** og-evm's limit on the registered TLS certificate and signing key (8 KiB each). */
export const MAX_REGISTERED_KEY_BYTES = 8 * 1024;

export interface NitridingKeyHashes {
  /** user_data[0..2], the multihash prefix of the TLS certificate's hash (0x1220 for sha256, 32 bytes). */
  tlsCertificatePrefix: Hex;
  /** user_data[2..34]. */
  tlsCertificateSha256: Hex;
  /** user_data[34..36]. */
  signingKeyPrefix: Hex;
  /** user_data[36..68]. */
  signingKeySha256: Hex;
}

/** The two hashes of a nitriding user_data, or why it is not one (absent, or not 68 bytes). */
export function parseNitridingUserData(
  userData: Uint8Array | null,
): { ok: true; value: NitridingKeyHashes } | { ok: false; reason: string } {
  if (userData === null) return { ok: false, reason: "the document has no user_data to bind the keys" };
  if (userData.length !== NITRIDING_USER_DATA_LENGTH) {
    return {
      ok: false,
      reason: `user_data is ${userData.length} bytes, not the ${NITRIDING_USER_DATA_LENGTH} of two nitriding multihashes`,
    };
  }
  const hex = (from: number, to: number): Hex =>
    `0x${Buffer.from(userData.subarray(from, to)).toString("hex")}`;
  return {
    ok: true,
    value: {
      tlsCertificatePrefix: hex(0, 2),
      tlsCertificateSha256: hex(2, 34),
      signingKeyPrefix: hex(34, 36),
      signingKeySha256: hex(36, 68),
    },
  };
}

/**
 * Why user_data does not bind the registered TLS certificate and signing key (each DER, as submitted), or
 * null when it binds both. The TLS certificate first, as og-evm checks it.
 */
export function userDataBindingFailure(
  userData: Uint8Array | null,
  signingPublicKey: Uint8Array,
  tlsCertificate: Uint8Array,
): string | null {
  for (const [what, bytes] of [
    ["TLS certificate", tlsCertificate],
    ["signing key", signingPublicKey],
  ] as const) {
    if (bytes.length === 0) return `the registered ${what} is empty`;
    if (bytes.length > MAX_REGISTERED_KEY_BYTES) {
      return `the registered ${what} is ${bytes.length} bytes, more than the ${MAX_REGISTERED_KEY_BYTES} og-evm accepts`;
    }
  }
  const parsed = parseNitridingUserData(userData);
  if (!parsed.ok) return parsed.reason;
  const tls = sha256Hex(tlsCertificate);
  if (tls !== parsed.value.tlsCertificateSha256) {
    return `user_data does not bind the registered TLS certificate (sha256 ${short(tls)} ≠ ${short(parsed.value.tlsCertificateSha256)})`;
  }
  const signing = sha256Hex(signingPublicKey);
  if (signing !== parsed.value.signingKeySha256) {
    return `user_data does not bind the registered signing key (sha256 ${short(signing)} ≠ ${short(parsed.value.signingKeySha256)})`;
  }
  return null;
}

function sha256Hex(bytes: Uint8Array): Hex {
  return `0x${createHash("sha256").update(bytes).digest("hex")}`;
}

/** The first 8 bytes, as og-evm reports a mismatch: enough to tell hashes apart in a reason. */
function short(hash: Hex): string {
  return `${hash.slice(0, 18)}…`;
}
