import { constants, generateKeyPairSync, sign } from "node:crypto";
import { bytesToHex, type Hex, hexToBytes, keccak256 } from "viem";
import { describe, expect, it } from "vitest";
import { signPss } from "./pss-sign.ts";
import { verifyPss } from "./pss-verify.ts";
import { createRng } from "./rng.ts";
import { generateTeeKey } from "./rsa-keygen.ts";

const tee = generateTeeKey(createRng("verifier"));
const message = keccak256("0xabcd");
const signature = signPss(tee.privateKey, message);

describe("verifyPss", () => {
  it("accepts a valid signature, including one node:crypto made with a random salt", () => {
    expect(verifyPss(tee.publicKeyDer, message, signature)).toBe(true);
    const nodeSignature = sign("sha256", hexToBytes(message), {
      key: tee.privateKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 32,
    });
    expect(verifyPss(tee.publicKeyDer, message, bytesToHex(nodeSignature))).toBe(true);
  });

  it("rejects a signature with another salt length", () => {
    const salt20 = sign("sha256", hexToBytes(message), {
      key: tee.privateKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 20,
    });
    expect(verifyPss(tee.publicKeyDer, message, bytesToHex(salt20))).toBe(false);
  });

  it("rejects a flipped bit in the signature or the message", () => {
    const flipped = hexToBytes(signature);
    flipped[100] ^= 1;
    expect(verifyPss(tee.publicKeyDer, message, bytesToHex(flipped))).toBe(false);
    expect(verifyPss(tee.publicKeyDer, keccak256("0xabce"), signature)).toBe(false);
  });

  it("returns false, without throwing, for wrong-length or malformed signatures", () => {
    const cases: Hex[] = [
      "0x",
      signature.slice(0, -2) as Hex, // 255 bytes
      `${signature}00`, // 257 bytes
      `0x00${signature.slice(2)}` as Hex, // 257 bytes with a leading zero
      `${signature.slice(0, -1)}` as Hex, // odd number of hex digits
      `0x${"zz".repeat(256)}` as Hex,
      `0x${"ff".repeat(256)}`, // above the modulus
      `0x${"00".repeat(256)}`,
    ];
    for (const bad of cases) expect(verifyPss(tee.publicKeyDer, message, bad), bad.slice(0, 20)).toBe(false);
  });

  it("returns false, without throwing, for malformed or non-RSA keys", () => {
    const ecSpki = bytesToHex(
      generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "der" }),
    );
    const pkcs1 = bytesToHex(tee.publicKey.export({ type: "pkcs1", format: "der" }));
    const cases: Hex[] = [
      "0x",
      "0x3082",
      "0x1234",
      tee.publicKeyDer.slice(0, -2) as Hex, // truncated DER
      `${tee.publicKeyDer}00`, // trailing garbage, which OpenSSL alone would ignore
      tee.publicKeyDer.slice(0, -1) as Hex,
      "0xnothex" as Hex,
      ecSpki,
      pkcs1, // an RSA key, but not spki
    ];
    for (const bad of cases) expect(verifyPss(bad, message, signature), bad.slice(0, 20)).toBe(false);
  });

  it("gives the same answers on repeated calls (parsed keys are cached) and ignores hex case", () => {
    const upper = `0x${tee.publicKeyDer.slice(2).toUpperCase()}` as Hex;
    for (let i = 0; i < 3; i++) {
      expect(verifyPss(tee.publicKeyDer, message, signature)).toBe(true);
      expect(verifyPss(upper, message, signature)).toBe(true);
      expect(verifyPss(`${tee.publicKeyDer}00`, message, signature)).toBe(false);
      expect(verifyPss(tee.publicKeyDer, keccak256("0x00"), signature)).toBe(false);
    }
  });

  it("rejects a signature by another key", () => {
    const other = generateTeeKey(createRng("verifier-other"));
    expect(verifyPss(other.publicKeyDer, message, signature)).toBe(false);
  });

  it("throws for a message that is not 32 bytes: that is the caller's bug, not chain data", () => {
    expect(() => verifyPss(tee.publicKeyDer, "0xabcd", signature)).toThrow(/32 bytes/);
  });
});
