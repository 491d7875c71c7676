import { type Hex, keccak256 } from "viem";
import { hexToBuffer } from "../hex.ts";
import { AWS_NITRO_ROOT_PEM } from "./aws-nitro-root.ts";
import {
  type CertificateInfo,
  certificateInfo,
  chainFailure,
  type ParsedCertificate,
  parseCertificate,
  parseRootPem,
} from "./chain.ts";
import { decodeCoseSign1, decodeNitroPayload } from "./cose.ts";
import { coseSignatureFailure } from "./signature.ts";

/** og-evm's limit on an attestation document (16 KiB); a real one is ~4.5 KB. */
export const MAX_ATTESTATION_DOCUMENT_BYTES = 16 * 1024;
/** og-evm's limit on one PCR; computePCRHash gives the zero hash above it, which no registry approves. */
export const MAX_PCR_BYTES = 64;

/** What a Nitro document says, decoded (trusted only when its verification passed). */
export interface NitroDocument {
  moduleId: string;
  timestampMs: number;
  digest: string;
  pcr0: Hex;
  pcr1: Hex;
  pcr2: Hex;
  /** keccak256(PCR0 ‖ PCR1 ‖ PCR2), the registry's pcrHash. */
  pcrHash: Hex;
  /** Every PCR of the document by index (Nitro sends 16, unused ones zero). */
  pcrs: Record<number, Hex>;
  /** The document's certificates, root first: cabundle in order, then the leaf last. */
  certificates: CertificateInfo[];
  publicKey: Hex | null;
  userData: Hex | null;
  nonce: Hex | null;
}

/**
 * The outcome of verifying a document by itself (no registration): format NITRO when the bytes are a CBOR
 * COSE_Sign1 (array of 4, possibly tagged 18), else UNRECOGNIZED; ok when it decodes, its ES384 signature
 * verifies with the leaf certificate, and the leaf chains through cabundle to the pinned root at `atMs`. The
 * reason is the first failure. `document` is filled as soon as the payload decodes (even when the signature
 * or chain then fails: it is then only what the bytes claim) and `userData` is raw for the binding check.
 */
export interface NitroVerification {
  format: "NITRO" | "UNRECOGNIZED";
  ok: boolean;
  reason: string | null;
  document: NitroDocument | null;
  userDataBytes: Buffer | null;
}

export interface NitroVerifyOptions {
  /** The trust anchor (PEM); the pinned AWS Nitro root unless a test supplies its own. */
  rootPem?: string;
  /** When the chain must be valid (epoch ms); the document's own timestamp unless given. */
  atMs?: number;
}

/**
 * Decodes `input` (bytes, or 0x hex) as an AWS Nitro attestation document and verifies its COSE signature and
 * certificate chain, in that order (OpenGradient's precompile, VerifyAttestationDocument, without the
 * block-time checks). Never throws.
 */
export function verifyNitroDocument(
  input: Uint8Array | Hex,
  options: NitroVerifyOptions = {},
): NitroVerification {
  const bytes = typeof input === "string" ? hexToBuffer(input) : input;
  if (bytes === undefined) return unrecognized("the attestation document is not 0x hex");
  const cose = decodeCoseSign1(bytes);
  if (cose.ok === undefined) {
    return unrecognized(`the attestation document is ${cose.reason}`);
  }
  const nitro = (
    reason: string,
    document: NitroDocument | null = null,
    userDataBytes: Buffer | null = null,
  ) => ({ format: "NITRO", ok: false, reason, document, userDataBytes }) as const;
  if (!cose.ok) return nitro(cose.reason);
  if (bytes.length > MAX_ATTESTATION_DOCUMENT_BYTES) {
    return nitro(
      `the attestation document is ${bytes.length} bytes, more than the ${MAX_ATTESTATION_DOCUMENT_BYTES} og-evm accepts`,
    );
  }
  const decoded = decodeNitroPayload(cose.value.payload);
  if (!decoded.ok) return nitro(decoded.reason);
  const payload = decoded.value;

  const selected: Hex[] = [];
  for (const index of [0, 1, 2]) {
    const pcr = payload.pcrs.get(index);
    if (pcr === undefined) return nitro(`the document has no PCR${index}`);
    if (pcr.length > MAX_PCR_BYTES) {
      return nitro(`PCR${index} is ${pcr.length} bytes, more than the ${MAX_PCR_BYTES} og-evm accepts`);
    }
    selected.push(hex(pcr));
  }

  const leaf = parseCertificate(payload.certificate, "the leaf certificate");
  if (!leaf.ok) return nitro(leaf.reason);
  const cabundle: ParsedCertificate[] = [];
  for (const [i, der] of payload.cabundle.entries()) {
    const parsed = parseCertificate(der, `cabundle certificate ${i}`);
    if (!parsed.ok) return nitro(parsed.reason);
    cabundle.push(parsed.value);
  }

  const [pcr0, pcr1, pcr2] = selected;
  const document: NitroDocument = {
    moduleId: payload.moduleId,
    timestampMs: payload.timestampMs,
    digest: payload.digest,
    pcr0,
    pcr1,
    pcr2,
    pcrHash: keccak256(`0x${pcr0.slice(2)}${pcr1.slice(2)}${pcr2.slice(2)}`),
    pcrs: Object.fromEntries([...payload.pcrs].sort(([a], [b]) => a - b).map(([i, pcr]) => [i, hex(pcr)])),
    certificates: [...cabundle, leaf.value].map(certificateInfo),
    publicKey: payload.publicKey && hex(payload.publicKey),
    userData: payload.userData && hex(payload.userData),
    nonce: payload.nonce && hex(payload.nonce),
  };
  const fail = (reason: string) => nitro(reason, document, payload.userData);

  const signatureFailure = coseSignatureFailure(cose.value, leaf.value.cert);
  if (signatureFailure !== null) return fail(signatureFailure);

  const root = parseRootPem(options.rootPem ?? AWS_NITRO_ROOT_PEM);
  if (!root.ok) return fail(root.reason);
  const chain =
    options.atMs === undefined
      ? chainFailure(leaf.value, cabundle, root.value, payload.timestampMs)
      : chainFailure(leaf.value, cabundle, root.value, options.atMs, "the time");
  if (chain !== null) return fail(chain);

  return { format: "NITRO", ok: true, reason: null, document, userDataBytes: payload.userData };
}

function unrecognized(reason: string): NitroVerification {
  return { format: "UNRECOGNIZED", ok: false, reason, document: null, userDataBytes: null };
}

function hex(bytes: Uint8Array): Hex {
  return `0x${Buffer.from(bytes).toString("hex")}`;
}
