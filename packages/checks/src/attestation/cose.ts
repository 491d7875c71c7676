import { Decoder, Tag } from "cbor-x";

// Decoding of an AWS Nitro attestation document: a COSE_Sign1 (RFC 9052) whose payload is a CBOR map
// (https://docs.aws.amazon.com/enclaves/latest/user/verify-root.html, "Attestation document specification").
// The bytes come from anyone's calldata, so every shape is checked and every failure is a reason, never an
// exception. Nothing here is trusted until the signature (cose-signature.ts) and the chain (chain.ts) verify.

/** COSE_Sign1's CBOR tag (RFC 9052); AWS sends the array untagged, but a tagged one is the same message. */
export const COSE_SIGN1_TAG = 18;

/** A COSE_Sign1 message. protectedHeader and payload are the exact bytes the signature covers. */
export interface CoseSign1 {
  protectedHeader: Buffer;
  unprotectedHeader: Map<unknown, unknown>;
  payload: Buffer;
  signature: Buffer;
}

/** The attestation document's payload, its types checked (values not yet trusted). */
export interface NitroPayload {
  moduleId: string;
  /** Milliseconds since the Unix epoch (UTC), when the Nitro hypervisor produced the document. */
  timestampMs: number;
  /** The PCRs' hash function, "SHA384" for every Nitro document. */
  digest: string;
  pcrs: Map<number, Buffer>;
  /** The leaf certificate (DER), whose key signs the document. */
  certificate: Buffer;
  /** The CA bundle (DER), root first: cabundle[0] is the AWS root, the last one issued `certificate`. */
  cabundle: Buffer[];
  publicKey: Buffer | null;
  userData: Buffer | null;
  nonce: Buffer | null;
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * Maps as Map (PCR keys are integers; no object prototype to pollute) and no cbor-x records: plain RFC 8949
 * CBOR. cbor-x accepts indefinite-length arrays and maps (AWS encodes the payload as an indefinite-length
 * map) but not indefinite-length byte or text strings, which AWS never emits.
 */
const decoder = new Decoder({ mapsAsObjects: false, useRecords: false });

/** Exactly one CBOR item (trailing bytes are an error, as in og-evm's fxamacker/cbor), or the reason. */
export function decodeCbor(bytes: Uint8Array): Decoded<unknown> {
  if (bytes.length === 0) return { ok: false, reason: "empty" };
  try {
    return { ok: true, value: decoder.decode(bytes) };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * The COSE_Sign1 array of `bytes`, possibly tagged 18: `undefined` when the bytes are not CBOR or not an
 * array of four (not a COSE_Sign1 at all: the document's format is unrecognized), else the message or why
 * its items are not (bstr protected header, map unprotected header, bstr payload, bstr signature).
 */
export function decodeCoseSign1(bytes: Uint8Array): Decoded<CoseSign1> | { ok: undefined; reason: string } {
  const item = decodeCbor(bytes);
  if (!item.ok) return { ok: undefined, reason: `not CBOR (${item.reason})` };
  let value = item.value;
  if (value instanceof Tag) {
    if (value.tag !== COSE_SIGN1_TAG) return { ok: undefined, reason: `a CBOR item tagged ${value.tag}` };
    value = value.value;
  }
  if (!Array.isArray(value) || value.length !== 4) {
    return { ok: undefined, reason: `CBOR ${describe(value)}, not a COSE_Sign1 array of 4` };
  }
  const [protectedHeader, unprotectedHeader, payload, signature] = value;
  if (!isBytes(protectedHeader)) return fail(`COSE protected header is ${describe(protectedHeader)}`);
  if (!(unprotectedHeader instanceof Map)) {
    return fail(`COSE unprotected header is ${describe(unprotectedHeader)}, not a map`);
  }
  if (!isBytes(payload)) return fail(`COSE payload is ${describe(payload)}, not a byte string`);
  if (!isBytes(signature)) return fail(`COSE signature is ${describe(signature)}, not a byte string`);
  return {
    ok: true,
    value: {
      protectedHeader: Buffer.from(protectedHeader),
      unprotectedHeader,
      payload: Buffer.from(payload),
      signature: Buffer.from(signature),
    },
  };
}

/** The payload map's fields, each of the type AWS specifies; the first missing or mistyped one is the reason. */
export function decodeNitroPayload(payload: Uint8Array): Decoded<NitroPayload> {
  const item = decodeCbor(payload);
  if (!item.ok) return fail(`the COSE payload is not CBOR (${item.reason})`);
  const map = item.value;
  if (!(map instanceof Map)) return fail(`the COSE payload is ${describe(map)}, not a map`);

  const moduleId = map.get("module_id");
  if (typeof moduleId !== "string")
    return fail(`payload module_id is ${describe(moduleId)}, not a text string`);
  const digest = map.get("digest");
  if (typeof digest !== "string") return fail(`payload digest is ${describe(digest)}, not a text string`);
  const timestamp = map.get("timestamp");
  const timestampMs = typeof timestamp === "bigint" ? Number(timestamp) : timestamp;
  if (typeof timestampMs !== "number" || !Number.isSafeInteger(timestampMs) || timestampMs < 0) {
    return fail(`payload timestamp is ${describe(timestamp)}, not an unsigned integer of milliseconds`);
  }

  const rawPcrs = map.get("pcrs");
  if (!(rawPcrs instanceof Map)) return fail(`payload pcrs is ${describe(rawPcrs)}, not a map`);
  const pcrs = new Map<number, Buffer>();
  for (const [index, value] of rawPcrs) {
    if (typeof index !== "number" || !Number.isInteger(index) || index < 0) {
      return fail(`payload pcrs has the key ${describe(index)}, not a PCR index`);
    }
    if (!isBytes(value)) return fail(`payload PCR${index} is ${describe(value)}, not a byte string`);
    pcrs.set(index, Buffer.from(value));
  }

  const certificate = map.get("certificate");
  if (!isBytes(certificate))
    return fail(`payload certificate is ${describe(certificate)}, not a byte string`);
  const rawBundle = map.get("cabundle");
  if (!Array.isArray(rawBundle)) return fail(`payload cabundle is ${describe(rawBundle)}, not an array`);
  const cabundle: Buffer[] = [];
  for (const [i, der] of rawBundle.entries()) {
    if (!isBytes(der)) return fail(`payload cabundle[${i}] is ${describe(der)}, not a byte string`);
    cabundle.push(Buffer.from(der));
  }

  const optional: Record<"public_key" | "user_data" | "nonce", Buffer | null> = {
    public_key: null,
    user_data: null,
    nonce: null,
  };
  for (const key of ["public_key", "user_data", "nonce"] as const) {
    const value = map.get(key);
    if (value === undefined || value === null) continue;
    if (!isBytes(value)) return fail(`payload ${key} is ${describe(value)}, not a byte string`);
    optional[key] = Buffer.from(value);
  }

  return {
    ok: true,
    value: {
      moduleId,
      timestampMs,
      digest,
      pcrs,
      certificate: Buffer.from(certificate),
      cabundle,
      publicKey: optional.public_key,
      userData: optional.user_data,
      nonce: optional.nonce,
    },
  };
}

/**
 * The bytes an ES384 COSE_Sign1 signature signs: the CBOR encoding of Sig_structure = ["Signature1",
 * protected, external_aad = h'', payload] (RFC 9052 §4.4), in the preferred (shortest) encoding that AWS and
 * og-evm use. Encoded by hand: four items, and no encoder option can then change the signed bytes.
 */
export function sigStructure(protectedHeader: Uint8Array, payload: Uint8Array): Buffer {
  const context = Buffer.from("Signature1", "utf8");
  return Buffer.concat([
    cborHead(4, 4),
    cborHead(3, context.length),
    context,
    cborHead(2, protectedHeader.length),
    protectedHeader,
    cborHead(2, 0),
    cborHead(2, payload.length),
    payload,
  ]);
}

/** A CBOR item head: major type and length (up to 2^32 - 1, far beyond any calldata). */
function cborHead(major: number, length: number): Buffer {
  const type = major << 5;
  if (length < 24) return Buffer.from([type | length]);
  if (length < 0x100) return Buffer.from([type | 24, length]);
  if (length < 0x10000) return Buffer.from([type | 25, length >> 8, length & 0xff]);
  const head = Buffer.alloc(5);
  head[0] = type | 26;
  head.writeUInt32BE(length, 1);
  return head;
}

function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

function fail(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

/** A short name for what a CBOR item decoded to, for reasons. */
function describe(value: unknown): string {
  if (value === undefined) return "missing";
  if (value === null) return "null";
  if (value instanceof Uint8Array) return `a byte string of ${value.length} bytes`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value instanceof Map) return `a map of ${value.size}`;
  if (value instanceof Tag) return `a value tagged ${value.tag}`;
  if (typeof value === "string")
    return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === "number" || typeof value === "bigint") return `the number ${value}`;
  if (typeof value === "boolean") return `${value}`;
  return `a ${typeof value === "object" ? (value.constructor?.name ?? "object") : typeof value}`;
}
