import { type KeyObject, verify, type X509Certificate } from "node:crypto";
import { type CoseSign1, sigStructure } from "./cose.ts";

/** ES384's signature: r ‖ s, 48 bytes each (RFC 9053 §2.1), not DER. */
export const ES384_SIGNATURE_LENGTH = 96;

/**
 * Why the COSE_Sign1 signature does not verify with the leaf certificate's key, or null when it does. Like
 * og-evm, the algorithm is ES384 whatever the protected header says: the leaf must hold a P-384 key, and the
 * signature is ECDSA over SHA-384 of Sig_structure.
 */
export function coseSignatureFailure(message: CoseSign1, leaf: X509Certificate): string | null {
  let key: KeyObject;
  try {
    // X509Certificate parses the key lazily: a damaged SubjectPublicKeyInfo throws here, not at parse time.
    key = leaf.publicKey;
  } catch {
    return "the leaf certificate's public key does not decode";
  }
  if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "secp384r1") {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    return `the leaf certificate's key is ${key.asymmetricKeyType ?? "unknown"}${curve ? ` ${curve}` : ""}, not the P-384 key ES384 needs`;
  }
  if (message.signature.length !== ES384_SIGNATURE_LENGTH) {
    return `the COSE signature is ${message.signature.length} bytes, not the ${ES384_SIGNATURE_LENGTH} of ES384 (r ‖ s)`;
  }
  let valid: boolean;
  try {
    valid = verify(
      "sha384",
      sigStructure(message.protectedHeader, message.payload),
      { key, dsaEncoding: "ieee-p1363" },
      message.signature,
    );
  } catch {
    valid = false;
  }
  return valid ? null : "COSE signature does not verify with the leaf certificate";
}
