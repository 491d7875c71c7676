import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { derSignatureToRaw, verifyAttestationDocument } from "./nitro";
import { AWS_NITRO_ROOT_G1_PEM, pemToDer } from "./nitro-root";
import { keccak256Hex } from "./verify";

// The real AWS Nitro attestation document of the shared fixtures (base64 of the CBOR bytes), read in place.
const FIXTURES = new URL("../../../../shared/fixtures/nitro/", import.meta.url);
const text = readFileSync(new URL("attestation_doc.bin", FIXTURES), "utf8").trim();
const DOC = new Uint8Array(Buffer.from(text, "base64"));
const DOC_TIME = "2026-02-12T17:56:02.724Z";

/** The document with one byte changed at `at`. */
function flipped(at: number): Uint8Array {
  const copy = new Uint8Array(DOC);
  copy[at] ^= 0x01;
  return copy;
}

/** Where `needle` first occurs in the document. */
function indexOf(needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i <= DOC.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (DOC[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

const step = (v: Awaited<ReturnType<typeof verifyAttestationDocument>>, id: string) =>
  v.steps.find((s) => s.id === id);

describe("in-browser verification of a Nitro attestation document", () => {
  test("the pinned AWS Nitro root is the shared fixture's certificate", () => {
    const fixture = readFileSync(new URL("aws-nitro-root.pem", FIXTURES), "utf8");
    expect(pemToDer(AWS_NITRO_ROOT_G1_PEM)).toEqual(pemToDer(fixture));
    expect(AWS_NITRO_ROOT_G1_PEM.trim()).toBe(fixture.trim());
  });

  test("the fixture passes the signature and the chain at the document's time; PCR hash and module id", async () => {
    expect(DOC.length).toBe(4556);
    const v = await verifyAttestationDocument(DOC);
    expect(v.format).toBe("NITRO");
    expect(step(v, "decode")?.result).toBe("PASS");
    expect(step(v, "signature")?.result).toBe("PASS");
    expect(step(v, "chain")?.result).toBe("PASS");
    expect(step(v, "pcrs")?.result).toBe("PASS");
    expect(v.pcrHash).toBe("0x8082af22571613eabd5dad9c7e857c4f16154ded3d387386d8193b53906f6a24");
    expect(v.pcr0?.startsWith("0x9baef839")).toBe(true);
    expect(v.pcr1?.startsWith("0x4b4d5b36")).toBe(true);
    expect(v.pcr2?.startsWith("0x769925c8")).toBe(true);
    expect(keccak256Hex(...[v.pcr0, v.pcr1, v.pcr2].map((h) => Buffer.from(h?.slice(2) ?? "", "hex")))).toBe(
      v.pcrHash,
    );
    expect(v.moduleId).toBe("i-0340e0cb833504eb6-enc019c12d31f78864d");
    expect(v.timestamp?.toISOString()).toBe(DOC_TIME);
    // Leaf first, the root last; the leaf is valid for 3 hours.
    expect(v.certificates).toHaveLength(5);
    expect(v.certificates.at(-1)?.subject).toContain("CN=aws.nitro-enclaves");
    const leaf = v.certificates[0];
    const validity = leaf.notAfter.getTime() - leaf.notBefore.getTime();
    expect(validity).toBeGreaterThanOrEqual(3 * 3600 * 1000);
    expect(validity).toBeLessThan(3 * 3600 * 1000 + 60_000);
    // Without the registered keys the binding is unknown, so the whole is not a PASS.
    expect(step(v, "binding")?.result).toBe("UNKNOWN");
    expect(v.result).toBe("UNKNOWN");
  });

  test("user_data binds other keys than these: the binding step fails, naming the TLS certificate", async () => {
    const v = await verifyAttestationDocument(DOC, {
      signingKey: new Uint8Array([1, 2, 3]),
      tlsCertificate: new Uint8Array([4, 5, 6]),
    });
    expect(step(v, "binding")?.result).toBe("FAIL");
    expect(step(v, "binding")?.detail).toMatch(/TLS certificate/);
    expect(v.result).toBe("FAIL");
    expect(v.failedStep).toMatch(/user_data/);
  });

  test("user_data is two sha256 multihashes (nitriding): 0x1220 ‖ 32 bytes ‖ 0x1220 ‖ 32 bytes", async () => {
    const v0 = await verifyAttestationDocument(DOC);
    const userData = Buffer.from(v0.userData?.slice(2) ?? "", "hex");
    expect(userData).toHaveLength(68);
    expect(userData.subarray(0, 2)).toEqual(Buffer.from([0x12, 0x20]));
    expect(userData.subarray(34, 36)).toEqual(Buffer.from([0x12, 0x20]));
  });

  test("a flipped byte in the payload fails the COSE signature", async () => {
    const moduleId = new TextEncoder().encode("i-0340e0cb833504eb6");
    const at = indexOf(moduleId);
    expect(at).toBeGreaterThan(0);
    const v = await verifyAttestationDocument(flipped(at + 3));
    expect(step(v, "signature")?.result).toBe("FAIL");
    expect(v.result).toBe("FAIL");
    expect(v.failedStep).toMatch(/COSE signature/);
  });

  test("a flipped byte in the signature fails the COSE signature", async () => {
    // The signature is the last item: a 96-byte byte string at the very end.
    const v = await verifyAttestationDocument(flipped(DOC.length - 10));
    expect(step(v, "signature")?.result).toBe("FAIL");
    expect(step(v, "chain")?.result).toBe("PASS");
    expect(v.failedStep).toMatch(/COSE signature/);
  });

  test("a flipped byte in an intermediate certificate fails the chain (and the payload's signature)", async () => {
    const v0 = await verifyAttestationDocument(DOC);
    expect(v0.certificates.length).toBeGreaterThan(2);
    // Flip a byte inside the validity of cabundle[1]: find its subject's common name in the bytes.
    const root = pemToDer(AWS_NITRO_ROOT_G1_PEM);
    const rootAt = indexOf(root);
    expect(rootAt).toBeGreaterThan(0);
    // cabundle[1] follows the root in the bundle (a 2-byte or 3-byte CBOR head in between); its serial number
    // sits about 15 bytes into it.
    const v = await verifyAttestationDocument(flipped(rootAt + root.length + 3 + 15));
    expect(step(v, "chain")?.result).toBe("FAIL");
    expect(step(v, "chain")?.detail).toMatch(/cabundle\[1\]/);
    expect(v.result).toBe("FAIL");
  });

  test("a flipped byte in the pinned root's copy in the bundle fails the chain", async () => {
    const root = pemToDer(AWS_NITRO_ROOT_G1_PEM);
    const v = await verifyAttestationDocument(flipped(indexOf(root) + 200));
    expect(step(v, "chain")?.result).toBe("FAIL");
    expect(step(v, "chain")?.detail).toMatch(/pinned AWS Nitro root/);
  });

  test("a flipped byte in the leaf certificate's signature fails the chain", async () => {
    const v0 = await verifyAttestationDocument(DOC);
    expect(v0.certificates.length).toBeGreaterThan(0);
    // The leaf's DER is the payload's "certificate": its ECDSA signature is its last bytes, just before the
    // "cabundle" key.
    const key = new TextEncoder().encode("cabundle");
    const at = indexOf(key);
    const v = await verifyAttestationDocument(flipped(at - 1 - 5));
    expect(step(v, "chain")?.result).toBe("FAIL");
    expect(step(v, "chain")?.detail).toMatch(/the leaf/);
  });

  test("a time outside the leaf's 3-hour validity fails the chain", async () => {
    const late = new Date(new Date(DOC_TIME).getTime() + 4 * 3600 * 1000);
    const v = await verifyAttestationDocument(DOC, { at: late });
    expect(step(v, "chain")?.result).toBe("FAIL");
    expect(step(v, "chain")?.detail).toMatch(/the leaf .* is not valid at/);
    expect(step(v, "signature")?.result).toBe("PASS");
    const early = await verifyAttestationDocument(DOC, { at: new Date("2026-02-12T12:00:00Z") });
    expect(step(early, "chain")?.result).toBe("FAIL");
  });

  test("a devnet document is said to be one: nothing signed, PCR hash computed", async () => {
    const pcr = (b: number) => new Uint8Array(48).fill(b);
    const word = (n: number) => {
      const w = new Uint8Array(32);
      w[31] = n & 0xff;
      w[30] = n >> 8;
      return w;
    };
    // abi.encode(bytes48, bytes48, bytes48): three offsets, then each length and 64 bytes (48 padded).
    const parts = [word(96), word(96 + 96), word(96 + 192)];
    for (const b of [1, 2, 3]) parts.push(word(48), pcr(b), new Uint8Array(16));
    const doc = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      doc.set(p, at);
      at += p.length;
    }
    const v = await verifyAttestationDocument(doc);
    expect(v.format).toBe("DEVNET");
    expect(v.result).toBe("NOT_APPLICABLE");
    expect(v.pcrHash).toBe(keccak256Hex(pcr(1), pcr(2), pcr(3)));
    expect(step(v, "signature")?.result).toBe("NOT_APPLICABLE");
    expect(step(v, "decode")?.detail).toMatch(/devnet document/);
  });

  test("no document is unknown; garbage is unrecognized and fails", async () => {
    expect((await verifyAttestationDocument(null)).result).toBe("UNKNOWN");
    const g = await verifyAttestationDocument(new Uint8Array([1, 2, 3, 4, 5]));
    expect(g.format).toBe("UNRECOGNIZED");
    expect(g.result).toBe("FAIL");
    expect(g.failedStep).toMatch(/decodes/);
  });

  test("DER ECDSA signatures become fixed-width r ‖ s", () => {
    // SEQUENCE { INTEGER 0x00ff (positive, leading zero), INTEGER 0x01 }
    const der = new Uint8Array([0x30, 0x07, 0x02, 0x02, 0x00, 0xff, 0x02, 0x01, 0x01]);
    const raw = derSignatureToRaw(der, 4);
    expect(raw).toEqual(new Uint8Array([0, 0, 0, 0xff, 0, 0, 0, 1]));
    expect(derSignatureToRaw(new Uint8Array([1, 2, 3]), 4)).toBeNull();
  });
});
