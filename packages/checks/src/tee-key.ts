import { createPublicKey, type KeyObject } from "node:crypto";
import { type Hex, keccak256 } from "viem";
import { hexToBuffer, isHex32, sameHex } from "./hex.ts";

/**
 * A TEE's signing key as the indexer judges it (spec/README.md, "TEE keys"; contracts.sol: "teeId =
 * keccak256(signingPublicKey); signingPublicKey is a DER SubjectPublicKeyInfo RSA key (2048..8192 bits)").
 * - VALID: keccak256(bytes) is the teeId and the bytes are exactly one DER spki rsaEncryption key of
 *   2048..8192 bits;
 * - MISMATCH: keccak256(bytes) is not the claimed teeId (whatever the bytes are): the key is unknown;
 * - MALFORMED: the hash matches but the bytes are not such a key: the key is unknown too.
 */
export type TeeKeyResult =
  | { status: "VALID"; key: KeyObject; modulusBits: number }
  | { status: "MISMATCH" | "MALFORMED"; reason: string };

export const MIN_RSA_BITS = 2048;
export const MAX_RSA_BITS = 8192;
/** Parsed keys kept (by teeId). A network has far fewer TEEs; an evicted key is simply parsed again. */
export const TEE_KEY_CACHE_CAPACITY = 4096;

interface CacheEntry {
  /** The key bytes as given, lowercased: a hit needs the same bytes, not only the same teeId. */
  publicKey: string;
  result: TeeKeyResult;
}

/**
 * Least recently used first: a Map iterates in insertion order, and a hit is moved to the end. Only results
 * whose hash matched are cached (VALID and MALFORMED): the teeId then pins the bytes, so a MISMATCH for some
 * other bytes can never evict or shadow a good key.
 */
const cache = new Map<string, CacheEntry>();
let capacity = TEE_KEY_CACHE_CAPACITY;

/**
 * Judges `publicKey` (the registration's signingPublicKey, 0x hex) as the key of `claimedTeeId`. Never
 * throws. Parsing and the canonical-form check cost ~100x a cache hit, and one TEE signs thousands of
 * settlements, so results are cached by teeId (bounded LRU). A VALID key is a node:crypto KeyObject for
 * verifyPssSignature.
 */
export function parseTeeKey(publicKey: Hex, claimedTeeId: Hex): TeeKeyResult {
  if (!isHex32(claimedTeeId)) {
    return { status: "MISMATCH", reason: `teeId ${String(claimedTeeId)} is not 32 bytes of 0x hex` };
  }
  const teeId = claimedTeeId.toLowerCase();
  const cached = cache.get(teeId);
  if (cached !== undefined && typeof publicKey === "string" && sameHex(cached.publicKey, publicKey)) {
    cache.delete(teeId);
    cache.set(teeId, cached);
    return cached.result;
  }
  const der = hexToBuffer(publicKey);
  if (der === undefined) return { status: "MALFORMED", reason: "the public key is not 0x hex" };
  const hash = keccak256(der);
  if (hash !== teeId) {
    return { status: "MISMATCH", reason: `keccak256(publicKey) is ${hash}, not the teeId ${teeId}` };
  }
  const result = parseRsaSpki(der);
  if (cache.size >= capacity) cache.delete(cache.keys().next().value as string);
  cache.set(teeId, { publicKey: publicKey.toLowerCase(), result });
  return result;
}

/** The same judgement without the teeId: whether `der` is exactly one DER spki RSA key of 2048..8192 bits. */
export function parseRsaSpki(der: Uint8Array): TeeKeyResult {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(der), format: "der", type: "spki" });
  } catch (error) {
    return { status: "MALFORMED", reason: `not a DER SubjectPublicKeyInfo key: ${(error as Error).message}` };
  }
  // "rsa" is the rsaEncryption OID. An id-RSASSA-PSS key ("rsa-pss") may carry parameters (hash, salt) that
  // would contradict the spec's fixed scheme; the spec asks for an RSA key, which a TEE exports as rsaEncryption.
  if (key.asymmetricKeyType !== "rsa") {
    return { status: "MALFORMED", reason: `a ${key.asymmetricKeyType ?? "unknown"} key, expected RSA` };
  }
  const modulusBits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (modulusBits < MIN_RSA_BITS || modulusBits > MAX_RSA_BITS) {
    return {
      status: "MALFORMED",
      reason: `a ${modulusBits}-bit RSA key, expected ${MIN_RSA_BITS}..${MAX_RSA_BITS} bits`,
    };
  }
  // OpenSSL ignores bytes after the DER structure (and may accept some non-canonical encodings); the key is
  // its exact bytes, since the teeId is their hash, so only a key that re-exports to the same bytes counts.
  if (!key.export({ type: "spki", format: "der" }).equals(der)) {
    return {
      status: "MALFORMED",
      reason: "the bytes are not exactly one canonical DER key (trailing or non-canonical bytes)",
    };
  }
  return { status: "VALID", key, modulusBits };
}

/** Forgets every cached key (tests; or after a configuration change). */
export function clearTeeKeyCache(): void {
  cache.clear();
}

/** Number of cached keys. */
export function teeKeyCacheSize(): number {
  return cache.size;
}

/** Sets the cache's bound (at least 1), evicting the least recently used keys beyond it. */
export function setTeeKeyCacheCapacity(maxKeys: number): void {
  if (!Number.isInteger(maxKeys) || maxKeys < 1)
    throw new RangeError(`Got ${maxKeys}, expected an integer >= 1`);
  capacity = maxKeys;
  while (cache.size > capacity) cache.delete(cache.keys().next().value as string);
}

/**
 * The key the checks verify with: the KeyObject of a VALID result, undefined otherwise. A MISMATCH or
 * MALFORMED key does not count (spec: "otherwise the key is unknown"), so signatures against it are UNKNOWN.
 */
export function usableKey(result: TeeKeyResult | undefined): KeyObject | undefined {
  return result?.status === "VALID" ? result.key : undefined;
}
