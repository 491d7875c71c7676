import { constants, generateKeyPairSync, publicDecrypt, verify } from "node:crypto";
import { bytesToHex, type Hex, hexToBytes, keccak256 } from "viem";
import { describe, expect, it } from "vitest";
import { emsaPssEncode, FORGE_KINDS, forgeSignature, signPss } from "./pss-sign.ts";
import { verifyPss } from "./pss-verify.ts";
import { createRng } from "./rng.ts";
import { generateTeeKey } from "./rsa-keygen.ts";

const tee = generateTeeKey(createRng("signer"));
const other = generateTeeKey(createRng("someone-else"));
const message = keccak256("0x01");

/** Verification with node:crypto alone, as any third party would do it. */
function nodeVerifies(
  publicKey: typeof tee.publicKey,
  message32: Hex,
  signature: Hex,
  saltLength = 32,
): boolean {
  return verify(
    "sha256",
    hexToBytes(message32),
    { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength },
    hexToBytes(signature),
  );
}

describe("signPss", () => {
  it("makes a 256-byte signature that node:crypto verifies with salt length 32, and only 32", () => {
    const signature = signPss(tee.privateKey, message);
    expect(hexToBytes(signature)).toHaveLength(256);
    expect(nodeVerifies(tee.publicKey, message, signature)).toBe(true);
    expect(nodeVerifies(tee.publicKey, message, signature, 20)).toBe(false);
    expect(nodeVerifies(tee.publicKey, keccak256("0x02"), signature)).toBe(false);
    expect(nodeVerifies(other.publicKey, message, signature)).toBe(false);
  });

  it("gives the same bytes for the same key and message, and other bytes for another message", () => {
    const first = signPss(tee.privateKey, message);
    expect(signPss(tee.privateKey, message)).toBe(first);
    // A separately built KeyObject of the same key derives the same salt.
    expect(signPss(generateTeeKey(createRng("signer")).privateKey, message)).toBe(first);
    expect(signPss(tee.privateKey, keccak256("0x02"))).not.toBe(first);
    expect(signPss(other.privateKey, message)).not.toBe(first);
  });

  it("uses a given salt: the RSA public operation recovers exactly EMSA-PSS-ENCODE(message, salt)", () => {
    const rng = createRng("salts");
    const saltA = rng.bytes(32);
    const saltB = rng.bytes(32);
    const signatureA = signPss(tee.privateKey, message, { salt: saltA });
    const signatureB = signPss(tee.privateKey, message, { salt: saltB });
    expect(signatureB).not.toBe(signatureA);
    expect(signPss(tee.privateKey, message, { salt: saltA })).toBe(signatureA);
    expect(nodeVerifies(tee.publicKey, message, signatureA)).toBe(true);
    expect(nodeVerifies(tee.publicKey, message, signatureB)).toBe(true);
    const em = publicDecrypt(
      { key: tee.publicKey, padding: constants.RSA_NO_PADDING },
      hexToBytes(signatureA),
    );
    expect(bytesToHex(em)).toBe(bytesToHex(emsaPssEncode(hexToBytes(message), 2047, saltA)));
  });

  it("handles a modulus whose bit length is 8k + 1 (EM one byte shorter than the modulus)", () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 1025 });
    const signature = signPss(privateKey, message);
    expect(hexToBytes(signature)).toHaveLength(129);
    expect(nodeVerifies(publicKey, message, signature)).toBe(true);
  });

  it("refuses a message that is not 32 bytes, a salt that is not 32 bytes, and a non-RSA key", () => {
    expect(() => signPss(tee.privateKey, "0x01")).toThrow(/32 bytes/);
    expect(() => signPss(tee.privateKey, `${message}00`)).toThrow(/32 bytes/);
    expect(() => signPss(tee.privateKey, message, { salt: new Uint8Array(20) })).toThrow(/20-byte salt/);
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    expect(() => signPss(ec, message)).toThrow(/expected an RSA private key/);
    expect(() => signPss(tee.publicKey, message)).toThrow(/expected an RSA private key/);
  });
});

describe("emsaPssEncode", () => {
  it("builds 0x00-led, 0xbc-terminated EM with the top bit cleared", () => {
    const em = emsaPssEncode(hexToBytes(message), 2047, new Uint8Array(32).fill(9));
    expect(em).toHaveLength(256);
    expect(em[255]).toBe(0xbc);
    expect(em[0] & 0x80).toBe(0);
  });
});

describe("forgeSignature", () => {
  const rng = createRng("forge");
  const input = { privateKey: tee.privateKey, message32: message, rng, otherPrivateKey: other.privateKey };

  for (const kind of FORGE_KINDS) {
    it(`makes a "${kind}" signature that fails verification`, () => {
      const forged = forgeSignature(kind, input);
      expect(forged).not.toBe(signPss(tee.privateKey, message));
      expect(verifyPss(tee.publicKeyDer, message, forged)).toBe(false);
    });
  }

  it("makes believable forgeries: real signatures, the right length, or a prefix of the real one", () => {
    const valid = signPss(tee.privateKey, message);
    const otherKey = forgeSignature("otherKey", input);
    expect(nodeVerifies(other.publicKey, message, otherKey)).toBe(true);
    expect(hexToBytes(forgeSignature("otherMessage", input))).toHaveLength(256);
    expect(hexToBytes(forgeSignature("randomBytes", input))).toHaveLength(256);
    const truncated = forgeSignature("truncated", input);
    expect(hexToBytes(truncated)).toHaveLength(255);
    expect(valid.startsWith(truncated)).toBe(true);
  });

  it("forges the same bytes from the same rng state", () => {
    const forge = (kind: (typeof FORGE_KINDS)[number]) =>
      forgeSignature(kind, { ...input, rng: createRng("forge-replay") });
    for (const kind of FORGE_KINDS) expect(forge(kind)).toBe(forge(kind));
  });

  it("needs another key for an otherKey forgery", () => {
    expect(() => forgeSignature("otherKey", { ...input, otherPrivateKey: undefined })).toThrow(
      /otherPrivateKey/,
    );
    expect(() => forgeSignature("otherKey", { ...input, otherPrivateKey: tee.privateKey })).toThrow(
      /own key/,
    );
  });
});
