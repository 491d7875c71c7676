import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import type { AttestationFragment as Attestation } from "~/generated/graphql";
import { compareWithIndexer, freshness, stepNamedByReason } from "./attestation";
import { verifyAttestationDocument } from "./nitro";

const FIXTURE = new URL("../../../../shared/fixtures/nitro/attestation_doc.bin", import.meta.url);
const DOC = new Uint8Array(Buffer.from(readFileSync(FIXTURE, "utf8").trim(), "base64"));
const PCR_HASH = "0x8082af22571613eabd5dad9c7e857c4f16154ded3d387386d8193b53906f6a24";
const DOC_TIME = "2026-02-12T17:56:02.724Z";

/** The indexer's answer for the fixture, registered 10 s after the document. */
function indexer(over: Partial<Attestation> = {}): Attestation {
  return {
    status: "PASS",
    reason: null,
    format: "NITRO",
    moduleId: "i-0340e0cb833504eb6-enc019c12d31f78864d",
    timestamp: DOC_TIME,
    pcr0: null,
    pcr1: null,
    pcr2: null,
    pcrHash: PCR_HASH,
    certificates: [],
    userData: null,
    document: `0x${Buffer.from(DOC).toString("hex")}`,
    tlsCertificate: null,
    registered: {
      number: 1,
      hash: "0x",
      timestamp: "2026-02-12T17:56:12.000Z",
      txHash: "0x",
      logIndex: 0,
      finalized: true,
    },
    ...over,
  };
}

const row = (rows: ReturnType<typeof compareWithIndexer>, id: string) => rows.find((r) => r.id === id);

describe("the browser's attestation steps beside the indexer's verdict", () => {
  test("the indexer's FAIL reasons name their step", () => {
    expect(stepNamedByReason("COSE signature does not verify with the leaf certificate")).toBe("signature");
    expect(
      stepNamedByReason("cabundle certificate 2 (CN=x) names another issuer than cabundle certificate 1"),
    ).toBe("chain");
    expect(
      stepNamedByReason("PCR hash 0x12 is not approved for the TEE type at the registration block"),
    ).toBe("approval");
    expect(
      stepNamedByReason("the document (t) is 400 s older than the registration block, more than 300 s"),
    ).toBe("freshness");
    expect(stepNamedByReason("user_data does not bind the registered TLS certificate (sha256 …)")).toBe(
      "binding",
    );
    expect(stepNamedByReason("payload module_id is the number 3, not a text string")).toBe("decode");
    expect(stepNamedByReason(null)).toBeNull();
  });

  test("freshness: 300 s back and 60 s forward of the registration block", () => {
    const t = new Date("2026-01-01T00:00:00Z");
    expect(freshness(t, "2026-01-01T00:05:00Z").result).toBe("PASS");
    expect(freshness(t, "2026-01-01T00:05:01Z").result).toBe("FAIL");
    expect(freshness(t, "2025-12-31T23:59:00Z").result).toBe("PASS");
    expect(freshness(t, "2025-12-31T23:58:59Z").result).toBe("FAIL");
    expect(freshness(null, "2026-01-01T00:00:00Z").result).toBe("UNKNOWN");
  });

  test("an indexer FAIL on the binding agrees with the browser's binding FAIL and the verdict", async () => {
    const a = indexer({
      status: "FAIL",
      reason: "user_data does not bind the registered TLS certificate (sha256 0x1234…)",
      tlsCertificate: "0x010203",
    });
    const v = await verifyAttestationDocument(DOC, {
      signingKey: new Uint8Array([9]),
      tlsCertificate: new Uint8Array([1, 2, 3]),
    });
    const rows = compareWithIndexer(v, a);
    expect(row(rows, "signature")).toMatchObject({ browser: "PASS", indexer: null, agree: null });
    expect(row(rows, "chain")).toMatchObject({ browser: "PASS", indexer: null, agree: null });
    expect(row(rows, "pcrs")).toMatchObject({ browser: "PASS", agree: null });
    expect(row(rows, "pcrs")?.detail).toContain("the indexer's PCR hash");
    expect(row(rows, "binding")).toMatchObject({ browser: "FAIL", indexer: "FAIL", agree: true });
    expect(row(rows, "freshness")).toMatchObject({ browser: "PASS" });
    expect(row(rows, "verdict")).toMatchObject({ browser: "FAIL", indexer: "FAIL", agree: true });
  });

  test("an indexer PASS where the browser fails the chain (a time outside the leaf's validity) disagrees", async () => {
    const v = await verifyAttestationDocument(DOC, { at: new Date("2026-02-13T00:00:00Z") });
    const rows = compareWithIndexer(v, indexer());
    expect(row(rows, "chain")).toMatchObject({ browser: "FAIL", indexer: "PASS", agree: false });
    expect(row(rows, "signature")).toMatchObject({ browser: "PASS", indexer: "PASS", agree: true });
    expect(row(rows, "decode")).toMatchObject({ agree: true });
    expect(row(rows, "verdict")).toMatchObject({ browser: "FAIL", indexer: "PASS", agree: false });
  });

  test("another PCR hash or module id from the indexer is a disagreement", async () => {
    const v = await verifyAttestationDocument(DOC);
    const rows = compareWithIndexer(v, indexer({ pcrHash: `0x${"11".repeat(32)}`, moduleId: "i-other" }));
    expect(row(rows, "pcrs")).toMatchObject({ browser: "PASS", indexer: "PASS", agree: false });
    expect(row(rows, "decode")).toMatchObject({ browser: "PASS", indexer: "PASS", agree: false });
  });

  test("a failure only the indexer checks (PCR approval) is not called a disagreement", async () => {
    const v = await verifyAttestationDocument(DOC, { signingKey: null, tlsCertificate: null });
    const rows = compareWithIndexer(
      v,
      indexer({
        status: "FAIL",
        reason: `PCR hash ${PCR_HASH} is not approved for the TEE type at the registration block`,
      }),
    );
    expect(row(rows, "approval")).toMatchObject({ browser: null, indexer: "FAIL", agree: null });
    expect(row(rows, "verdict")?.indexer).toBe("FAIL");
  });

  test("a devnet document: not applicable on both sides, the PCR hash compared", async () => {
    const word = (n: number) => {
      const w = new Uint8Array(32);
      w[31] = n;
      return w;
    };
    const pcr = (b: number) => new Uint8Array(32).fill(b);
    const parts = [word(96), word(160), word(224)];
    for (const b of [1, 2, 3]) parts.push(word(32), pcr(b));
    const doc = new Uint8Array(Buffer.concat(parts));
    const v = await verifyAttestationDocument(doc);
    const a = indexer({
      status: "NOT_APPLICABLE",
      format: "DEVNET",
      moduleId: null,
      timestamp: null,
      pcrHash: v.pcrHash,
      document: `0x${Buffer.from(doc).toString("hex")}`,
    });
    const rows = compareWithIndexer(v, a);
    expect(row(rows, "signature")).toMatchObject({
      browser: "NOT_APPLICABLE",
      indexer: "NOT_APPLICABLE",
      agree: true,
    });
    expect(row(rows, "pcrs")).toMatchObject({ browser: "PASS", indexer: "PASS", agree: true });
    expect(row(rows, "verdict")).toMatchObject({
      browser: "NOT_APPLICABLE",
      indexer: "NOT_APPLICABLE",
      agree: true,
    });
    expect(rows.every((r) => r.agree !== false)).toBe(true);
  });
});
