/**
 * The explorer's in-browser attestation check (./nitro.ts, WebCrypto) and the indexer's own verifier
 * (packages/checks/src/attestation, node:crypto) are two independent implementations: on the same raw documents
 * they must reach the same verdicts. The real AWS Nitro document of the shared fixtures, read in place, as is, with
 * one byte flipped at offsets spread over the whole document, at a time outside the leaf certificate's validity,
 * and a devnet document.
 */
import { readFileSync } from "node:fs";
import { attestationCheck, verifyNitroDocument } from "@attestation-explorer/checks/attestation";
import { encodeAbiParameters } from "viem";
import { describe, expect, test } from "vitest";
import { verifyAttestationDocument } from "./nitro";

const FIXTURES = new URL("../../../../shared/fixtures/nitro/", import.meta.url);
const DOCUMENT = new Uint8Array(
  Buffer.from(readFileSync(new URL("attestation_doc.bin", FIXTURES), "utf8").trim(), "base64"),
);

/** The browser's verdict on what the indexer's document-level verification covers: decode, signature, chain. */
async function browserDocumentVerdict(doc: Uint8Array, at?: Date) {
  const v = await verifyAttestationDocument(doc, at ? { at } : {});
  const documentSteps = v.steps.filter((s) => s.id === "decode" || s.id === "signature" || s.id === "chain");
  const ok = documentSteps.length === 3 && documentSteps.every((s) => s.result === "PASS");
  return { ok, pcrHash: v.pcrHash, moduleId: v.moduleId, format: v.format };
}

describe("the in-browser check agrees with the indexer", () => {
  test("on the real Nitro document: both verify it, with the same PCR hash and module id", async () => {
    const indexer = verifyNitroDocument(DOCUMENT);
    const browser = await browserDocumentVerdict(DOCUMENT);
    expect(indexer.ok).toBe(true);
    expect(browser.ok).toBe(true);
    expect(browser.pcrHash).toBe(indexer.document?.pcrHash);
    expect(browser.pcrHash).toBe("0x8082af22571613eabd5dad9c7e857c4f16154ded3d387386d8193b53906f6a24");
    expect(browser.moduleId).toBe(indexer.document?.moduleId);
  });

  test("on the document with one byte flipped anywhere: both refuse it", async () => {
    const offsets = [];
    for (let at = 3; at < DOCUMENT.length; at += 61) offsets.push(at);
    offsets.push(DOCUMENT.length - 1);
    const disagreements: string[] = [];
    for (const at of offsets) {
      const doc = DOCUMENT.slice();
      doc[at] ^= 0x01;
      const indexer = verifyNitroDocument(doc);
      const browser = await browserDocumentVerdict(doc);
      if (indexer.ok !== browser.ok)
        disagreements.push(`offset ${at}: indexer ${indexer.ok} (${indexer.reason}), browser ${browser.ok}`);
      expect(indexer.ok, `offset ${at}`).toBe(false);
    }
    expect(disagreements).toEqual([]);
    expect(offsets.length).toBeGreaterThan(70);
  });

  test("at a time outside the leaf certificate's 3 hours: both refuse the chain", async () => {
    const documentTime = Date.parse("2026-02-12T17:56:02.724Z");
    for (const atMs of [documentTime + 4 * 3600_000, documentTime - 3600_000]) {
      expect(verifyNitroDocument(DOCUMENT, { atMs }).ok).toBe(false);
      expect((await browserDocumentVerdict(DOCUMENT, new Date(atMs))).ok).toBe(false);
    }
  });

  test("on a devnet document: both say there is nothing to verify, with the same PCR hash", async () => {
    const pcr = (b: number) => `0x${b.toString(16).padStart(2, "0").repeat(48)}` as const;
    const doc = encodeAbiParameters(
      [{ type: "bytes" }, { type: "bytes" }, { type: "bytes" }],
      [pcr(1), pcr(2), pcr(3)],
    );
    const indexer = attestationCheck({
      document: doc,
      signingPublicKey: "0x01",
      tlsCertificate: "0x02",
      blockTime: 0,
      isPcrApproved: () => true,
    });
    const browser = await verifyAttestationDocument(new Uint8Array(Buffer.from(doc.slice(2), "hex")));
    expect(indexer.status).toBe("NOT_APPLICABLE");
    expect(browser.result).toBe("NOT_APPLICABLE");
    expect(browser.format).toBe(indexer.format);
    expect(browser.pcrHash).toBe(indexer.pcrHash);
  });
});
