import { constants, type KeyObject, verify } from "node:crypto";
import type { Hex } from "viem";
import { hexToBuffer } from "./hex.ts";

/** The spec's scheme (contracts.sol): RSA-PSS, SHA-256, MGF1-SHA-256, salt length 32. */
export const PSS_SALT_LENGTH = 32;

/** Modulus length in bytes per key; asymmetricKeyDetails builds a new object on every read. */
const modulusBytesByKey = new WeakMap<KeyObject, number>();

/**
 * Whether `signature` is an RSA-PSS signature (SHA-256 digest of the 32-byte message, MGF1-SHA-256, salt 32)
 * of `message32` by the RSA public `key` (from parseTeeKey). Signatures come from the chain, so anything
 * malformed (not hex, not exactly the modulus length, a value >= the modulus, a message that is not 32 bytes,
 * a key that is not RSA) gives false, never an exception.
 */
export function verifyPssSignature(key: KeyObject, message32: Hex, signature: Hex): boolean {
  const modulusBytes = modulusBytesOf(key);
  if (modulusBytes === 0) return false;
  // Length checks on the text first: a wrong-length signature costs no decoding.
  if (typeof signature !== "string" || signature.length !== 2 + 2 * modulusBytes) return false;
  if (typeof message32 !== "string" || message32.length !== 66) return false;
  const message = hexToBuffer(message32);
  const sig = hexToBuffer(signature);
  if (message === undefined || sig === undefined) return false;
  try {
    return verify(
      "sha256",
      message,
      { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: PSS_SALT_LENGTH },
      sig,
    );
  } catch {
    return false; // OpenSSL reports some malformed signatures as errors; to a verifier they are just invalid
  }
}

function modulusBytesOf(key: KeyObject): number {
  if (typeof key !== "object" || key === null) return 0;
  let bytes = modulusBytesByKey.get(key);
  if (bytes === undefined) {
    let bits = 0;
    try {
      if (key.type === "public" && key.asymmetricKeyType === "rsa") {
        bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
      }
    } catch {
      bits = 0; // not a KeyObject
    }
    bytes = Math.ceil(bits / 8);
    modulusBytesByKey.set(key, bytes);
  }
  return bytes;
}
