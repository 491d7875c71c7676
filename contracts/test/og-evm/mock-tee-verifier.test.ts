// MockTEEVerifier (contracts/og-evm/MockTEEVerifier.sol) installed at 0x…0900: its RSA-PSS verification accepts
// real signatures of devnet's signer and the spec's vectors, for keys of 2048 to 8192 bits, and rejects a flipped
// bit in the signature, the message or the key (node:crypto's verifier as the oracle); its attestation answers
// come from documents registered by the admin only.
import { generateKeyPair, generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { type Hex, keccak256, toHex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signPss } from "../../../devnet/src/crypto/pss-sign.ts";
import { verifyPss } from "../../../devnet/src/crypto/pss-verify.ts";
import { createRng } from "../../../devnet/src/crypto/rng.ts";
import {
  generateTeeKey,
  type TeeSigningKey,
  teeKeyFromPrivateKey,
} from "../../../devnet/src/crypto/rsa-keygen.ts";
import { flipBit, OgEvmChain, PRECOMPILE_ADDRESS } from "../../og-evm/deploy.ts";

let chain: OgEvmChain;

beforeAll(async () => {
  chain = await OgEvmChain.start();
});

afterAll(async () => {
  await chain?.stop();
});

const verify = (der: Hex, message: Hex, signature: Hex) =>
  chain.read<boolean>(chain.mock, "verifyRSAPSS", [der, message, signature]);

/** An RSA key of `bits` bits from node:crypto (public exponent `e`). */
function nodeKey(bits: number, e = 65537): TeeSigningKey {
  return teeKeyFromPrivateKey(
    generateKeyPairSync("rsa", { modulusLength: bits, publicExponent: e }).privateKey,
  );
}

/** The same, generated on libuv's thread pool (several at once: the 8192-bit one takes seconds). */
async function nodeKeyAsync(bits: number, e = 65537): Promise<TeeSigningKey> {
  const { privateKey } = await promisify(generateKeyPair)("rsa", { modulusLength: bits, publicExponent: e });
  return teeKeyFromPrivateKey(privateKey);
}

/** Byte offset of the modulus' last byte in an spki DER (the modulus ends where the exponent's TLV starts). */
function modulusEnd(der: Hex, eLength: number): number {
  return (der.length - 2) / 2 - (2 + eLength);
}

describe("MockTEEVerifier at 0x…0900", () => {
  it("is the mock's code, with the deployer as admin and empty storage", async () => {
    const code = (await chain.publicClient.getCode({ address: PRECOMPILE_ADDRESS })) ?? "0x";
    // The deployed code with the immutable admin filled in (three references to it).
    const admin = chain.deployer.slice(2).toLowerCase();
    expect(code.split(admin).length - 1).toBe(3);
    expect(code.replaceAll(admin, "00".repeat(20)) === chain.artifacts.MockTEEVerifier.deployedBytecode).toBe(
      true,
    );
    expect((await chain.read<string>(chain.mock, "admin")).toLowerCase()).toBe(chain.deployer.toLowerCase());
    expect(await chain.read(chain.mock, "pcrHashOfDocument", [keccak256("0x01")])).toBe(
      `0x${"00".repeat(32)}`,
    );
  });

  describe("verifyRSAPSS", () => {
    const rng = createRng("mock-tee-verifier");
    const specs: [string, () => Promise<TeeSigningKey>][] = [
      ["devnet RSA-2048 (rsa-keygen.ts)", async () => generateTeeKey(rng.fork("devnet"))],
      ["RSA-2049 (EM one byte shorter than the modulus)", () => nodeKeyAsync(2049)],
      ["RSA-3072", () => nodeKeyAsync(3072)],
      ["RSA-4096, e = 3", () => nodeKeyAsync(4096, 3)],
      ["RSA-8192", () => nodeKeyAsync(8192)],
    ];
    const keys: [string, TeeSigningKey][] = [];
    beforeAll(async () => {
      keys.push(
        ...(await Promise.all(
          specs.map(async ([label, make]) => [label, await make()] as [string, TeeSigningKey]),
        )),
      );
    });

    for (const [index, [label]] of specs.entries()) {
      it(`${label}: accepts real signatures; rejects a flipped bit in signature, message or key`, async () => {
        const [, key] = keys[index];
        for (let i = 0; i < 3; i++) {
          const message = rng.bytes32();
          const signature = signPss(key.privateKey, message);
          expect(verifyPss(key.publicKeyDer, message, signature)).toBe(true);
          expect(await verify(key.publicKeyDer, message, signature)).toBe(true);
          const k = (signature.length - 2) / 2;
          for (const [byte, bit] of [
            [0, 0],
            [Math.floor(k / 2), 5],
            [k - 1, 7],
            [k - 1, 0],
          ]) {
            const bad = flipBit(signature, byte, bit);
            expect(verifyPss(key.publicKeyDer, message, bad)).toBe(false);
            expect(await verify(key.publicKeyDer, message, bad), `signature byte ${byte} bit ${bit}`).toBe(
              false,
            );
          }
          for (const [byte, bit] of [
            [0, 0],
            [31, 7],
          ]) {
            expect(await verify(key.publicKeyDer, flipBit(message, byte, bit), signature)).toBe(false);
          }
          // The key: a bit of the modulus (its middle, its last byte), of the exponent, of the DER structure.
          const eLength = key.publicKey.asymmetricKeyDetails?.publicExponent === 3n ? 1 : 3;
          const nEnd = modulusEnd(key.publicKeyDer, eLength);
          for (const [byte, bit] of [
            [Math.floor(nEnd / 2), 2],
            [nEnd - 1, 1],
            [nEnd - 1, 0],
            [-1, 1],
            [0, 0],
            [1, 0],
          ]) {
            const badKey = flipBit(key.publicKeyDer, byte, bit);
            expect(await verify(badKey, message, signature), `key byte ${byte} bit ${bit}`).toBe(false);
          }
        }
      });
    }

    it("accepts the spec's signature vectors and rejects the forged one", async () => {
      const v = JSON.parse(
        readFileSync(new URL("../../../../shared/spec/signature-vectors.json", import.meta.url), "utf8"),
      );
      expect(await verify(v.publicKeyDer, v.settlement.message, v.settlement.signature)).toBe(true);
      expect(await verify(v.publicKeyDer, v.heartbeat.message, v.heartbeat.signature)).toBe(true);
      expect(await verify(v.publicKeyDer, v.forgedSettlement.message, v.forgedSettlement.signature)).toBe(
        false,
      );
    });

    it("rejects what Go's x509/rsa reject: wrong lengths, s >= n, small or malformed keys, other key types", async () => {
      const [, key] = keys[0];
      const message = rng.bytes32();
      const signature = signPss(key.privateKey, message);
      const der = key.publicKeyDer;
      const nEnd = modulusEnd(der, 3);
      const modulus = `0x${der.slice(2 + 2 * (nEnd - 256), 2 + 2 * nEnd)}` as Hex;
      const cases: [string, Hex, Hex, Hex][] = [
        ["signature one byte short", der, message, signature.slice(0, -2) as Hex],
        ["signature with a leading zero byte", der, message, `0x00${signature.slice(2)}`],
        ["signature = modulus", der, message, modulus],
        ["empty signature", der, message, "0x"],
        ["empty key", "0x", message, signature],
        ["key with a trailing byte", `${der}00`, message, signature],
        ["key cut short", der.slice(0, -2) as Hex, message, signature],
        ["signature of another key", nodeKey(2048).publicKeyDer, message, signature],
      ];
      const small = nodeKey(1024);
      const smallMessage = rng.bytes32();
      cases.push([
        "RSA-1024 (below 2048 bits)",
        small.publicKeyDer,
        smallMessage,
        signPss(small.privateKey, smallMessage),
      ]);
      const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({
        type: "spki",
        format: "der",
      });
      cases.push(["an EC key", toHex(ec), message, signature]);
      for (const [label, k, m, s] of cases) {
        expect(await verify(k, m, s), label).toBe(false);
        if (label !== "RSA-1024 (below 2048 bits)") expect(verifyPss(k, m, s), label).toBe(false);
      }
    });
  });

  describe("verifyAttestation", () => {
    const doc = toHex("attestation document of our choosing");
    const pcrHash = keccak256(toHex("pcr0 pcr1 pcr2"));
    const key = toHex("signing key");
    const tls = toHex("tls certificate");
    const attest = (d: Hex, k: Hex = key, t: Hex = tls, root: Hex = "0x") =>
      chain.read<readonly [boolean, Hex]>(chain.mock, "verifyAttestation", [d, k, t, root]);

    it("answers (true, pcrHash) only for a document the admin registered", async () => {
      expect(await attest(doc)).toEqual([false, `0x${"00".repeat(32)}`]);
      const notAdmin = await chain.trySend(chain.mock, "registerDocument", [doc, pcrHash], {
        from: chain.accounts[1],
      });
      expect(notAdmin.revert).toBe("NotAdmin");
      await chain.registerDocument(doc, pcrHash);
      expect(await attest(doc)).toEqual([true, pcrHash]);
      expect(await attest(flipBit(doc, 3, 0))).toEqual([false, `0x${"00".repeat(32)}`]);
      // Like the precompile: empty document, key or TLS certificate are invalid.
      expect((await attest(doc, "0x"))[0]).toBe(false);
      expect((await attest(doc, key, "0x"))[0]).toBe(false);
      expect((await attest(doc, key, tls, toHex("root")))[0]).toBe(true);
      await chain.send(chain.mock, "unregisterDocument", [doc]);
      expect((await attest(doc))[0]).toBe(false);
    });
  });
});
