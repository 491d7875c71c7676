import { encodeAbiParameters, type Hex, keccak256 } from "viem";
import { beforeAll, describe, expect, it } from "vitest";
import { devnetPcrHash } from "../calldata.ts";
import {
  type AttestationCheckInput,
  attestationCheck,
  DEVNET_DOCUMENT_REASON,
  freshnessFailure,
  MIN_ATTESTATION_TIMESTAMP_MS,
} from "./attestation-check.ts";
import {
  buildSyntheticDocument,
  fixtureDocument,
  makeSyntheticChain,
  nitridingUserData,
  SYNTHETIC_PCRS,
  type SyntheticChain,
  type SyntheticDocumentOptions,
  toHex,
} from "./test-support.ts";

const FIXTURE_TIME_MS = Date.parse("2026-02-12T17:56:02.724Z");
const FIXTURE_PCR_HASH = "0x8082af22571613eabd5dad9c7e857c4f16154ded3d387386d8193b53906f6a24";

describe("attestationCheck on the real fixture", () => {
  const base: AttestationCheckInput = {
    document: toHex(fixtureDocument()),
    signingPublicKey: toHex(Buffer.from("our signing key")),
    tlsCertificate: toHex(Buffer.from("our TLS certificate")),
    blockTime: Math.floor(FIXTURE_TIME_MS / 1000),
    isPcrApproved: (pcrHash) => pcrHash === FIXTURE_PCR_HASH,
  };

  it("passes the signature, chain and PCR steps and fails at user_data, which binds another enclave's keys", () => {
    const asked: Hex[] = [];
    const result = attestationCheck({
      ...base,
      isPcrApproved: (pcrHash) => {
        asked.push(pcrHash);
        return base.isPcrApproved(pcrHash);
      },
    });
    expect(asked).toEqual([FIXTURE_PCR_HASH]);
    expect(result).toMatchObject({
      format: "NITRO",
      status: "FAIL",
      moduleId: "i-0340e0cb833504eb6-enc019c12d31f78864d",
      timestampMs: FIXTURE_TIME_MS,
      pcrHash: FIXTURE_PCR_HASH,
    });
    expect(result.reason).toMatch(
      /^user_data does not bind the registered TLS certificate \(sha256 0x[0-9a-f]{16}… ≠ 0xb735546536e78ee1…\)$/,
    );
    expect(result.pcr0?.startsWith("0x9baef839")).toBe(true);
    expect(result.certificates.length).toBe(5);
    expect(result.certificates[0].subject).toBe("C=US, O=Amazon, OU=AWS, CN=aws.nitro-enclaves");
    expect(result.userData?.slice(0, 6)).toBe("0x1220");
  });

  it("fails at the PCR step when the hash is not approved for the type at the block", () => {
    const result = attestationCheck({ ...base, isPcrApproved: () => false });
    expect(result.reason).toBe(
      `PCR hash ${FIXTURE_PCR_HASH} is not approved for the TEE type at the registration block`,
    );
    expect(result.pcrHash).toBe(FIXTURE_PCR_HASH); // shown, though not approved
  });

  it("fails at the signature step, before PCRs and keys, when the document is tampered", () => {
    const bytes = fixtureDocument();
    bytes[bytes.length - 1] ^= 1;
    let asked = false;
    const result = attestationCheck({
      ...base,
      document: toHex(bytes),
      isPcrApproved: () => {
        asked = true;
        return true;
      },
    });
    expect(result).toMatchObject({
      format: "NITRO",
      status: "FAIL",
      reason: "COSE signature does not verify with the leaf certificate",
    });
    expect(asked).toBe(false);
  });

  it("calls the base64 text of a document (as og-evm's testdata stores it) unrecognized", () => {
    const text = toHex(Buffer.from(fixtureDocument().toString("base64")));
    expect(attestationCheck({ ...base, document: text })).toMatchObject({
      format: "UNRECOGNIZED",
      status: "FAIL",
    });
  });
});

describe("attestationCheck on synthetic documents", () => {
  const T = Date.parse("2026-03-01T12:00:00.250Z");
  const T_SECONDS = Math.floor(T / 1000);
  const tls = Buffer.from("308201 a TLS certificate, DER in real life");
  const signingKey = Buffer.from("30820122 an RSA SubjectPublicKeyInfo in real life");
  const pcrHash = keccak256(Buffer.concat(SYNTHETIC_PCRS));
  let chain: SyntheticChain;
  beforeAll(async () => {
    chain = await makeSyntheticChain(T);
  });

  function run(options: Partial<SyntheticDocumentOptions> = {}, input: Partial<AttestationCheckInput> = {}) {
    const document = buildSyntheticDocument(chain, {
      timestampMs: T,
      userData: nitridingUserData(tls, signingKey),
      ...options,
    });
    return attestationCheck({
      document: toHex(document),
      signingPublicKey: toHex(signingKey),
      tlsCertificate: toHex(tls),
      blockTime: T_SECONDS,
      isPcrApproved: (hash) => hash === pcrHash,
      rootPem: chain.rootPem,
      ...input,
    });
  }

  it("passes every step: decode, signature, chain, PCR approval, key binding, freshness", () => {
    expect(run()).toEqual({
      format: "NITRO",
      status: "PASS",
      reason: null,
      moduleId: "i-test-enc0001",
      timestampMs: T,
      pcr0: toHex(SYNTHETIC_PCRS[0]),
      pcr1: toHex(SYNTHETIC_PCRS[1]),
      pcr2: toHex(SYNTHETIC_PCRS[2]),
      pcrHash,
      certificates: [
        expect.objectContaining({ subject: "C=US, O=Test, CN=test.nitro-root" }),
        expect.objectContaining({ subject: "C=US, O=Test, CN=intermediate.test.nitro" }),
        {
          subject: "C=US, O=Test, CN=i-test-enc0001.test.nitro",
          notBefore: new Date(chain.leafNotBeforeMs).toISOString(),
          notAfter: new Date(chain.leafNotAfterMs).toISOString(),
        },
      ],
      userData: toHex(nitridingUserData(tls, signingKey)),
    });
  });

  it("passes tagged 18 and with a definite-length payload map", () => {
    expect(run({ tagged: true }).status).toBe("PASS");
    expect(run({ indefinite: true }).status).toBe("PASS");
    expect(run({ indefinite: false }).status).toBe("PASS");
  });

  it("needs the pinned root: the same document fails against the AWS root", () => {
    const result = run({}, { rootPem: undefined });
    expect(result.status).toBe("FAIL");
    expect(result.reason).toMatch(
      /^cabundle certificate 0 \(CN=test\.nitro-root\) is neither the pinned root \(CN=aws\.nitro-enclaves\) nor issued by it/,
    );
  });

  it("is fresh from 300 s before the block to 60 s after it, inclusive", () => {
    // The document's time counts in whole seconds (rounded down), as og-evm divides milliseconds by 1000.
    expect(run({}, { blockTime: T_SECONDS + 300 }).status).toBe("PASS");
    expect(run({}, { blockTime: T_SECONDS + 301 })).toMatchObject({
      status: "FAIL",
      reason:
        "the document (2026-03-01T12:00:00.250Z) is 301 s older than the registration block, more than 300 s",
    });
    expect(run({}, { blockTime: T_SECONDS - 60 }).status).toBe("PASS");
    expect(run({}, { blockTime: T_SECONDS - 61 })).toMatchObject({
      status: "FAIL",
      reason:
        "the document (2026-03-01T12:00:00.250Z) is 61 s later than the registration block, more than 60 s",
    });
  });

  it("fails an unapproved PCR hash, before looking at the keys", () => {
    const result = run({ pcrs: [Buffer.alloc(48, 9), SYNTHETIC_PCRS[1], SYNTHETIC_PCRS[2]] });
    const other = keccak256(Buffer.concat([Buffer.alloc(48, 9), SYNTHETIC_PCRS[1], SYNTHETIC_PCRS[2]]));
    expect(result).toMatchObject({ status: "FAIL", pcrHash: other });
    expect(result.reason).toBe(
      `PCR hash ${other} is not approved for the TEE type at the registration block`,
    );
  });

  it("fails when user_data binds another signing key, another TLS certificate, or nothing", () => {
    const otherKey = nitridingUserData(tls, Buffer.from("another key"));
    expect(run({ userData: otherKey }).reason).toMatch(
      /^user_data does not bind the registered signing key \(sha256 /,
    );
    const otherTls = nitridingUserData(Buffer.from("another certificate"), signingKey);
    expect(run({ userData: otherTls }).reason).toMatch(
      /^user_data does not bind the registered TLS certificate /,
    );
    expect(run({ userData: null }).reason).toBe("the document has no user_data to bind the keys");
    expect(run({ userData: nitridingUserData(tls, signingKey).subarray(0, 67) }).reason).toBe(
      "user_data is 67 bytes, not the 68 of two nitriding multihashes",
    );
    expect(run({}, { signingPublicKey: "0x12z" as Hex }).reason).toBe(
      "the registered signing key is not 0x hex",
    );
    expect(run({}, { tlsCertificate: "0x" }).reason).toBe("the registered TLS certificate is empty");
  });

  it("checks the chain at the document's time, not the block's", () => {
    // A document made just before the leaf expired, registered 200 s later (still fresh): PASS.
    const late = chain.leafNotAfterMs - 1000;
    expect(run({ timestampMs: late }, { blockTime: Math.floor(late / 1000) + 200 }).status).toBe("PASS");
    const expired = chain.leafNotAfterMs + 1000;
    expect(run({ timestampMs: expired }, { blockTime: Math.floor(expired / 1000) }).reason).toMatch(
      /^the leaf certificate \(CN=i-test-enc0001\.test\.nitro\) is not valid at the document's time /,
    );
  });
});

describe("attestationCheck on other documents", () => {
  const input = (document: string): AttestationCheckInput => ({
    document: document as Hex,
    signingPublicKey: "0x01",
    tlsCertificate: "0x02",
    blockTime: 1_772_366_400,
    isPcrApproved: () => true,
  });

  it("calls the devnet's abi.encode(bytes, bytes, bytes) DEVNET, NOT_APPLICABLE, with its PCRs and hash", () => {
    const pcrs = [`0x${"aa".repeat(48)}`, `0x${"bb".repeat(48)}`, `0x${"cc".repeat(48)}`] as const;
    const document = encodeAbiParameters([{ type: "bytes" }, { type: "bytes" }, { type: "bytes" }], pcrs);
    expect(attestationCheck(input(document))).toEqual({
      format: "DEVNET",
      status: "NOT_APPLICABLE",
      reason: DEVNET_DOCUMENT_REASON,
      moduleId: null,
      timestampMs: null,
      pcr0: pcrs[0],
      pcr1: pcrs[1],
      pcr2: pcrs[2],
      pcrHash: keccak256(`0x${"aa".repeat(48)}${"bb".repeat(48)}${"cc".repeat(48)}`),
      certificates: [],
      userData: null,
    });
    expect(attestationCheck(input(document)).pcrHash).toBe(devnetPcrHash(document));
  });

  it("calls garbage, truncated CBOR, empty and non-hex documents UNRECOGNIZED / FAIL with a reason, never throwing", () => {
    const fixture = fixtureDocument();
    const cases: [string, RegExp][] = [
      ["0xdeadbeef", /^the attestation document is not CBOR/],
      [toHex(fixture.subarray(0, 2000)), /^the attestation document is not CBOR \(.+\)$/],
      [toHex(Buffer.from([0x84, 0x44])), /^the attestation document is not CBOR/],
      ["0x", /^the attestation document is empty$/],
      ["0x123", /^the attestation document is not 0x hex$/],
      ["deadbeef", /^the attestation document is not 0x hex$/],
      [
        toHex(Buffer.from("a1636b65790a", "hex")),
        /^the attestation document is CBOR a map of 1, not a COSE_Sign1 array of 4$/,
      ],
    ];
    for (const [document, reason] of cases) {
      const result = attestationCheck(input(document));
      expect(result).toMatchObject({
        format: "UNRECOGNIZED",
        status: "FAIL",
        pcrHash: null,
        certificates: [],
      });
      expect(result.reason).toMatch(reason);
    }
    for (let end = 1; end < fixture.length; end += 13) {
      const result = attestationCheck(input(toHex(fixture.subarray(0, end))));
      expect(result.status).toBe("FAIL");
      expect(result.reason).toEqual(expect.any(String));
    }
  });
});

describe("freshnessFailure", () => {
  it("refuses documents older than og-evm's floor, 2025-01-31, whatever the block time", () => {
    const floorSeconds = MIN_ATTESTATION_TIMESTAMP_MS / 1000;
    expect(new Date(MIN_ATTESTATION_TIMESTAMP_MS).toISOString()).toBe("2025-01-31T00:00:00.000Z");
    expect(freshnessFailure(MIN_ATTESTATION_TIMESTAMP_MS, floorSeconds)).toBeNull();
    expect(freshnessFailure(MIN_ATTESTATION_TIMESTAMP_MS - 1, floorSeconds)).toBe(
      "the document's time 2025-01-30T23:59:59.999Z is before 2025-01-31T00:00:00.000Z, earlier than og-evm accepts",
    );
  });

  it("rounds the document's time down to whole seconds", () => {
    const block = 1_772_366_400;
    expect(freshnessFailure((block + 60) * 1000 + 999, block)).toBeNull();
    expect(freshnessFailure((block + 61) * 1000, block)).not.toBeNull();
    expect(freshnessFailure((block - 300) * 1000, block)).toBeNull();
    expect(freshnessFailure((block - 300) * 1000 - 1, block)).not.toBeNull();
  });
});

describe("attestationCheck on damaged copies of the real fixture", () => {
  it("any one flipped byte gives FAIL with a reason, never an exception (a damaged leaf key included)", () => {
    const document = fixtureDocument();
    const reasons = new Set<string>();
    for (let at = 0; at < document.length; at += 7) {
      const damaged = Buffer.from(document);
      damaged[at] ^= 0x01;
      const result = attestationCheck({
        document: toHex(damaged),
        signingPublicKey: toHex(Buffer.from("key")),
        tlsCertificate: toHex(Buffer.from("tls")),
        blockTime: Math.floor(FIXTURE_TIME_MS / 1000),
        isPcrApproved: () => true,
      });
      expect(result.status, `offset ${at}`).toBe("FAIL");
      expect(result.reason, `offset ${at}`).toBeTruthy();
      reasons.add((result.reason as string).split(" (")[0]);
    }
    expect([...reasons]).toContain("the leaf certificate's public key does not decode");
  });
});
