import { constants, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { type Hex, keccak256 } from "viem";
import { describe, expect, test } from "vitest";
import { FORGE_KINDS, forgeSignature, signPss } from "../../../devnet/src/crypto/pss-sign.ts";
import { createRng } from "../../../devnet/src/crypto/rng.ts";
import { generateTeeKey } from "../../../devnet/src/crypto/rsa-keygen.ts";
import { verifyPssSignature } from "./rsa-pss.ts";

const tee = generateTeeKey(createRng("rsa-pss-test"));
const other = generateTeeKey(createRng("rsa-pss-test-other"));
const message = keccak256("0x01");
const valid = signPss(tee.privateKey, message);

/** A PSS signature made by node:crypto (random salt), as a non-devnet signer would. */
function nodeSign(privateKey: KeyObject, message32: Hex, saltLength = 32): Hex {
  const signature = sign("sha256", Buffer.from(message32.slice(2), "hex"), {
    key: privateKey,
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength,
  });
  return `0x${signature.toString("hex")}`;
}

describe("verifyPssSignature", () => {
  test("accepts the TEE's signature of the message, in either hex case", () => {
    expect(verifyPssSignature(tee.publicKey, message, valid)).toBe(true);
    expect(verifyPssSignature(tee.publicKey, message, `0x${valid.slice(2).toUpperCase()}`)).toBe(true);
  });

  test("accepts a randomized-salt signature by node:crypto with salt length 32, and not with another salt length", () => {
    expect(verifyPssSignature(tee.publicKey, message, nodeSign(tee.privateKey, message))).toBe(true);
    expect(verifyPssSignature(tee.publicKey, message, nodeSign(tee.privateKey, message, 20))).toBe(false);
  });

  test("rejects a signature of another message, or by another key", () => {
    expect(verifyPssSignature(tee.publicKey, keccak256("0x02"), valid)).toBe(false);
    expect(verifyPssSignature(other.publicKey, message, valid)).toBe(false);
  });

  for (const kind of FORGE_KINDS) {
    test(`rejects a devnet "${kind}" forgery without throwing`, () => {
      const forged = forgeSignature(kind, {
        privateKey: tee.privateKey,
        message32: message,
        rng: createRng(`forge-${kind}`),
        otherPrivateKey: other.privateKey,
      });
      expect(verifyPssSignature(tee.publicKey, message, forged)).toBe(false);
    });
  }

  test("a wrong-length signature is false, not an exception: truncated, one byte long, padded, empty", () => {
    for (const signature of [
      valid.slice(0, -2),
      valid.slice(0, 66),
      `${valid}00`,
      `0x00${valid.slice(2)}`,
      "0x",
    ]) {
      expect(verifyPssSignature(tee.publicKey, message, signature as Hex)).toBe(false);
    }
  });

  test("a signature >= the modulus, or all zeros, is false, not an exception", () => {
    expect(verifyPssSignature(tee.publicKey, message, `0x${"ff".repeat(256)}`)).toBe(false);
    expect(verifyPssSignature(tee.publicKey, message, `0x${"00".repeat(256)}`)).toBe(false);
  });

  test("malformed hex in the signature or the message, or a message that is not 32 bytes, is false", () => {
    expect(verifyPssSignature(tee.publicKey, message, `0x${"zz".repeat(256)}` as Hex)).toBe(false);
    expect(verifyPssSignature(tee.publicKey, message, `${valid.slice(0, -1)}g` as Hex)).toBe(false);
    expect(verifyPssSignature(tee.publicKey, message, valid.slice(2) as Hex)).toBe(false);
    expect(verifyPssSignature(tee.publicKey, "0x01", valid)).toBe(false);
    expect(verifyPssSignature(tee.publicKey, `${message}00`, valid)).toBe(false);
    expect(verifyPssSignature(tee.publicKey, `0x${"zz".repeat(32)}` as Hex, valid)).toBe(false);
    expect(verifyPssSignature(tee.publicKey, undefined as unknown as Hex, valid)).toBe(false);
    expect(verifyPssSignature(tee.publicKey, message, undefined as unknown as Hex)).toBe(false);
  });

  test("a key that is not an RSA public key is false, not an exception", () => {
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey;
    expect(verifyPssSignature(ec, message, valid)).toBe(false);
    expect(verifyPssSignature(undefined as unknown as KeyObject, message, valid)).toBe(false);
    expect(verifyPssSignature({} as KeyObject, message, valid)).toBe(false);
  });

  test("works with a 4096-bit key: 512-byte signatures", () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 4096 });
    const signature = nodeSign(privateKey, message);
    expect(signature.length).toBe(2 + 2 * 512);
    expect(verifyPssSignature(publicKey, message, signature)).toBe(true);
    expect(verifyPssSignature(publicKey, message, valid)).toBe(false);
  });
});
