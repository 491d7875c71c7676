// AWS Nitro attestation verification for TEE registrations (OpenGradient's TEE precompile, re-done by the
// indexer on its own): pure functions of the calldata, node:crypto and a pinned root, no network.
export {
  ATTESTATION_MAX_AGE_SECONDS,
  ATTESTATION_MAX_SKEW_SECONDS,
  type AttestationCheckInput,
  type AttestationCheckResult,
  attestationCheck,
  DEVNET_DOCUMENT_REASON,
  freshnessFailure,
  MIN_ATTESTATION_TIMESTAMP_MS,
} from "./attestation-check.ts";
export { AWS_NITRO_ROOT_FINGERPRINT256, AWS_NITRO_ROOT_PEM } from "./aws-nitro-root.ts";
export {
  type CertificateInfo,
  certificateInfo,
  chainFailure,
  type ParsedCertificate,
  parseCertificate,
  parseRootPem,
} from "./chain.ts";
export {
  COSE_SIGN1_TAG,
  type CoseSign1,
  decodeCbor,
  decodeCoseSign1,
  decodeNitroPayload,
  type NitroPayload,
  sigStructure,
} from "./cose.ts";
export {
  MAX_ATTESTATION_DOCUMENT_BYTES,
  MAX_PCR_BYTES,
  type NitroDocument,
  type NitroVerification,
  type NitroVerifyOptions,
  verifyNitroDocument,
} from "./document.ts";
export { coseSignatureFailure, ES384_SIGNATURE_LENGTH } from "./signature.ts";
export {
  MAX_REGISTERED_KEY_BYTES,
  NITRIDING_USER_DATA_LENGTH,
  type NitridingKeyHashes,
  parseNitridingUserData,
  userDataBindingFailure,
} from "./user-data.ts";
