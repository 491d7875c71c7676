import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decodeCoseSign1, decodeNitroPayload } from "./cose.ts";
import { coseSignatureFailure } from "./signature.ts";
import { fixtureDocument, selfSignedCertificate } from "./test-support.ts";

function fixture() {
  const cose = decodeCoseSign1(fixtureDocument());
  if (cose.ok !== true) throw new Error("no COSE");
  const payload = decodeNitroPayload(cose.value.payload);
  if (!payload.ok) throw new Error(payload.reason);
  return { message: cose.value, leaf: new X509Certificate(payload.value.certificate) };
}

describe("coseSignatureFailure", () => {
  it("verifies the fixture's ES384 signature with its leaf certificate", () => {
    const { message, leaf } = fixture();
    expect(coseSignatureFailure(message, leaf)).toBeNull();
  });

  it("refuses a signature that is not 96 bytes of r ‖ s (e.g. DER)", () => {
    const { message, leaf } = fixture();
    expect(coseSignatureFailure({ ...message, signature: message.signature.subarray(0, 95) }, leaf)).toBe(
      "the COSE signature is 95 bytes, not the 96 of ES384 (r ‖ s)",
    );
  });

  it("refuses a leaf whose key is not P-384", async () => {
    const { message } = fixture();
    expect(coseSignatureFailure(message, new X509Certificate(await selfSignedCertificate("P-256")))).toBe(
      "the leaf certificate's key is ec prime256v1, not the P-384 key ES384 needs",
    );
  });

  it("refuses the fixture's signature checked with another P-384 certificate (cabundle's last)", () => {
    const { message } = fixture();
    const cose = decodeCoseSign1(fixtureDocument());
    if (cose.ok !== true) throw new Error("no COSE");
    const payload = decodeNitroPayload(cose.value.payload);
    if (!payload.ok) throw new Error(payload.reason);
    const issuer = new X509Certificate(payload.value.cabundle[3]);
    expect(coseSignatureFailure(message, issuer)).toBe(
      "COSE signature does not verify with the leaf certificate",
    );
  });
});
