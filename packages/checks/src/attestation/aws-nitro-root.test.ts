import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AWS_NITRO_ROOT_FINGERPRINT256, AWS_NITRO_ROOT_PEM } from "./aws-nitro-root.ts";
import { fixtureRootPem } from "./test-support.ts";

describe("the pinned AWS Nitro root", () => {
  it("is exactly the fixture's PEM (og-evm's DefaultAWSNitroRootCertPEM)", () => {
    expect(AWS_NITRO_ROOT_PEM).toBe(fixtureRootPem());
  });

  it("has AWS's published SHA-256 fingerprint and is a self-signed P-384 CA valid 2019..2049", () => {
    const root = new X509Certificate(AWS_NITRO_ROOT_PEM);
    expect(root.fingerprint256).toBe(AWS_NITRO_ROOT_FINGERPRINT256);
    expect(root.subject).toBe("C=US\nO=Amazon\nOU=AWS\nCN=aws.nitro-enclaves");
    expect(root.ca).toBe(true);
    expect(root.checkIssued(root)).toBe(true);
    expect(root.verify(root.publicKey)).toBe(true);
    expect(root.publicKey.asymmetricKeyDetails?.namedCurve).toBe("secp384r1");
    expect(new Date(root.validFrom).toISOString()).toBe("2019-10-28T13:28:05.000Z");
    expect(new Date(root.validTo).toISOString()).toBe("2049-10-28T14:28:05.000Z");
  });
});
