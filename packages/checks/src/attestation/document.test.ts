import { beforeAll, describe, expect, it } from "vitest";
import { decodeCoseSign1, decodeNitroPayload } from "./cose.ts";
import { verifyNitroDocument } from "./document.ts";
import {
  buildSyntheticDocument,
  fixtureDocument,
  flipByte,
  makeSyntheticChain,
  type SyntheticChain,
  signatureOffset,
  tbsSerialOffset,
  toHex,
} from "./test-support.ts";

const LEAF = "the leaf certificate (CN=i-0340e0cb833504eb6-enc019c12d31f78864d.us-east-2.aws)";
const BAD_SIGNATURE = "COSE signature does not verify with the leaf certificate";

describe("verifyNitroDocument on the real fixture", () => {
  const bytes = fixtureDocument();

  it("passes with exactly the README's facts", () => {
    const result = verifyNitroDocument(bytes);
    expect(result.format).toBe("NITRO");
    expect(result.reason).toBeNull();
    expect(result.ok).toBe(true);
    const doc = result.document;
    if (doc === null) throw new Error("no document");
    expect(new Date(doc.timestampMs).toISOString()).toBe("2026-02-12T17:56:02.724Z");
    expect(doc.moduleId).toBe("i-0340e0cb833504eb6-enc019c12d31f78864d");
    expect(doc.pcr0.startsWith("0x9baef839")).toBe(true);
    expect(doc.pcr1.startsWith("0x4b4d5b36")).toBe(true);
    expect(doc.pcr2.startsWith("0x769925c8")).toBe(true);
    for (const pcr of [doc.pcr0, doc.pcr1, doc.pcr2]) expect(pcr.length).toBe(2 + 2 * 48); // SHA-384
    expect(doc.pcrHash).toBe("0x8082af22571613eabd5dad9c7e857c4f16154ded3d387386d8193b53906f6a24");
    expect(doc.digest).toBe("SHA384");
    expect(doc.publicKey).toBe(toHex(Buffer.from("dummy"))); // the README's placeholder
    expect(doc.userData?.length).toBe(2 + 2 * 68);

    // Root first: the AWS root, three intermediates, then the leaf, valid for only 3 hours.
    expect(doc.certificates.map((c) => c.subject.match(/CN=([^,]+)/)?.[1])).toEqual([
      "aws.nitro-enclaves",
      "fa81a085809d0853.us-east-2.aws.nitro-enclaves",
      "5d893a5001c52c61.zonal.us-east-2.aws.nitro-enclaves",
      "i-0340e0cb833504eb6.us-east-2.aws.nitro-enclaves",
      "i-0340e0cb833504eb6-enc019c12d31f78864d.us-east-2.aws",
    ]);
    const leaf = doc.certificates[4];
    expect(leaf).toEqual({
      subject:
        "C=US, ST=Washington, L=Seattle, O=Amazon, OU=AWS, CN=i-0340e0cb833504eb6-enc019c12d31f78864d.us-east-2.aws",
      notBefore: "2026-02-12T17:55:59.000Z",
      notAfter: "2026-02-12T20:56:02.000Z",
    });
    const lifetime = Date.parse(leaf.notAfter) - Date.parse(leaf.notBefore);
    expect(Math.round(lifetime / 3_600_000)).toBe(3); // 3 h 0 min 3 s
  });

  it("fails on one flipped byte in the payload (module_id), naming the COSE signature", () => {
    const at = bytes.indexOf(Buffer.from("i-0340e0cb833504eb6"));
    const result = verifyNitroDocument(flipByte(bytes, at + 3));
    expect(result).toMatchObject({ format: "NITRO", ok: false, reason: BAD_SIGNATURE });
    // What the tampered payload claims is still shown, flagged by ok: false.
    expect(result.document?.moduleId).not.toBe("i-0340e0cb833504eb6-enc019c12d31f78864d");
  });

  it("fails on one flipped byte in the signature or in the protected header", () => {
    expect(verifyNitroDocument(flipByte(bytes, bytes.length - 1)).reason).toBe(BAD_SIGNATURE);
    expect(verifyNitroDocument(flipByte(bytes, bytes.length - 60)).reason).toBe(BAD_SIGNATURE);
    expect(verifyNitroDocument(flipByte(bytes, 3)).reason).toBe(BAD_SIGNATURE); // protected {1: -35} → {1: ~}
  });

  it("fails on one flipped byte in any certificate: the signed payload holds them all", () => {
    const cose = decodeCoseSign1(bytes);
    if (cose.ok !== true) throw new Error("no COSE");
    const payload = decodeNitroPayload(cose.value.payload);
    if (!payload.ok) throw new Error(payload.reason);
    for (const der of [...payload.value.cabundle, payload.value.certificate]) {
      const at = bytes.indexOf(der);
      expect(at).toBeGreaterThan(0);
      for (const offset of [tbsSerialOffset(der), signatureOffset(der)]) {
        expect(verifyNitroDocument(flipByte(bytes, at + offset))).toMatchObject({
          ok: false,
          reason: BAD_SIGNATURE,
        });
      }
    }
  });

  it("fails at a time outside the leaf's validity, naming the leaf", () => {
    const after = verifyNitroDocument(bytes, { atMs: Date.parse("2026-02-12T21:00:00Z") });
    expect(after.ok).toBe(false);
    expect(after.reason).toBe(
      `${LEAF} is not valid at the time 2026-02-12T21:00:00.000Z (valid 2026-02-12T17:55:59.000Z to 2026-02-12T20:56:02.000Z)`,
    );
    const before = verifyNitroDocument(bytes, { atMs: Date.parse("2026-02-12T17:55:58Z") });
    expect(before.reason).toMatch(new RegExp(`^${LEAF.replace(/[().]/g, "\\$&")} is not valid at the time`));
    expect(verifyNitroDocument(bytes, { atMs: Date.parse("2026-02-12T20:56:02Z") }).ok).toBe(true);
  });

  it("fails against another root, and with an unreadable root", async () => {
    const other = await makeSyntheticChain(Date.parse("2026-02-12T17:56:02Z"));
    expect(verifyNitroDocument(bytes, { rootPem: other.rootPem }).reason).toMatch(
      /^cabundle certificate 0 \(CN=aws\.nitro-enclaves\) is neither the pinned root \(CN=test\.nitro-root\)/,
    );
    expect(verifyNitroDocument(bytes, { rootPem: "nothing" }).reason).toMatch(
      /^the pinned root is not a PEM certificate/,
    );
  });

  it("takes the document as 0x hex too", () => {
    expect(verifyNitroDocument(toHex(bytes)).document?.pcrHash).toBe(
      "0x8082af22571613eabd5dad9c7e857c4f16154ded3d387386d8193b53906f6a24",
    );
    expect(verifyNitroDocument("0xabc" as `0x${string}`)).toMatchObject({
      format: "UNRECOGNIZED",
      reason: "the attestation document is not 0x hex",
    });
  });

  it("calls a truncated document or its base64 text unrecognized, without throwing", () => {
    const truncated = verifyNitroDocument(bytes.subarray(0, bytes.length - 1));
    expect(truncated).toMatchObject({ format: "UNRECOGNIZED", ok: false, document: null });
    expect(truncated.reason).toMatch(/^the attestation document is not CBOR/);
    const base64 = Buffer.from(bytes.toString("base64"));
    expect(verifyNitroDocument(base64)).toMatchObject({ format: "UNRECOGNIZED", ok: false });
  });
});

describe("verifyNitroDocument on synthetic documents", () => {
  const T = Date.parse("2026-03-01T12:00:00.250Z");
  let chain: SyntheticChain;
  beforeAll(async () => {
    chain = await makeSyntheticChain(T);
  });

  it("passes a document signed by a leaf of its own root, tagged 18 or not", () => {
    for (const tagged of [false, true]) {
      const result = verifyNitroDocument(buildSyntheticDocument(chain, { timestampMs: T, tagged }), {
        rootPem: chain.rootPem,
      });
      expect(result).toMatchObject({ format: "NITRO", ok: true, reason: null });
      expect(result.document?.certificates.length).toBe(3);
    }
  });

  it("fails, naming the certificate, when a re-signed document carries a tampered intermediate", () => {
    const [root, intermediate] = chain.cabundle;
    for (const offset of [tbsSerialOffset(intermediate), signatureOffset(intermediate)]) {
      const cabundle = [root, flipByte(intermediate, offset)];
      const result = verifyNitroDocument(buildSyntheticDocument(chain, { timestampMs: T, cabundle }), {
        rootPem: chain.rootPem,
      });
      expect(result.reason).toBe(
        "cabundle certificate 1 (CN=intermediate.test.nitro) is not signed by cabundle certificate 0 (CN=test.nitro-root)",
      );
    }
  });

  it("fails when the document's own time is outside the leaf's validity", () => {
    const late = chain.leafNotAfterMs + 1;
    const result = verifyNitroDocument(buildSyntheticDocument(chain, { timestampMs: late }), {
      rootPem: chain.rootPem,
    });
    expect(result.reason).toBe(
      `the leaf certificate (CN=i-test-enc0001.test.nitro) is not valid at the document's time ${new Date(late).toISOString()} (valid ${new Date(chain.leafNotBeforeMs).toISOString()} to ${new Date(chain.leafNotAfterMs).toISOString()})`,
    );
  });

  it("fails when another key signed it", async () => {
    const other = await makeSyntheticChain(T);
    const document = buildSyntheticDocument(
      { ...other, leaf: chain.leaf, cabundle: chain.cabundle },
      { timestampMs: T },
    );
    expect(verifyNitroDocument(document, { rootPem: chain.rootPem }).reason).toBe(BAD_SIGNATURE);
  });

  it("gives decoding reasons: missing PCR2, oversized PCR, oversized document, malformed leaf", () => {
    const verify = (options: Parameters<typeof buildSyntheticDocument>[1]) =>
      verifyNitroDocument(buildSyntheticDocument(chain, options), { rootPem: chain.rootPem });
    expect(
      verify({
        timestampMs: T,
        edit: (p) => (p.get("pcrs") as Map<number, Buffer>).delete(2),
      }).reason,
    ).toBe("the document has no PCR2");
    expect(
      verify({ timestampMs: T, pcrs: [Buffer.alloc(48), Buffer.alloc(65), Buffer.alloc(48)] }).reason,
    ).toBe("PCR1 is 65 bytes, more than the 64 og-evm accepts");
    const big = verify({ timestampMs: T, edit: (p) => p.set("nonce", Buffer.alloc(16 * 1024)) });
    expect(big).toMatchObject({ format: "NITRO", ok: false });
    expect(big.reason).toMatch(/^the attestation document is \d+ bytes, more than the 16384 og-evm accepts$/);
    expect(verify({ timestampMs: T, certificate: Buffer.from("leaf") }).reason).toMatch(
      /^the leaf certificate is not a DER X\.509 certificate/,
    );
  });
});
