import { constants, createPublicKey, type KeyObject, verify } from "node:crypto";
import { type Hex, hexToBytes, isHex } from "viem";
import { message32ToBytes } from "./messages.ts";
import { PSS_SALT_BYTES } from "./pss-sign.ts";

/**
 * Whether `signatureHex` is an RSA-PSS (SHA-256, MGF1-SHA-256, salt 32) signature of the 32-byte message by the
 * RSA key in `publicKeyDerHex` (DER SubjectPublicKeyInfo). Key and signature come from the chain, so anything
 * malformed there (not hex, not exactly one DER RSA spki key, wrong length, value >= modulus) is false, never an
 * exception. The message is computed by the caller: one that is not 32 bytes throws.
 */
export function verifyPss(publicKeyDerHex: Hex, message32Hex: Hex, signatureHex: Hex): boolean {
  const message = message32ToBytes(message32Hex);
  const key = parseRsaSpki(publicKeyDerHex);
  if (!key || !isHex(signatureHex, { strict: true }) || signatureHex.length % 2 !== 0) return false;
  const signature = hexToBytes(signatureHex);
  if (signature.length !== Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8)) return false;
  try {
    return verify(
      "sha256",
      message,
      { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: PSS_SALT_BYTES },
      signature,
    );
  } catch {
    return false; // OpenSSL reports some malformed signatures as errors; for a verifier they are just invalid
  }
}

/**
 * Parsed keys by DER hex, null for a malformed one: parsing and the canonical-form check cost ~200 µs, ten times
 * the verification itself, and a TEE signs many messages. Bounded; the oldest entry goes first.
 */
const parsedKeys = new Map<string, KeyObject | null>();
const PARSED_KEYS_LIMIT = 1024;

function parseRsaSpki(publicKeyDerHex: Hex): KeyObject | null {
  const id = publicKeyDerHex.toLowerCase();
  const cached = parsedKeys.get(id);
  if (cached !== undefined) return cached;
  const key = parseUncached(publicKeyDerHex);
  if (parsedKeys.size >= PARSED_KEYS_LIMIT) parsedKeys.delete(parsedKeys.keys().next().value as string);
  parsedKeys.set(id, key);
  return key;
}

function parseUncached(publicKeyDerHex: Hex): KeyObject | null {
  if (!isHex(publicKeyDerHex, { strict: true }) || publicKeyDerHex.length % 2 !== 0) return null;
  const der = Buffer.from(hexToBytes(publicKeyDerHex));
  let key: KeyObject;
  try {
    key = createPublicKey({ key: der, format: "der", type: "spki" });
  } catch {
    return null; // not a DER spki key
  }
  if (key.asymmetricKeyType !== "rsa") return null;
  // OpenSSL ignores bytes after the DER structure; the key is its exact bytes (teeId = keccak256 of them).
  if (!key.export({ type: "spki", format: "der" }).equals(der)) return null;
  return key;
}
