import { useId, useState } from "react";
import type { AttestationFragment as Attestation, Check } from "~/generated/graphql";
import type { ComparedRow } from "~/lib/attestation";
import { formatInt, formatTime } from "~/lib/format";
import { hexToBytes } from "~/lib/hex";
import { BlockRefView, CheckBadge, FullHex } from "./ui";

const VERDICT_TEXT: Record<Check, string> = {
  PASS: "verified by the indexer",
  FAIL: "failed the indexer's verification",
  UNKNOWN: "not verifiable: the document is not in the calldata",
  NOT_APPLICABLE: "not applicable: a devnet document",
};

/** What the format means, in one sentence. */
function formatSentence(a: Attestation): string {
  switch (a.format) {
    case "NITRO":
      return "An AWS Nitro Enclaves attestation document (COSE_Sign1, CBOR), signed by the enclave's certificate, which chains to AWS's root.";
    case "DEVNET":
      return "This is a devnet document, not a Nitro attestation: abi.encode(pcr0, pcr1, pcr2), nothing signed, nothing to verify.";
    case "UNRECOGNIZED":
      return "The document is neither a Nitro attestation nor a devnet document.";
    case "NONE":
      return "The document was not in the registering transaction's calldata (the registration was made through another contract), so the indexer could not check it.";
  }
}

/** Byte length of a 0x-hex value. */
const byteLength = (hex: string) => Math.max(0, (hex.length - 2) / 2);

/** The indexer's verification of the node's attestation document, every field it read. */
export function AttestationPanel({ attestation: a }: { attestation: Attestation | null }) {
  return (
    <section aria-labelledby="attestation" className="panel" data-testid="attestation">
      <h2 id="attestation">Attestation</h2>
      {a === null ? (
        <p className="muted">This TEE has not registered: there is no attestation document.</p>
      ) : (
        <>
          <p data-testid="attestation-format-note">{formatSentence(a)}</p>
          <dl className="kv">
            <dt>Format</dt>
            <dd data-testid="attestation-format">{a.format}</dd>
            <dt>Verdict</dt>
            <dd data-testid="attestation-verdict">
              <CheckBadge check={a.status} label="Attestation by the indexer" />{" "}
              <span>{VERDICT_TEXT[a.status]}</span>
              {a.reason ? <div className="muted">Reason: {a.reason}</div> : null}
            </dd>
            <dt>Module id</dt>
            <dd>{a.moduleId ? <code>{a.moduleId}</code> : <span className="muted">—</span>}</dd>
            <dt>Document time</dt>
            <dd>
              {a.timestamp ? (
                <time dateTime={a.timestamp}>{a.timestamp}</time>
              ) : (
                <span className="muted">—</span>
              )}
            </dd>
            <dt>PCR0</dt>
            <dd>
              <FullHex value={a.pcr0} what="PCR0" />
            </dd>
            <dt>PCR1</dt>
            <dd>
              <FullHex value={a.pcr1} what="PCR1" />
            </dd>
            <dt>PCR2</dt>
            <dd>
              <FullHex value={a.pcr2} what="PCR2" />
            </dd>
            <dt>PCR hash</dt>
            <dd data-testid="attestation-pcr-hash">
              <FullHex value={a.pcrHash} what="PCR hash" />
              <div className="muted">keccak256(PCR0 ‖ PCR1 ‖ PCR2)</div>
            </dd>
            <dt>Certificate chain</dt>
            <dd>
              {a.certificates.length === 0 ? (
                <span className="muted">none</span>
              ) : (
                <ol className="cert-chain" aria-label="Certificate chain, leaf first">
                  {a.certificates.map((c, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list; its order (the chain) is the identity
                    <li key={i}>
                      <span className="cert-role">
                        {i === 0 ? "leaf" : i === a.certificates.length - 1 ? "root" : "intermediate"}
                      </span>{" "}
                      <code className="cert-subject">{c.subject}</code>
                      <div className="muted">
                        valid {formatTime(c.notBefore)} to {formatTime(c.notAfter)}
                      </div>
                    </li>
                  ))}
                </ol>
              )}
            </dd>
            <dt>user_data</dt>
            <dd>
              <FullHex value={a.userData} what="user data" />
              {a.userData && byteLength(a.userData) === 68 ? (
                <div className="muted">
                  sha256 of the TLS certificate, then of the signing key (multihashes)
                </div>
              ) : null}
            </dd>
            <dt>Registered</dt>
            <dd>
              <BlockRefView block={a.registered} />
            </dd>
            <dt>Raw document</dt>
            <dd>
              {a.document ? (
                <details className="raw-document">
                  <summary>{formatInt(byteLength(a.document))} bytes from the calldata (hex)</summary>
                  {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard */}
                  <section className="raw-scroll" aria-label="Raw attestation document, hex" tabIndex={0}>
                    <pre className="hex full">{a.document}</pre>
                  </section>
                </details>
              ) : (
                <span className="muted">not in the calldata</span>
              )}
            </dd>
          </dl>
        </>
      )}
    </section>
  );
}

/**
 * "Check it yourself" for the attestation: this browser decodes the raw document from the calldata and verifies
 * it (COSE ES384 signature, certificate chain to the pinned AWS root, PCR hash, user_data binding) with WebCrypto,
 * then sets each step beside the indexer's verdict. The verifier is loaded on demand.
 */
export function AttestationCheck({
  attestation: a,
  publicKey,
}: {
  attestation: Attestation;
  publicKey: string | null;
}) {
  const id = useId();
  const [rows, setRows] = useState<ComparedRow[] | null>(null);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function run() {
    setRunning(true);
    setError(null);
    try {
      const [{ verifyAttestationDocument }, { compareWithIndexer }] = await Promise.all([
        import("~/lib/nitro"),
        import("~/lib/attestation"),
      ]);
      const bytes = a.document ? hexToBytes(a.document) : null;
      const verification = await verifyAttestationDocument(bytes, {
        signingKey: publicKey ? hexToBytes(publicKey) : null,
        tlsCertificate: a.tlsCertificate ? hexToBytes(a.tlsCertificate) : null,
      });
      setRows(compareWithIndexer(verification, a));
    } catch (err) {
      setError((err as Error).message);
    }
    setRunning(false);
  }

  return (
    <section className="panel verify-panel" aria-labelledby={`${id}-title`} data-testid="attestation-check">
      <h2 id={`${id}-title`}>Check the attestation yourself</h2>
      {a.document ? (
        <>
          {a.format === "DEVNET" ? (
            <p className="muted">
              Your browser decodes the raw document from the registration's calldata (not the indexer's
              fields): a devnet document has nothing signed, so it recomputes keccak256(PCR0 ‖ PCR1 ‖ PCR2)
              and checks that the document is what the indexer says it is.
            </p>
          ) : (
            <p className="muted">
              Your browser decodes the raw document from the registration's calldata (not the indexer's
              fields) and verifies it: the COSE ES384 signature with the leaf certificate's key, each
              certificate from the AWS Nitro root pinned in this page's code to the leaf at the document's own
              time, keccak256(PCR0 ‖ PCR1 ‖ PCR2), and user_data's sha256 of the registered TLS certificate
              and signing key.
            </p>
          )}
          <p>
            <button type="button" onClick={() => void run()} disabled={running}>
              {running ? "Checking…" : "Verify the attestation in this browser"}
            </button>
          </p>
        </>
      ) : (
        <p className="muted">
          The document was not in the registration's calldata: there is nothing for this browser to verify.
        </p>
      )}
      <output aria-live="polite">
        {error ? <p className="check-result">The check could not run: {error}</p> : null}
        {rows?.map((r) => (
          <div key={r.id} className="check-result" data-check={r.id}>
            <strong>{r.name}:</strong>{" "}
            {r.browser === null ? (
              <span className="muted">not checked in this browser</span>
            ) : (
              <>
                browser <CheckBadge check={r.browser} label={`${r.name} in this browser`} />
              </>
            )}{" "}
            {r.indexer === null ? (
              <span className="muted">the indexer's verdict does not name this step</span>
            ) : (
              <>
                indexer <CheckBadge check={r.indexer} label={`${r.name} by the indexer`} />
              </>
            )}{" "}
            {r.agree === null ? null : (
              <span className={`verdict ${r.agree ? "agree" : "disagree"}`}>
                {r.agree ? "agrees with the indexer" : "disagrees with the indexer"}
              </span>
            )}
            <div className="muted detail">{r.detail}</div>
          </div>
        ))}
      </output>
    </section>
  );
}
