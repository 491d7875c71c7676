import { constants, createHash, createHmac, type KeyObject, privateEncrypt } from "node:crypto";
import { bytesToHex, type Hex, keccak256 } from "viem";
import { message32ToBytes } from "./messages.ts";
import type { Rng } from "./rng.ts";

/** The spec's scheme: RSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt (shared/spec/contracts.sol). */
export const PSS_SALT_BYTES = 32;
const HASH_BYTES = 32;

export interface SignPssOptions {
  /** The PSS salt (32 bytes). Default: HMAC-SHA256 of the message keyed by the private key, so signing is repeatable. */
  salt?: Uint8Array;
}

/**
 * RSA-PSS signature over a 32-byte message (a keccak256 hash; the RSA digest is sha256 of it), deterministic:
 * EMSA-PSS-ENCODE (RFC 8017 §9.1.1) here, then the raw RSA private operation in node:crypto. Any verifier of
 * RSA-PSS/SHA-256/salt 32 accepts it, e.g. crypto.verify("sha256", message, {key, padding: PSS, saltLength: 32}).
 */
export function signPss(privateKey: KeyObject, message32: Hex, options: SignPssOptions = {}): Hex {
  const modulusBits = rsaModulusBits(privateKey);
  const message = message32ToBytes(message32);
  const salt = options.salt ?? deriveSalt(privateKey, message);
  if (salt.length !== PSS_SALT_BYTES) {
    throw new RangeError(`Got a ${salt.length}-byte salt, expected ${PSS_SALT_BYTES} bytes`);
  }
  const modulusBytes = Math.ceil(modulusBits / 8);
  const em = emsaPssEncode(message, modulusBits - 1, salt);
  // RSA_NO_PADDING needs exactly the modulus length; EM is one byte shorter when modBits = 8k + 1.
  const input = new Uint8Array(modulusBytes);
  input.set(em, modulusBytes - em.length);
  return bytesToHex(privateEncrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, input));
}

/** EMSA-PSS-ENCODE (RFC 8017 §9.1.1) with SHA-256 and MGF1-SHA-256. */
export function emsaPssEncode(message: Uint8Array, emBits: number, salt: Uint8Array): Uint8Array {
  const emLength = Math.ceil(emBits / 8);
  if (emLength < HASH_BYTES + salt.length + 2) throw new RangeError("PSS encoding error: modulus too short");
  const mHash = sha256(message);
  // M' = (0x)00 00 00 00 00 00 00 00 || mHash || salt
  const h = sha256(concat(new Uint8Array(8), mHash, salt));
  // DB = PS || 0x01 || salt, PS being zeros
  const db = new Uint8Array(emLength - HASH_BYTES - 1);
  db[db.length - salt.length - 1] = 0x01;
  db.set(salt, db.length - salt.length);
  const mask = mgf1Sha256(h, db.length);
  for (let i = 0; i < db.length; i++) db[i] ^= mask[i];
  // Clear the leftmost 8*emLen - emBits bits so the encoded integer is below the modulus.
  db[0] &= 0xff >>> (8 * emLength - emBits);
  return concat(db, h, Uint8Array.of(0xbc));
}

/** MGF1 (RFC 8017 B.2.1) with SHA-256. */
function mgf1Sha256(seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const counter = Buffer.alloc(4);
  for (let offset = 0, i = 0; offset < length; offset += HASH_BYTES, i++) {
    counter.writeUInt32BE(i);
    const block = createHash("sha256").update(seed).update(counter).digest();
    out.set(block.subarray(0, Math.min(HASH_BYTES, length - offset)), offset);
  }
  return out;
}

/** Ways to make a signature that looks plausible on chain but must fail verification. */
export type ForgeKind = "otherMessage" | "otherKey" | "randomBytes" | "truncated";
export const FORGE_KINDS: readonly ForgeKind[] = ["otherMessage", "otherKey", "randomBytes", "truncated"];

export interface ForgeInput {
  /** The key whose signature is being imitated (the TEE's own key). */
  privateKey: KeyObject;
  /** The message a valid signature would cover. */
  message32: Hex;
  rng: Rng;
  /** Required for "otherKey": a key that is not the TEE's. */
  otherPrivateKey?: KeyObject;
}

/**
 * A wrong signature for `message32` under `privateKey`'s public key:
 * - otherMessage: a valid signature by the same key over a different (random) message;
 * - otherKey: a valid signature over this message by `otherPrivateKey`;
 * - randomBytes: random bytes of the modulus length, below the modulus so verifiers do the full check;
 * - truncated: the valid signature with its last byte cut off (wrong length).
 */
export function forgeSignature(kind: ForgeKind, input: ForgeInput): Hex {
  const { privateKey, message32, rng } = input;
  switch (kind) {
    case "otherMessage": {
      // keccak of the message and fresh bytes: never equal to the message itself.
      const other = keccak256(concat(message32ToBytes(message32), rng.bytes(32)));
      return signPss(privateKey, other);
    }
    case "otherKey": {
      if (!input.otherPrivateKey) throw new TypeError('forgeSignature("otherKey") needs otherPrivateKey');
      if (input.otherPrivateKey.equals(privateKey)) {
        throw new TypeError('forgeSignature("otherKey") got the signer\'s own key as otherPrivateKey');
      }
      return signPss(input.otherPrivateKey, message32);
    }
    case "randomBytes": {
      const modulusBits = rsaModulusBits(privateKey);
      const bytes = rng.bytes(Math.ceil(modulusBits / 8));
      // Below 2^(modBits-1), hence below the modulus, so a verifier does the full check rather than a range check.
      bytes[0] &= 0xff >>> (8 * bytes.length - (modulusBits - 1));
      return bytesToHex(bytes);
    }
    case "truncated": {
      return signPss(privateKey, message32).slice(0, -2) as Hex;
    }
  }
}

/** Per-key HMAC key for salts, cached so signing does not export the private key each time. */
const saltKeys = new WeakMap<KeyObject, Buffer>();

/** salt = HMAC-SHA256(sha256("pss-salt/v1" || pkcs8(privateKey)), message): repeatable, secret-dependent. */
function deriveSalt(privateKey: KeyObject, message: Uint8Array): Uint8Array {
  let saltKey = saltKeys.get(privateKey);
  if (!saltKey) {
    const pkcs8 = privateKey.export({ type: "pkcs8", format: "der" });
    saltKey = createHash("sha256").update("pss-salt/v1\0").update(pkcs8).digest();
    saltKeys.set(privateKey, saltKey);
  }
  return createHmac("sha256", saltKey).update(message).digest();
}

function rsaModulusBits(privateKey: KeyObject): number {
  const bits = privateKey.asymmetricKeyDetails?.modulusLength;
  if (privateKey.type !== "private" || privateKey.asymmetricKeyType !== "rsa" || bits === undefined) {
    throw new TypeError(
      `Got a ${privateKey.asymmetricKeyType ?? "?"} ${privateKey.type} key, expected an RSA private key`,
    );
  }
  return bits;
}

function sha256(data: Uint8Array): Uint8Array {
  return createHash("sha256").update(data).digest();
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}
