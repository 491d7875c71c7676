// Test helpers for the attestation checks (tests only: tsconfig.json leaves test-support.ts files out of the
// build). The real fixture lives outside the repository; synthetic documents come from a throwaway P-384 CA
// chain made here, so a document that passes every step can be built and then broken one field at a time.
import "reflect-metadata"; // @peculiar/x509 (through tsyringe) needs a Reflect polyfill
import { createHash, KeyObject, sign, webcrypto } from "node:crypto";
import { readFileSync } from "node:fs";
import * as x509 from "@peculiar/x509";
import { Encoder } from "cbor-x";
import { sigStructure } from "./cose.ts";

export const FIXTURE_DIR = "/work/shared/fixtures/nitro";

/** The real document: attestation_doc.bin holds it as base64 text (as og-evm's testdata), 4,556 bytes decoded. */
export function fixtureDocument(): Buffer {
  return Buffer.from(readFileSync(`${FIXTURE_DIR}/attestation_doc.bin`, "ascii").trim(), "base64");
}

export function fixtureRootPem(): string {
  return readFileSync(`${FIXTURE_DIR}/aws-nitro-root.pem`, "utf8");
}

/** A copy of `bytes` with the byte at `offset` inverted. */
export function flipByte(bytes: Uint8Array, offset: number): Buffer {
  const copy = Buffer.from(bytes);
  if (offset < 0 || offset >= copy.length)
    throw new RangeError(`offset ${offset} outside ${copy.length} bytes`);
  copy[offset] ^= 0xff;
  return copy;
}

/**
 * An offset inside a DER certificate's TBSCertificate that changes the signed content without breaking the
 * parse: the third byte of the serial number (30 82 LL LL | 30 82 LL LL | a0 03 02 01 02 | 02 LL serial…).
 */
export function tbsSerialOffset(der: Uint8Array): number {
  if (der[0] !== 0x30 || der[1] !== 0x82 || der[4] !== 0x30 || der[8] !== 0xa0 || der[13] !== 0x02) {
    throw new Error("not the certificate layout tbsSerialOffset expects");
  }
  if (der[14] < 3) throw new Error("serial number too short");
  return 17;
}

/** An offset inside the certificate's signature value: its last byte (the end of ECDSA's s). */
export function signatureOffset(der: Uint8Array): number {
  return der.length - 1;
}

/** user_data as nitriding writes it: 0x1220 sha256(tlsCertificate) 0x1220 sha256(signingPublicKey). */
export function nitridingUserData(tlsCertificate: Uint8Array, signingPublicKey: Uint8Array): Buffer {
  const multihash = (bytes: Uint8Array) =>
    Buffer.concat([Buffer.from([0x12, 0x20]), createHash("sha256").update(bytes).digest()]);
  return Buffer.concat([multihash(tlsCertificate), multihash(signingPublicKey)]);
}

export interface SyntheticChain {
  rootPem: string;
  /** DER, root first: [root, intermediate], as AWS orders cabundle. */
  cabundle: Buffer[];
  leaf: Buffer;
  leafKey: KeyObject;
  leafNotBeforeMs: number;
  leafNotAfterMs: number;
}

const P384 = { name: "ECDSA", namedCurve: "P-384" } as const;
const ES384 = { name: "ECDSA", hash: "SHA-384" } as const;

/**
 * A root CA, one intermediate CA and a leaf, all P-384, ECDSA with SHA-384 like AWS's. The leaf is valid from
 * `aroundMs` - 1 minute for 3 hours (AWS's leaf lifetime); the CAs for years around it.
 */
export async function makeSyntheticChain(aroundMs: number): Promise<SyntheticChain> {
  x509.cryptoProvider.set(webcrypto as never);
  const year = 365 * 24 * 3600 * 1000;
  const caExtensions = async (keys: webcrypto.CryptoKeyPair, issuerKey: webcrypto.CryptoKey) => [
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(issuerKey),
  ];
  const rootKeys = (await webcrypto.subtle.generateKey(P384, true, [
    "sign",
    "verify",
  ])) as webcrypto.CryptoKeyPair;
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: "C=US, O=Test, CN=test.nitro-root",
    notBefore: new Date(aroundMs - 5 * year),
    notAfter: new Date(aroundMs + 20 * year),
    keys: rootKeys,
    signingAlgorithm: ES384,
    extensions: await caExtensions(rootKeys, rootKeys.publicKey),
  });
  const intermediateKeys = (await webcrypto.subtle.generateKey(P384, true, [
    "sign",
    "verify",
  ])) as webcrypto.CryptoKeyPair;
  const intermediate = await x509.X509CertificateGenerator.create({
    serialNumber: "0a0b0c0d0e0f",
    subject: "C=US, O=Test, CN=intermediate.test.nitro",
    issuer: root.subject,
    notBefore: new Date(aroundMs - year),
    notAfter: new Date(aroundMs + year),
    publicKey: intermediateKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: ES384,
    extensions: await caExtensions(intermediateKeys, rootKeys.publicKey),
  });
  const leafKeys = (await webcrypto.subtle.generateKey(P384, true, [
    "sign",
    "verify",
  ])) as webcrypto.CryptoKeyPair;
  const leafNotBeforeMs = Math.floor((aroundMs - 60_000) / 1000) * 1000;
  const leafNotAfterMs = leafNotBeforeMs + 3 * 3600 * 1000;
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: "1122334455667788",
    subject: "C=US, O=Test, CN=i-test-enc0001.test.nitro",
    issuer: intermediate.subject,
    notBefore: new Date(leafNotBeforeMs),
    notAfter: new Date(leafNotAfterMs),
    publicKey: leafKeys.publicKey,
    signingKey: intermediateKeys.privateKey,
    signingAlgorithm: ES384,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      await x509.AuthorityKeyIdentifierExtension.create(intermediateKeys.publicKey),
    ],
  });
  return {
    rootPem: root.toString("pem"),
    cabundle: [Buffer.from(root.rawData), Buffer.from(intermediate.rawData)],
    leaf: Buffer.from(leaf.rawData),
    leafKey: KeyObject.from(leafKeys.privateKey),
    leafNotBeforeMs,
    leafNotAfterMs,
  };
}

/** A self-signed certificate (DER) holding an ECDSA key on `namedCurve`, e.g. to present a non-P-384 leaf. */
export async function selfSignedCertificate(namedCurve: "P-256" | "P-384" | "P-521"): Promise<Buffer> {
  x509.cryptoProvider.set(webcrypto as never);
  const keys = (await webcrypto.subtle.generateKey({ name: "ECDSA", namedCurve }, true, [
    "sign",
    "verify",
  ])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${namedCurve}`,
    keys,
    signingAlgorithm: { name: "ECDSA", hash: "SHA-256" },
  });
  return Buffer.from(cert.rawData);
}

export interface SyntheticDocumentOptions {
  timestampMs: number;
  userData?: Buffer | null;
  /** PCR0..2 (48 bytes each by default: 0x00.., 0x01.., 0x02..); PCR3..15 are zero. */
  pcrs?: [Buffer, Buffer, Buffer];
  /** Replaces the chain's bundle or leaf (e.g. a tampered certificate), still signed by the leaf's key. */
  cabundle?: Buffer[];
  certificate?: Buffer;
  /** Encode the payload as an indefinite-length map (as AWS does) instead of a definite one. */
  indefinite?: boolean;
  /** Wrap the COSE_Sign1 array in CBOR tag 18. */
  tagged?: boolean;
  /** Changes the payload map before it is encoded and signed. */
  edit?: (payload: Map<string, unknown>) => void;
}

const encoder = new Encoder({ mapsAsObjects: false, useRecords: false, tagUint8Array: false });

export const SYNTHETIC_PCRS: [Buffer, Buffer, Buffer] = [
  Buffer.alloc(48, 0x00),
  Buffer.alloc(48, 0x01),
  Buffer.alloc(48, 0x02),
];

/** A Nitro-shaped attestation document (COSE_Sign1, ES384) signed by the chain's leaf key. */
export function buildSyntheticDocument(chain: SyntheticChain, options: SyntheticDocumentOptions): Buffer {
  const pcrs = new Map<number, Buffer>();
  const selected = options.pcrs ?? SYNTHETIC_PCRS;
  for (let i = 0; i < 16; i++) pcrs.set(i, i < 3 ? selected[i] : Buffer.alloc(48));
  const payload = new Map<string, unknown>([
    ["module_id", "i-test-enc0001"],
    ["digest", "SHA384"],
    ["timestamp", BigInt(options.timestampMs)],
    ["pcrs", pcrs],
    ["certificate", options.certificate ?? chain.leaf],
    ["cabundle", options.cabundle ?? chain.cabundle],
    ["public_key", null],
    ["user_data", options.userData ?? null],
    ["nonce", null],
  ]);
  options.edit?.(payload);
  const payloadBytes = options.indefinite ? indefiniteMap(payload) : Buffer.from(encoder.encode(payload));
  return signCose(payloadBytes, chain.leafKey, options.tagged ?? false);
}

/** COSE_Sign1 [protected {1: -35}, {}, payload, ES384 signature], optionally tagged 18. */
export function signCose(payload: Buffer, key: KeyObject, tagged = false): Buffer {
  const protectedHeader = Buffer.from(encoder.encode(new Map([[1, -35]])));
  const signature = sign("sha384", sigStructure(protectedHeader, payload), {
    key,
    dsaEncoding: "ieee-p1363",
  });
  const cose = Buffer.from(encoder.encode([protectedHeader, new Map(), payload, signature]));
  return tagged ? Buffer.concat([Buffer.from([0xd2]), cose]) : cose;
}

/** A map as CBOR's indefinite-length form: 0xbf, key value …, 0xff. */
export function indefiniteMap(map: Map<unknown, unknown>): Buffer {
  const entries = [...map].flatMap(([key, value]) => [encoder.encode(key), encoder.encode(value)]);
  return Buffer.concat([Buffer.from([0xbf]), ...entries, Buffer.from([0xff])]);
}

export function toHex(bytes: Uint8Array): `0x${string}` {
  return `0x${Buffer.from(bytes).toString("hex")}`;
}
