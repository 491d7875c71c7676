import { X509Certificate } from "node:crypto";

// The certificate chain of a Nitro document: the leaf (payload `certificate`) ← cabundle[n-1] ← … ←
// cabundle[0] ← the pinned root. AWS orders cabundle root first, cabundle[0] being the root itself; a bundle
// that starts one step below the root (issued by it) is accepted too, as Go's x509.Verify in og-evm would.

/** What a certificate says of itself, for the explorer (times as ISO 8601, UTC). */
export interface CertificateInfo {
  subject: string;
  notBefore: string;
  notAfter: string;
}

/** A parsed certificate with its validity as epoch milliseconds (X509Certificate gives text in Node 20). */
export interface ParsedCertificate {
  cert: X509Certificate;
  /** How reasons name it: "the leaf certificate (CN=…)", "cabundle certificate 2 (CN=…)", "the pinned root (CN=…)". */
  name: string;
  notBeforeMs: number;
  notAfterMs: number;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * `der` as exactly one DER X.509 certificate (OpenSSL would ignore trailing bytes; they are refused here), or
 * why not. `label` names it in reasons ("the leaf certificate", "cabundle certificate 2").
 */
export function parseCertificate(der: Uint8Array, label: string): Parsed<ParsedCertificate> {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(Buffer.from(der));
  } catch (error) {
    return { ok: false, reason: `${label} is not a DER X.509 certificate (${(error as Error).message})` };
  }
  if (!cert.raw.equals(Buffer.from(der))) {
    return { ok: false, reason: `${label} has bytes after its DER certificate` };
  }
  return withValidity(cert, label);
}

/** The pinned root from its PEM text, or why it cannot be read. */
export function parseRootPem(pem: string): Parsed<ParsedCertificate> {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (error) {
    return { ok: false, reason: `the pinned root is not a PEM certificate (${(error as Error).message})` };
  }
  return withValidity(cert, "the pinned root");
}

export function certificateInfo(parsed: ParsedCertificate): CertificateInfo {
  return {
    subject: oneLine(parsed.cert.subject),
    notBefore: new Date(parsed.notBeforeMs).toISOString(),
    notAfter: new Date(parsed.notAfterMs).toISOString(),
  };
}

/**
 * Why `leaf` does not chain through `cabundle` (root first) to `root` at `atMs` (named `atLabel` in reasons),
 * or null when it does. In
 * order: the bundle's anchor (cabundle[0] is the root, or is issued by it); every link, root to leaf (the
 * issuer is a CA, names and key identifiers match, the signature verifies with the issuer's key); every
 * certificate of the path, the root included, valid at `atMs` (notBefore ≤ t ≤ notAfter). Links before times,
 * so a tampered certificate is reported as such, not as out of date.
 */
export function chainFailure(
  leaf: ParsedCertificate,
  cabundle: readonly ParsedCertificate[],
  root: ParsedCertificate,
  atMs: number,
  atLabel = "the document's time",
): string | null {
  const path: ParsedCertificate[] = [];
  const first = cabundle[0];
  if (first === undefined || !first.cert.raw.equals(root.cert.raw)) {
    // Not the root itself: it must be issued by the root, which then heads the path.
    const below = first ?? leaf;
    const linkFailure = issuedFailure(below, root);
    if (linkFailure !== null) {
      return first === undefined
        ? `the cabundle is empty and ${linkFailure}`
        : `${first.name} is neither the pinned root ${cn(root)} nor issued by it: ${linkFailure}`;
    }
    path.push(root);
  }
  path.push(...cabundle, leaf);
  for (let i = 1; i < path.length; i++) {
    const failure = issuedFailure(path[i], path[i - 1]);
    if (failure !== null) return failure;
  }
  for (const parsed of path) {
    if (atMs < parsed.notBeforeMs || atMs > parsed.notAfterMs) {
      const info = certificateInfo(parsed);
      return `${parsed.name} is not valid at ${atLabel} ${new Date(atMs).toISOString()} (valid ${info.notBefore} to ${info.notAfter})`;
    }
  }
  return null;
}

/** Why `issuer` did not issue `subject`, or null when it did. */
function issuedFailure(subject: ParsedCertificate, issuer: ParsedCertificate): string | null {
  if (!issuer.cert.ca) return `${issuer.name} is not a CA certificate, yet would issue ${subject.name}`;
  // X509_check_issued: subject's issuer name is issuer's subject, key identifiers agree, keyCertSign if a key
  // usage is present.
  if (!subject.cert.checkIssued(issuer.cert)) {
    return `${subject.name} names another issuer than ${issuer.name} (issuer ${oneLine(subject.cert.issuer)})`;
  }
  let signed: boolean;
  try {
    signed = subject.cert.verify(issuer.cert.publicKey);
  } catch {
    signed = false;
  }
  return signed ? null : `${subject.name} is not signed by ${issuer.name}`;
}

function withValidity(cert: X509Certificate, label: string): Parsed<ParsedCertificate> {
  const notBeforeMs = Date.parse(cert.validFrom);
  const notAfterMs = Date.parse(cert.validTo);
  const name = `${label} ${cnOf(cert)}`;
  if (Number.isNaN(notBeforeMs) || Number.isNaN(notAfterMs)) {
    return { ok: false, reason: `${name} has an unreadable validity (${cert.validFrom} to ${cert.validTo})` };
  }
  return { ok: true, value: { cert, name, notBeforeMs, notAfterMs } };
}

function cn(parsed: ParsedCertificate): string {
  return cnOf(parsed.cert);
}

/** "(CN=…)" of a certificate's subject, or its whole subject when it has no CN. */
function cnOf(cert: X509Certificate): string {
  const line = cert.subject.split("\n").find((part) => part.startsWith("CN="));
  return `(${line ?? oneLine(cert.subject)})`;
}

/** node:crypto writes one attribute per line; the explorer shows "C=US, O=Amazon, …". */
function oneLine(distinguishedName: string): string {
  return distinguishedName.split("\n").join(", ");
}
