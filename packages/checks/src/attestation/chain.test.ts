import { X509Certificate } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { AWS_NITRO_ROOT_PEM } from "./aws-nitro-root.ts";
import { chainFailure, type ParsedCertificate, parseCertificate, parseRootPem } from "./chain.ts";
import { decodeCoseSign1, decodeNitroPayload } from "./cose.ts";
import {
  fixtureDocument,
  flipByte,
  makeSyntheticChain,
  type SyntheticChain,
  signatureOffset,
  tbsSerialOffset,
} from "./test-support.ts";

const DOCUMENT_TIME = Date.parse("2026-02-12T17:56:02.724Z");

/** The fixture's certificates as DER: cabundle root first, then the leaf. */
function fixtureCertificates(): { cabundle: Buffer[]; leaf: Buffer } {
  const cose = decodeCoseSign1(fixtureDocument());
  if (cose.ok !== true) throw new Error("fixture does not decode");
  const payload = decodeNitroPayload(cose.value.payload);
  if (!payload.ok) throw new Error(payload.reason);
  return { cabundle: payload.value.cabundle, leaf: payload.value.certificate };
}

function parse(der: Uint8Array, label: string): ParsedCertificate {
  const parsed = parseCertificate(der, label);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

function check(cabundle: Buffer[], leaf: Buffer, atMs = DOCUMENT_TIME, rootPem = AWS_NITRO_ROOT_PEM) {
  const root = parseRootPem(rootPem);
  if (!root.ok) throw new Error(root.reason);
  return chainFailure(
    parse(leaf, "the leaf certificate"),
    cabundle.map((der, i) => parse(der, `cabundle certificate ${i}`)),
    root.value,
    atMs,
  );
}

const ROOT = "(CN=aws.nitro-enclaves)";
const NAMES = [
  `cabundle certificate 0 ${ROOT}`,
  "cabundle certificate 1 (CN=fa81a085809d0853.us-east-2.aws.nitro-enclaves)",
  "cabundle certificate 2 (CN=5d893a5001c52c61.zonal.us-east-2.aws.nitro-enclaves)",
  "cabundle certificate 3 (CN=i-0340e0cb833504eb6.us-east-2.aws.nitro-enclaves)",
  "the leaf certificate (CN=i-0340e0cb833504eb6-enc019c12d31f78864d.us-east-2.aws)",
];

describe("chainFailure on the fixture's chain", () => {
  const { cabundle, leaf } = fixtureCertificates();

  it("passes at the document's time: leaf ← 3 intermediates ← cabundle[0], the pinned AWS root itself", () => {
    expect(cabundle[0].equals(new X509Certificate(AWS_NITRO_ROOT_PEM).raw)).toBe(true);
    expect(check(cabundle, leaf)).toBeNull();
  });

  it("passes with a bundle that starts below the root (issued by it), as x509.Verify would", () => {
    expect(check(cabundle.slice(1), leaf)).toBeNull();
  });

  for (const [index, name] of NAMES.entries()) {
    const tamper = (offsetOf: (der: Uint8Array) => number) => {
      const certs = [...cabundle, leaf];
      certs[index] = flipByte(certs[index], offsetOf(certs[index]));
      return check(certs.slice(0, 4), certs[4]);
    };
    const expected =
      index === 0
        ? `${name} is neither the pinned root ${ROOT} nor issued by it: ${name} is not signed by the pinned root ${ROOT}`
        : `${name} is not signed by ${NAMES[index - 1]}`;

    it(`names ${name.split(" (")[0]} when a byte of its signed content (serial number) is flipped`, () => {
      expect(tamper(tbsSerialOffset)).toBe(expected);
    });

    it(`names ${name.split(" (")[0]} when a byte of its signature is flipped`, () => {
      expect(tamper(signatureOffset)).toBe(expected);
    });
  }

  it("holds the leaf valid exactly from notBefore to notAfter (inclusive), 3 hours around the document", () => {
    const notBefore = Date.parse("2026-02-12T17:55:59Z");
    const notAfter = Date.parse("2026-02-12T20:56:02Z");
    expect(check(cabundle, leaf, notBefore)).toBeNull();
    expect(check(cabundle, leaf, notAfter)).toBeNull();
    expect(check(cabundle, leaf, notBefore - 1)).toBe(
      `${NAMES[4]} is not valid at the document's time 2026-02-12T17:55:58.999Z (valid 2026-02-12T17:55:59.000Z to 2026-02-12T20:56:02.000Z)`,
    );
    expect(check(cabundle, leaf, notAfter + 1)).toBe(
      `${NAMES[4]} is not valid at the document's time 2026-02-12T20:56:02.001Z (valid 2026-02-12T17:55:59.000Z to 2026-02-12T20:56:02.000Z)`,
    );
  });

  it("reports the certificate nearest the root that is out of date", () => {
    // On Feb 19 the zonal certificate (to Feb 18), the instance one (to Feb 13) and the leaf have all
    // expired.
    expect(check(cabundle, leaf, Date.parse("2026-02-19T00:00:00Z"))).toMatch(
      /^cabundle certificate 2 \(CN=5d893a5001c52c61\.zonal\.us-east-2\.aws\.nitro-enclaves\) is not valid at/,
    );
  });

  it("fails when a certificate is left out of the bundle", () => {
    expect(check([cabundle[0], cabundle[1], cabundle[3]], leaf)).toBe(
      `cabundle certificate 2 (CN=i-0340e0cb833504eb6.us-east-2.aws.nitro-enclaves) names another issuer than cabundle certificate 1 (CN=fa81a085809d0853.us-east-2.aws.nitro-enclaves) (issuer CN=5d893a5001c52c61.zonal.us-east-2.aws.nitro-enclaves, OU=AWS, O=Amazon, C=US, ST=WA, L=Seattle)`,
    );
    expect(check([], leaf)).toBe(
      `the cabundle is empty and ${NAMES[4]} names another issuer than the pinned root ${ROOT} (issuer C=US, ST=Washington, L=Seattle, O=Amazon, OU=AWS, CN=i-0340e0cb833504eb6.us-east-2.aws.nitro-enclaves)`,
    );
  });

  describe("against another root", () => {
    let synthetic: SyntheticChain;
    beforeAll(async () => {
      synthetic = await makeSyntheticChain(DOCUMENT_TIME);
    });

    it("refuses AWS's chain when the pinned root is someone else's", () => {
      expect(check(cabundle, leaf, DOCUMENT_TIME, synthetic.rootPem)).toMatch(
        /^cabundle certificate 0 \(CN=aws\.nitro-enclaves\) is neither the pinned root \(CN=test\.nitro-root\) nor issued by it: /,
      );
    });

    it("refuses a chain whose issuer is not a CA", () => {
      // The leaf put in the bundle as if it had issued a certificate: names match, but it is no CA.
      const failure = check(
        [...synthetic.cabundle, synthetic.leaf],
        synthetic.leaf,
        DOCUMENT_TIME,
        synthetic.rootPem,
      );
      expect(failure).toBe(
        "cabundle certificate 2 (CN=i-test-enc0001.test.nitro) is not a CA certificate, yet would issue the leaf certificate (CN=i-test-enc0001.test.nitro)",
      );
    });

    it("passes the synthetic chain against its own root", () => {
      expect(check(synthetic.cabundle, synthetic.leaf, DOCUMENT_TIME, synthetic.rootPem)).toBeNull();
    });
  });
});

describe("parseCertificate", () => {
  const { leaf } = fixtureCertificates();

  it("refuses bytes that are not a certificate, and trailing bytes after one", () => {
    const garbage = parseCertificate(Buffer.from("not a certificate"), "cabundle certificate 1");
    expect(garbage.ok).toBe(false);
    expect(!garbage.ok && garbage.reason).toMatch(
      /^cabundle certificate 1 is not a DER X\.509 certificate \(/,
    );
    expect(parseCertificate(Buffer.concat([leaf, Buffer.from([0])]), "the leaf certificate")).toEqual({
      ok: false,
      reason: "the leaf certificate has bytes after its DER certificate",
    });
  });

  it("refuses a root that is not PEM", () => {
    const root = parseRootPem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    expect(root.ok).toBe(false);
    expect(!root.ok && root.reason).toMatch(/^the pinned root is not a PEM certificate/);
  });
});
