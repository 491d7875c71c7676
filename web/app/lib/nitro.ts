import { sha256 } from "@noble/hashes/sha2.js";
import { ECDSASigValue, ECParameters } from "@peculiar/asn1-ecc";
import { AsnConvert } from "@peculiar/asn1-schema";
import { BasicConstraints, Certificate, id_ce_basicConstraints, type Name } from "@peculiar/asn1-x509";
// The no-eval build: the default one probes `new Function` at load, a violation under the explorer's CSP.
import { Decoder } from "cbor-x/decode-no-eval";
import { bytesToHex } from "./hex";
import { AWS_NITRO_ROOT_G1_PEM, pemToDer } from "./nitro-root";
import { keccak256Hex } from "./verify";

// An AWS Nitro Enclaves attestation document verified again in the browser, from the raw bytes of the
// registration's calldata (never from the indexer's decoded fields): CBOR COSE_Sign1 (RFC 9052), its ES384
// signature with the leaf certificate's key, the certificate chain from the pinned AWS root to the leaf at the
// document's own time, keccak256(PCR0 ‖ PCR1 ‖ PCR2), and user_data's binding of the registered keys (nitriding:
// [0x12 0x20][sha256(TLS certificate DER)][0x12 0x20][sha256(signing key DER)]). Every signature is checked with
// WebCrypto; the indexer has an implementation of its own (a second opinion is the point).

export type StepResult = "PASS" | "FAIL" | "UNKNOWN" | "NOT_APPLICABLE";
export type StepId = "decode" | "signature" | "chain" | "pcrs" | "binding";

export const STEP_NAMES: Record<StepId, string> = {
  decode: "Document decodes (CBOR COSE_Sign1)",
  signature: "COSE signature (ES384, leaf certificate's key)",
  chain: "Certificate chain to the pinned AWS Nitro root",
  pcrs: "PCR hash keccak256(PCR0 ‖ PCR1 ‖ PCR2)",
  binding: "user_data binds the registered TLS certificate and signing key",
};

export interface Step {
  id: StepId;
  name: string;
  result: StepResult;
  detail: string;
}

export interface DecodedCertificate {
  subject: string;
  notBefore: Date;
  notAfter: Date;
}

export interface AttestationVerification {
  format: "NITRO" | "DEVNET" | "UNRECOGNIZED" | "NONE";
  /** PASS when every step passes; else the first FAIL (see failedStep), UNKNOWN or NOT_APPLICABLE. */
  result: StepResult;
  /** The first step that failed, by name. */
  failedStep: string | null;
  steps: Step[];
  moduleId: string | null;
  timestamp: Date | null;
  pcr0: string | null;
  pcr1: string | null;
  pcr2: string | null;
  pcrHash: string | null;
  userData: string | null;
  /** Leaf first, then the CA bundle from the last intermediate towards the root. */
  certificates: DecodedCertificate[];
}

export interface VerifyOptions {
  /** The time the certificates must be valid at; the document's own timestamp when absent. */
  at?: Date;
  /** The registered signing key (DER) user_data must bind; the binding step is UNKNOWN without both keys. */
  signingKey?: Uint8Array | null;
  /** The registered TLS certificate (DER) user_data must bind. */
  tlsCertificate?: Uint8Array | null;
  /** Another trust anchor (DER), for tests only; the pinned AWS root by default. */
  rootDer?: Uint8Array;
  subtle?: SubtleCrypto;
}

class StepFailure extends Error {}

const decoder = new Decoder({ mapsAsObjects: false, useRecords: false });

const OID_ECDSA_SHA256 = "1.2.840.10045.4.3.2";
const OID_ECDSA_SHA384 = "1.2.840.10045.4.3.3";
const OID_ECDSA_SHA512 = "1.2.840.10045.4.3.4";
const SIGNATURE_HASH: Record<string, string> = {
  [OID_ECDSA_SHA256]: "SHA-256",
  [OID_ECDSA_SHA384]: "SHA-384",
  [OID_ECDSA_SHA512]: "SHA-512",
};
const CURVES: Record<string, { name: string; size: number }> = {
  "1.2.840.10045.3.1.7": { name: "P-256", size: 32 },
  "1.3.132.0.34": { name: "P-384", size: 48 },
  "1.3.132.0.35": { name: "P-521", size: 66 },
};
/** COSE algorithm ES384 (RFC 9053). */
const COSE_ES384 = -35;

/** Verifies a registration's attestation document (bytes from calldata); never throws. */
export async function verifyAttestationDocument(
  document: Uint8Array | null,
  options: VerifyOptions = {},
): Promise<AttestationVerification> {
  const out: AttestationVerification = {
    format: "NONE",
    result: "UNKNOWN",
    failedStep: null,
    steps: [],
    moduleId: null,
    timestamp: null,
    pcr0: null,
    pcr1: null,
    pcr2: null,
    pcrHash: null,
    userData: null,
    certificates: [],
  };
  const step = (id: StepId, result: StepResult, detail: string) => {
    out.steps.push({ id, name: STEP_NAMES[id], result, detail });
  };
  const skipRest = (from: StepId[], why: string) => {
    for (const id of from) step(id, "UNKNOWN", why);
  };
  if (!document || document.length === 0) {
    step("decode", "UNKNOWN", "the document is not in the registration's calldata: nothing to check");
    skipRest(["signature", "chain", "pcrs", "binding"], "no document");
    return finish(out);
  }

  document = new Uint8Array(document);
  // 1. The document: COSE_Sign1, or the devnet's abi.encode(bytes, bytes, bytes), or neither.
  const cose = decodeCoseSign1(document);
  if (!cose.ok) {
    const devnet = decodeDevnetDocument(document);
    if (devnet) {
      out.format = "DEVNET";
      [out.pcr0, out.pcr1, out.pcr2] = devnet.map(bytesToHex);
      out.pcrHash = keccak256Hex(...devnet);
      step(
        "decode",
        "NOT_APPLICABLE",
        "a devnet document: abi.encode(pcr0, pcr1, pcr2), not a Nitro attestation; nothing in it is signed",
      );
      step("signature", "NOT_APPLICABLE", "a devnet document carries no signature");
      step("chain", "NOT_APPLICABLE", "a devnet document carries no certificates");
      step(
        "pcrs",
        "PASS",
        `keccak256(PCR0 ‖ PCR1 ‖ PCR2) = ${out.pcrHash} (PCRs as the document states them)`,
      );
      step("binding", "NOT_APPLICABLE", "a devnet document has no user_data");
      return finish(out);
    }
    out.format = "UNRECOGNIZED";
    step("decode", "FAIL", `not a COSE_Sign1 attestation document (${cose.reason}) nor a devnet document`);
    skipRest(["signature", "chain", "pcrs", "binding"], "the document did not decode");
    return finish(out);
  }
  out.format = "NITRO";
  let payload: NitroPayload;
  try {
    payload = decodePayload(cose.value.payload);
  } catch (err) {
    step("decode", "FAIL", `the COSE payload is not an attestation document: ${(err as Error).message}`);
    skipRest(["signature", "chain", "pcrs", "binding"], "the document did not decode");
    return finish(out);
  }
  out.moduleId = payload.moduleId;
  out.timestamp = new Date(payload.timestampMs);
  out.userData = payload.userData ? bytesToHex(payload.userData) : null;
  const pcrs = [0, 1, 2].map((i) => payload.pcrs.get(i) ?? null);
  [out.pcr0, out.pcr1, out.pcr2] = pcrs.map((p) => (p ? bytesToHex(p) : null));
  let leaf: ParsedCertificate;
  let bundle: ParsedCertificate[];
  try {
    leaf = parseCertificate(payload.certificate, "the leaf certificate");
    bundle = payload.cabundle.map((der, i) => parseCertificate(der, `cabundle[${i}]`));
  } catch (err) {
    step("decode", "PASS", `COSE_Sign1 with module ${payload.moduleId} at ${out.timestamp.toISOString()}`);
    step("signature", "UNKNOWN", "the leaf certificate does not parse, so its key is unknown");
    step("chain", "FAIL", (err as Error).message);
    finishPcrs(out, pcrs, step);
    step("binding", ...bindingStep(payload, options));
    return finish(out);
  }
  out.certificates = [leaf, ...[...bundle].reverse()].map((c) => ({
    subject: c.subject,
    notBefore: c.notBefore,
    notAfter: c.notAfter,
  }));
  step(
    "decode",
    "PASS",
    `COSE_Sign1 (ES384) with module ${payload.moduleId} at ${out.timestamp.toISOString()}, ${payload.cabundle.length} CA certificates`,
  );

  const subtle = options.subtle ?? globalThis.crypto?.subtle;
  if (!subtle) {
    skipRest(["signature", "chain"], "this browser offers no WebCrypto here (it needs https or localhost)");
    finishPcrs(out, pcrs, step);
    step("binding", ...bindingStep(payload, options));
    return finish(out);
  }

  // 2. The COSE signature: ES384 over Sig_structure ["Signature1", protected, h'', payload], raw r ‖ s.
  try {
    if (cose.value.alg !== COSE_ES384) {
      throw new StepFailure(`the protected header's algorithm is ${cose.value.alg}, not ES384 (-35)`);
    }
    const key = await importEcKey(subtle, leaf, "the leaf certificate");
    const toBeSigned = sigStructure(cose.value.protectedHeader, cose.value.payload);
    const ok = await ecdsaVerify(subtle, key, "SHA-384", cose.value.signature, toBeSigned);
    if (!ok) throw new StepFailure("the ES384 signature does not verify with the leaf certificate's key");
    step("signature", "PASS", `ES384 signature verifies with the key of ${leaf.subject}`);
  } catch (err) {
    step("signature", "FAIL", (err as Error).message);
  }

  // 3. The chain: pinned root = cabundle[0] → … → cabundle[n-1] → leaf, each valid at the document's time.
  const at = options.at ?? out.timestamp;
  try {
    const rootDer = options.rootDer ?? pemToDer(AWS_NITRO_ROOT_G1_PEM);
    const root = parseCertificate(rootDer, "the pinned root");
    if (bundle.length === 0) throw new StepFailure("the CA bundle is empty");
    if (!equalBytes(bundle[0].der, root.der)) {
      throw new StepFailure("cabundle[0] is not the pinned AWS Nitro root certificate");
    }
    const path = [root, ...bundle.slice(1), leaf];
    const names = ["the pinned root", ...bundle.slice(1).map((_, i) => `cabundle[${i + 1}]`), "the leaf"];
    for (let i = 0; i < path.length; i++) {
      const cert = path[i];
      const issuer = i === 0 ? root : path[i - 1];
      const what = `${names[i]} (${cert.subject})`;
      if (at < cert.notBefore || at > cert.notAfter) {
        throw new StepFailure(
          `${what} is not valid at ${at.toISOString()}: valid ${cert.notBefore.toISOString()} to ${cert.notAfter.toISOString()}`,
        );
      }
      if (!equalBytes(cert.issuerDer, issuer.subjectDer)) {
        throw new StepFailure(`${what} was not issued by ${issuer.subject}`);
      }
      if (i < path.length - 1 && cert.isCa === false) {
        throw new StepFailure(`${what} issues a certificate but is not a CA`);
      }
      const hash = SIGNATURE_HASH[cert.signatureAlgorithm];
      if (!hash) throw new StepFailure(`${what} is signed with ${cert.signatureAlgorithm}, not ECDSA`);
      const key = await importEcKey(subtle, issuer, names[i === 0 ? 0 : i - 1]);
      const signature = derSignatureToRaw(cert.signature, key.size);
      if (!signature || !(await ecdsaVerify(subtle, key, hash, signature, cert.tbs))) {
        throw new StepFailure(`the signature of ${what} does not verify with the key of ${issuer.subject}`);
      }
    }
    step(
      "chain",
      "PASS",
      `${path.length} certificates from the pinned AWS Nitro root to the leaf verify, each valid at ${at.toISOString()}`,
    );
  } catch (err) {
    step("chain", "FAIL", (err as Error).message);
  }

  finishPcrs(out, pcrs, step);
  step("binding", ...bindingStep(payload, options));
  return finish(out);
}

function finish(out: AttestationVerification): AttestationVerification {
  const failed = out.steps.find((s) => s.result === "FAIL");
  out.failedStep = failed?.name ?? null;
  if (failed) out.result = "FAIL";
  else if (out.format === "DEVNET") out.result = "NOT_APPLICABLE";
  else if (out.steps.every((s) => s.result === "PASS")) out.result = "PASS";
  else out.result = "UNKNOWN";
  return out;
}

function finishPcrs(
  out: AttestationVerification,
  pcrs: (Uint8Array | null)[],
  step: (id: StepId, result: StepResult, detail: string) => void,
): void {
  const missing = pcrs.indexOf(null);
  if (missing >= 0) {
    step("pcrs", "FAIL", `the document has no PCR${missing}`);
    return;
  }
  out.pcrHash = keccak256Hex(...(pcrs as Uint8Array[]));
  step("pcrs", "PASS", `keccak256(PCR0 ‖ PCR1 ‖ PCR2) = ${out.pcrHash}`);
}

/** user_data's binding of the registered TLS certificate and signing key (nitriding's two sha256 multihashes). */
function bindingStep(payload: NitroPayload, options: VerifyOptions): [StepResult, string] {
  const data = payload.userData;
  if (!data) return ["FAIL", "the document has no user_data to bind the keys"];
  if (data.length !== 68) {
    return ["FAIL", `user_data is ${data.length} bytes, not two sha256 multihashes (68 bytes)`];
  }
  const tlsHash = bytesToHex(data.subarray(2, 34));
  const keyHash = bytesToHex(data.subarray(36, 68));
  if (!options.tlsCertificate || !options.signingKey) {
    const missing = options.tlsCertificate ? "signing key" : "TLS certificate";
    return [
      "UNKNOWN",
      `user_data binds TLS certificate sha256 ${tlsHash} and signing key sha256 ${keyHash}; the registered ${missing} is not known here`,
    ];
  }
  const tls = bytesToHex(sha256(options.tlsCertificate));
  const key = bytesToHex(sha256(options.signingKey));
  if (tls !== tlsHash) {
    return ["FAIL", `sha256 of the registered TLS certificate is ${tls}; user_data binds ${tlsHash}`];
  }
  if (key !== keyHash) {
    return ["FAIL", `sha256 of the registered signing key is ${key}; user_data binds ${keyHash}`];
  }
  return [
    "PASS",
    `user_data holds sha256 of the registered TLS certificate (${tls}) and signing key (${key})`,
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// CBOR and COSE

interface CoseSign1 {
  protectedHeader: Uint8Array;
  alg: unknown;
  payload: Uint8Array;
  signature: Uint8Array;
}

interface NitroPayload {
  moduleId: string;
  timestampMs: number;
  pcrs: Map<number, Uint8Array>;
  certificate: Uint8Array;
  cabundle: Uint8Array[];
  userData: Uint8Array | null;
}

function isBytes(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array;
}

function decodeCoseSign1(bytes: Uint8Array): { ok: true; value: CoseSign1 } | { ok: false; reason: string } {
  let item: unknown;
  try {
    item = decoder.decode(bytes);
  } catch (err) {
    return { ok: false, reason: `not CBOR: ${(err as Error).message}` };
  }
  // A tagged COSE_Sign1 (tag 18) is the same message.
  if (
    item &&
    typeof item === "object" &&
    "tag" in item &&
    "value" in item &&
    (item as { tag: unknown }).tag === 18
  ) {
    item = (item as { value: unknown }).value;
  }
  if (!Array.isArray(item) || item.length !== 4) return { ok: false, reason: "not an array of four items" };
  const [protectedHeader, , payload, signature] = item;
  if (!isBytes(protectedHeader) || !isBytes(payload) || !isBytes(signature)) {
    return { ok: false, reason: "the protected header, payload or signature is not a byte string" };
  }
  let alg: unknown;
  try {
    const header = protectedHeader.length === 0 ? new Map() : decoder.decode(protectedHeader);
    alg = header instanceof Map ? header.get(1) : undefined;
  } catch {
    return { ok: false, reason: "the protected header is not CBOR" };
  }
  return { ok: true, value: { protectedHeader, alg, payload, signature } };
}

function decodePayload(bytes: Uint8Array): NitroPayload {
  const map = decoder.decode(bytes);
  if (!(map instanceof Map)) throw new Error("not a map");
  const moduleId = map.get("module_id");
  if (typeof moduleId !== "string" || moduleId === "") throw new Error("no module_id");
  const ts = map.get("timestamp");
  const timestampMs = typeof ts === "bigint" ? Number(ts) : ts;
  if (typeof timestampMs !== "number" || !Number.isSafeInteger(timestampMs) || timestampMs <= 0) {
    throw new Error("no timestamp");
  }
  const digest = map.get("digest");
  if (digest !== "SHA384") throw new Error(`digest is ${String(digest)}, not SHA384`);
  const rawPcrs = map.get("pcrs");
  if (!(rawPcrs instanceof Map)) throw new Error("no pcrs");
  const pcrs = new Map<number, Uint8Array>();
  for (const [k, v] of rawPcrs) {
    if (typeof k !== "number" || !isBytes(v)) throw new Error("a PCR is not an index with bytes");
    pcrs.set(k, v);
  }
  const certificate = map.get("certificate");
  if (!isBytes(certificate)) throw new Error("no certificate");
  const cabundle = map.get("cabundle");
  if (!Array.isArray(cabundle) || !cabundle.every(isBytes)) throw new Error("no cabundle");
  const userData = map.get("user_data");
  return {
    moduleId,
    timestampMs,
    pcrs,
    certificate,
    cabundle,
    userData: isBytes(userData) ? userData : null,
  };
}

/** CBOR of ["Signature1", protected, h'', payload] (RFC 9052 §4.4), written out by hand. */
function sigStructure(protectedHeader: Uint8Array, payload: Uint8Array): Uint8Array<ArrayBuffer> {
  const context = new TextEncoder().encode("Signature1");
  const parts = [
    new Uint8Array([0x84]),
    cborHead(3, context.length),
    context,
    cborHead(2, protectedHeader.length),
    protectedHeader,
    cborHead(2, 0),
    cborHead(2, payload.length),
    payload,
  ];
  return concat(parts);
}

function cborHead(major: number, length: number): Uint8Array {
  const m = major << 5;
  if (length < 24) return new Uint8Array([m | length]);
  if (length < 0x100) return new Uint8Array([m | 24, length]);
  if (length < 0x10000) return new Uint8Array([m | 25, length >> 8, length & 0xff]);
  return new Uint8Array([m | 26, length >>> 24, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff]);
}

/** abi.encode(bytes, bytes, bytes), strictly (the devnet registry's document), or null. */
function decodeDevnetDocument(bytes: Uint8Array): Uint8Array[] | null {
  const word = (at: number): number | null => {
    if (at + 32 > bytes.length) return null;
    for (let i = at; i < at + 24; i++) if (bytes[i] !== 0) return null;
    let v = 0;
    for (let i = at + 24; i < at + 32; i++) v = v * 256 + bytes[i];
    return Number.isSafeInteger(v) ? v : null;
  };
  const out: Uint8Array[] = [];
  let end = 96;
  for (let i = 0; i < 3; i++) {
    const offset = word(32 * i);
    if (offset === null || offset % 32 !== 0 || offset < 96) return null;
    const length = word(offset);
    if (length === null || offset + 32 + length > bytes.length) return null;
    out.push(bytes.slice(offset + 32, offset + 32 + length));
    end = Math.max(end, offset + 32 + Math.ceil(length / 32) * 32);
  }
  return end === bytes.length ? out : null;
}

// ---------------------------------------------------------------------------------------------------------------
// X.509

interface ParsedCertificate {
  der: Uint8Array;
  /** The exact bytes of tbsCertificate, as signed. */
  tbs: Uint8Array<ArrayBuffer>;
  subject: string;
  subjectDer: Uint8Array;
  issuerDer: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  spki: Uint8Array<ArrayBuffer>;
  curveOid: string | undefined;
  signatureAlgorithm: string;
  signature: Uint8Array;
  /** basicConstraints cA, or undefined without the extension. */
  isCa: boolean | undefined;
}

function parseCertificate(input: Uint8Array, what: string): ParsedCertificate {
  const der = new Uint8Array(input); // a copy: cbor-x's byte strings may be views into a larger buffer
  let cert: Certificate;
  let tbs: Uint8Array<ArrayBuffer>;
  try {
    tbs = firstChildOfSequence(der);
    cert = AsnConvert.parse(der, Certificate);
  } catch (err) {
    throw new StepFailure(`${what} is not a DER X.509 certificate (${(err as Error).message})`);
  }
  const t = cert.tbsCertificate;
  let curveOid: string | undefined;
  try {
    const params = t.subjectPublicKeyInfo.algorithm.parameters;
    curveOid = params ? AsnConvert.parse(params, ECParameters).namedCurve : undefined;
  } catch {
    curveOid = undefined;
  }
  let isCa: boolean | undefined;
  const bc = t.extensions?.find((e) => e.extnID === id_ce_basicConstraints);
  if (bc) {
    try {
      isCa = AsnConvert.parse(bc.extnValue, BasicConstraints).cA;
    } catch {
      isCa = false;
    }
  }
  return {
    der,
    tbs,
    subject: nameToString(t.subject),
    subjectDer: new Uint8Array(AsnConvert.serialize(t.subject)),
    issuerDer: new Uint8Array(AsnConvert.serialize(t.issuer)),
    notBefore: t.validity.notBefore.getTime(),
    notAfter: t.validity.notAfter.getTime(),
    spki: new Uint8Array(AsnConvert.serialize(t.subjectPublicKeyInfo)),
    curveOid,
    signatureAlgorithm: cert.signatureAlgorithm.algorithm,
    signature: new Uint8Array(cert.signatureValue),
    isCa,
  };
}

const NAME_KEYS: Record<string, string> = {
  "2.5.4.3": "CN",
  "2.5.4.6": "C",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
};

function nameToString(name: Name): string {
  return name
    .map((rdn) => rdn.map((a) => `${NAME_KEYS[a.type] ?? a.type}=${a.value.toString()}`).join("+"))
    .join(", ");
}

/** The exact DER bytes of the first element of a SEQUENCE (a certificate's tbsCertificate). */
function firstChildOfSequence(der: Uint8Array): Uint8Array<ArrayBuffer> {
  const outer = readTlv(der, 0);
  if (der[0] !== 0x30 || outer.end !== der.length) throw new Error("not one DER SEQUENCE");
  const inner = readTlv(der, outer.contentStart);
  if (der[outer.contentStart] !== 0x30) throw new Error("tbsCertificate is not a SEQUENCE");
  return der.slice(outer.contentStart, inner.end);
}

function readTlv(der: Uint8Array, at: number): { contentStart: number; end: number } {
  if (at + 2 > der.length) throw new Error("truncated DER");
  let length = der[at + 1];
  let contentStart = at + 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > 4) throw new Error("unsupported DER length");
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + der[at + 2 + i];
    contentStart += n;
  }
  const end = contentStart + length;
  if (end > der.length) throw new Error("truncated DER");
  return { contentStart, end };
}

// ---------------------------------------------------------------------------------------------------------------
// WebCrypto

interface EcKey {
  key: CryptoKey;
  size: number;
}

async function importEcKey(subtle: SubtleCrypto, cert: ParsedCertificate, what: string): Promise<EcKey> {
  const curve = cert.curveOid ? CURVES[cert.curveOid] : undefined;
  if (!curve) throw new StepFailure(`${what} has no P-256, P-384 or P-521 key`);
  try {
    const key = await subtle.importKey("spki", cert.spki, { name: "ECDSA", namedCurve: curve.name }, false, [
      "verify",
    ]);
    return { key, size: curve.size };
  } catch {
    throw new StepFailure(`${what}'s ${curve.name} key is not one WebCrypto accepts`);
  }
}

async function ecdsaVerify(
  subtle: SubtleCrypto,
  key: EcKey,
  hash: string,
  rawSignature: Uint8Array,
  data: Uint8Array<ArrayBuffer>,
): Promise<boolean> {
  if (rawSignature.length !== 2 * key.size) return false;
  try {
    return await subtle.verify({ name: "ECDSA", hash }, key.key, new Uint8Array(rawSignature), data);
  } catch {
    return false;
  }
}

/** A DER ECDSA-Sig-Value (SEQUENCE { r INTEGER, s INTEGER }) as WebCrypto's r ‖ s, each `size` bytes; or null. */
export function derSignatureToRaw(der: Uint8Array, size: number): Uint8Array | null {
  let value: ECDSASigValue;
  try {
    value = AsnConvert.parse(der, ECDSASigValue);
  } catch {
    return null;
  }
  const out = new Uint8Array(2 * size);
  for (const [i, part] of [value.r, value.s].entries()) {
    let bytes = new Uint8Array(part);
    while (bytes.length > size && bytes[0] === 0) bytes = bytes.subarray(1);
    if (bytes.length > size) return null;
    out.set(bytes, (i + 1) * size - bytes.length);
  }
  return out;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
