import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { type Hex, keccak256 } from "viem";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { createRng } from "../../../devnet/src/crypto/rng.ts";
import { generateTeeKey } from "../../../devnet/src/crypto/rsa-keygen.ts";
import {
  clearTeeKeyCache,
  parseTeeKey,
  setTeeKeyCacheCapacity,
  TEE_KEY_CACHE_CAPACITY,
  teeKeyCacheSize,
  usableKey,
} from "./tee-key.ts";

const tee = generateTeeKey(createRng("tee-key-test"));
const spkiHex = (key: KeyObject): Hex => `0x${key.export({ type: "spki", format: "der" }).toString("hex")}`;
/** A key and the teeId the registry would give it: keccak256 of its bytes, whatever they are. */
const registered = (publicKey: Hex) => ({ publicKey, teeId: keccak256(publicKey) });

beforeEach(() => clearTeeKeyCache());
afterEach(() => setTeeKeyCacheCapacity(TEE_KEY_CACHE_CAPACITY));

describe("parseTeeKey", () => {
  test("a 2048-bit DER spki RSA key whose keccak256 is the teeId is VALID", () => {
    const parsed = parseTeeKey(tee.publicKeyDer, tee.teeId);
    expect(parsed.status).toBe("VALID");
    if (parsed.status !== "VALID") return;
    expect(parsed.modulusBits).toBe(2048);
    expect(parsed.key.equals(tee.publicKey)).toBe(true);
  });

  test("a 4096-bit key is VALID", () => {
    const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 4096 });
    const k = registered(spkiHex(publicKey));
    const parsed = parseTeeKey(k.publicKey, k.teeId);
    expect(parsed.status).toBe("VALID");
    if (parsed.status === "VALID") expect(parsed.modulusBits).toBe(4096);
  });

  test("a key whose keccak256 differs from the teeId is a MISMATCH", () => {
    const other = generateTeeKey(createRng("tee-key-test-other"));
    const parsed = parseTeeKey(other.publicKeyDer, tee.teeId);
    expect(parsed.status).toBe("MISMATCH");
    expect(parsed.status !== "VALID" && parsed.reason).toMatch(/keccak256/);
  });

  test("a key with junk appended is rejected: MALFORMED under its own hash, MISMATCH under the clean key's teeId", () => {
    const junked = `${tee.publicKeyDer}00` as Hex;
    expect(parseTeeKey(junked, keccak256(junked)).status).toBe("MALFORMED");
    expect(parseTeeKey(`${tee.publicKeyDer}deadbeef`, keccak256(`${tee.publicKeyDer}deadbeef`)).status).toBe(
      "MALFORMED",
    );
    expect(parseTeeKey(junked, tee.teeId).status).toBe("MISMATCH");
  });

  test("a non-canonical (BER long-form length) encoding of a good key is MALFORMED", () => {
    // 30 82 01 22 ... -> 30 83 00 01 22 ...: the same SEQUENCE with a padded length field.
    expect(tee.publicKeyDer.startsWith("0x30820122")).toBe(true);
    const ber = `0x3083000122${tee.publicKeyDer.slice(10)}` as Hex;
    expect(parseTeeKey(ber, keccak256(ber)).status).toBe("MALFORMED");
  });

  test("a 1024-bit RSA key is MALFORMED", () => {
    const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const k = registered(spkiHex(publicKey));
    const parsed = parseTeeKey(k.publicKey, k.teeId);
    expect(parsed.status).toBe("MALFORMED");
    expect(parsed.status !== "VALID" && parsed.reason).toMatch(/1024-bit/);
  });

  test("an EC key and an RSASSA-PSS-OID key are MALFORMED (the spec asks for an rsaEncryption RSA key)", () => {
    const ec = registered(spkiHex(generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey));
    expect(parseTeeKey(ec.publicKey, ec.teeId).status).toBe("MALFORMED");
    const pss = registered(spkiHex(generateKeyPairSync("rsa-pss", { modulusLength: 2048 }).publicKey));
    expect(parseTeeKey(pss.publicKey, pss.teeId).status).toBe("MALFORMED");
  });

  test("bytes that are no key at all, empty bytes and text that is not hex are MALFORMED, never an exception", () => {
    for (const bytes of ["0x", "0x00", "0x3082", `0x${"ab".repeat(300)}`] as Hex[]) {
      expect(parseTeeKey(bytes, keccak256(bytes)).status).toBe("MALFORMED");
    }
    expect(parseTeeKey("0xzz" as Hex, tee.teeId).status).toBe("MALFORMED");
    expect(parseTeeKey("abcd" as Hex, tee.teeId).status).toBe("MALFORMED");
    expect(parseTeeKey(undefined as unknown as Hex, tee.teeId).status).toBe("MALFORMED");
  });

  test("a teeId that is not 32 bytes of hex is a MISMATCH", () => {
    expect(parseTeeKey(tee.publicKeyDer, "0x1234").status).toBe("MISMATCH");
    expect(parseTeeKey(tee.publicKeyDer, undefined as unknown as Hex).status).toBe("MISMATCH");
  });

  test("hex case does not matter, in the key or in the teeId", () => {
    const upperKey = `0x${tee.publicKeyDer.slice(2).toUpperCase()}` as Hex;
    const upperId = `0x${tee.teeId.slice(2).toUpperCase()}` as Hex;
    expect(parseTeeKey(upperKey, upperId).status).toBe("VALID");
    expect(parseTeeKey(tee.publicKeyDer, upperId).status).toBe("VALID");
  });
});

describe("parseTeeKey's cache", () => {
  test("the same key and teeId give the same KeyObject from the cache", () => {
    const first = parseTeeKey(tee.publicKeyDer, tee.teeId);
    const second = parseTeeKey(tee.publicKeyDer, tee.teeId);
    expect(second).toBe(first);
    expect(teeKeyCacheSize()).toBe(1);
  });

  test("other bytes under a cached teeId are judged afresh, and do not evict the good key", () => {
    const good = parseTeeKey(tee.publicKeyDer, tee.teeId);
    expect(parseTeeKey(`${tee.publicKeyDer}00`, tee.teeId).status).toBe("MISMATCH");
    expect(parseTeeKey(tee.publicKeyDer, tee.teeId)).toBe(good);
  });

  test("MALFORMED keys are cached as well, MISMATCHes are not", () => {
    const junked = `${tee.publicKeyDer}00` as Hex;
    parseTeeKey(junked, keccak256(junked));
    expect(teeKeyCacheSize()).toBe(1);
    parseTeeKey(junked, tee.teeId);
    expect(teeKeyCacheSize()).toBe(1);
  });

  test("is bounded: beyond capacity the least recently used key goes first", () => {
    setTeeKeyCacheCapacity(2);
    const keys = [tee, ...["x", "y"].map((s) => generateTeeKey(createRng(`cache-${s}`)))];
    const first = parseTeeKey(keys[0].publicKeyDer, keys[0].teeId);
    const second = parseTeeKey(keys[1].publicKeyDer, keys[1].teeId);
    expect(parseTeeKey(keys[0].publicKeyDer, keys[0].teeId)).toBe(first); // keys[0] now most recent
    parseTeeKey(keys[2].publicKeyDer, keys[2].teeId); // evicts keys[1]
    expect(teeKeyCacheSize()).toBe(2);
    expect(parseTeeKey(keys[0].publicKeyDer, keys[0].teeId)).toBe(first);
    const again = parseTeeKey(keys[1].publicKeyDer, keys[1].teeId);
    expect(again).not.toBe(second);
    expect(again.status).toBe("VALID");
  });

  test("refuses a capacity below 1", () => {
    expect(() => setTeeKeyCacheCapacity(0)).toThrow(RangeError);
  });
});

describe("usableKey", () => {
  test("only a VALID key is used for checks; MISMATCH, MALFORMED and no key at all give none", () => {
    const valid = parseTeeKey(tee.publicKeyDer, tee.teeId);
    expect(usableKey(valid)).toBe(valid.status === "VALID" ? valid.key : "not valid");
    expect(usableKey(parseTeeKey(tee.publicKeyDer, keccak256("0x01")))).toBeUndefined();
    expect(usableKey(parseTeeKey("0x00", keccak256("0x00")))).toBeUndefined();
    expect(usableKey(undefined)).toBeUndefined();
  });
});
