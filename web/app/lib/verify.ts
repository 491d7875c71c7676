import { keccak_256 } from "@noble/hashes/sha3.js";
import { bytesToHex, hexToBytes } from "./hex";

// The indexer's own checks, again, in the browser: anyone can recompute a commitment and verify a TEE's RSA-PSS
// signature from what the page shows, without trusting the indexer or the explorer's server. Same rules as
// spec/README.md: RSA-PSS, SHA-256, MGF1-SHA-256, salt length 32, over a 32-byte keccak256 message.

export type CheckResult = "PASS" | "FAIL" | "UNKNOWN";

export function keccak256Hex(...parts: Uint8Array[]): string {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const all = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    all.set(p, offset);
    offset += p.length;
  }
  return bytesToHex(keccak_256(all));
}

function bytes32(hex: string, name: string): Uint8Array<ArrayBuffer> {
  const bytes = hexToBytes(hex.trim());
  if (bytes.length !== 32)
    throw new Error(`${name} must be 32 bytes (64 hex digits); got ${bytes.length} bytes`);
  return bytes;
}

function uint256(decimal: string, name: string): Uint8Array {
  const text = decimal.trim();
  if (!/^\d+$/.test(text)) throw new Error(`${name} must be a whole number; got ${JSON.stringify(decimal)}`);
  let value = BigInt(text);
  if (value >= 1n << 256n) throw new Error(`${name} does not fit in a uint256`);
  const out = new Uint8Array(32);
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return out;
}

/** keccak256(abi.encodePacked(bytes32 outputHash, bytes32 salt)). */
export function commitmentOf(outputHash: string, salt: string): string {
  return keccak256Hex(bytes32(outputHash, "Output hash"), bytes32(salt, "Salt"));
}

/** The message a TEE signs for a settlement: keccak256(abi.encodePacked(inputHash, outputHash, uint256 timestamp)). */
export function settlementMessage(inputHash: string, outputHash: string, timestampSeconds: string): string {
  return keccak256Hex(
    bytes32(inputHash, "Input hash"),
    bytes32(outputHash, "Output hash"),
    uint256(timestampSeconds, "Timestamp"),
  );
}

export interface SignatureVerdict {
  result: CheckResult;
  /** What was compared, in words. */
  detail: string;
}

/**
 * Verifies `signature` over `message32` with the TEE key `publicKeyDer` (DER SubjectPublicKeyInfo), after checking
 * that keccak256(key) is the claimed TEE id, as the indexer does. UNKNOWN when the key is missing or unusable.
 */
export async function verifyTeeSignature(args: {
  publicKeyDer: string | null;
  teeId: string;
  message32: string;
  signature: string;
  subtle?: SubtleCrypto;
}): Promise<SignatureVerdict> {
  const subtle = args.subtle ?? globalThis.crypto?.subtle;
  if (!subtle) {
    return {
      result: "UNKNOWN",
      detail: "this browser offers no WebCrypto here (it needs https or localhost)",
    };
  }
  if (!args.publicKeyDer) return { result: "UNKNOWN", detail: "the TEE's public key is not known" };
  const der = hexToBytes(args.publicKeyDer);
  const keyHash = keccak256Hex(der);
  if (keyHash !== args.teeId.toLowerCase()) {
    return {
      result: "UNKNOWN",
      detail: `keccak256(public key) is ${keyHash}, not the TEE id: the key does not count`,
    };
  }
  let key: CryptoKey;
  try {
    key = await subtle.importKey("spki", der, { name: "RSA-PSS", hash: "SHA-256" }, false, ["verify"]);
  } catch {
    return { result: "UNKNOWN", detail: "the public key is not an RSA key WebCrypto accepts" };
  }
  let signature: Uint8Array<ArrayBuffer>;
  try {
    signature = hexToBytes(args.signature.trim());
  } catch (err) {
    return { result: "FAIL", detail: (err as Error).message };
  }
  const message = bytes32(args.message32, "Message");
  let ok = false;
  try {
    ok = await subtle.verify({ name: "RSA-PSS", saltLength: 32 }, key, signature, message);
  } catch {
    ok = false; // malformed signatures are simply invalid
  }
  return {
    result: ok ? "PASS" : "FAIL",
    detail: ok
      ? `RSA-PSS signature over ${args.message32} verifies with the TEE's key`
      : `RSA-PSS signature over ${args.message32} does not verify with the TEE's key`,
  };
}
