import { useId, useState } from "react";
import { type CheckResult, commitmentOf, settlementMessage, verifyTeeSignature } from "~/lib/verify";
import type { Check } from "~/models/types";
import { CheckBadge } from "./ui";

export interface CommitmentInputs {
  outputHash: string;
  salt: string;
  commitment: string;
  indexer: Check;
}

export interface SignatureInputs {
  teeId: string;
  publicKey: string | null;
  inputHash: string;
  outputHash: string;
  timestampSeconds: string;
  signature: string;
  indexer: Check;
}

interface Outcome {
  name: string;
  indexer: Check;
  browser: CheckResult;
  detail: string;
}

/**
 * "Check it yourself": re-runs the commitment hash and the RSA-PSS signature check in this browser (keccak256 from
 * @noble/hashes, RSA-PSS from WebCrypto) on the values shown, which can be edited to see a check fail.
 */
export function CheckYourself({
  commitment,
  signature,
}: {
  commitment?: CommitmentInputs;
  signature?: SignatureInputs;
}) {
  const id = useId();
  const [outputHash, setOutputHash] = useState(commitment?.outputHash ?? signature?.outputHash ?? "");
  const [salt, setSalt] = useState(commitment?.salt ?? "");
  const [sig, setSig] = useState(signature?.signature ?? "");
  const [outcomes, setOutcomes] = useState<Outcome[] | null>(null);
  const [running, setRunning] = useState(false);

  async function run() {
    setRunning(true);
    const results: Outcome[] = [];
    if (commitment) {
      try {
        const computed = commitmentOf(outputHash, salt);
        const ok = computed === commitment.commitment.toLowerCase();
        results.push({
          name: "Commitment",
          indexer: commitment.indexer,
          browser: ok ? "PASS" : "FAIL",
          detail: `keccak256(output hash ++ salt) = ${computed} ${ok ? "equals" : "differs from"} the commitment ${commitment.commitment}`,
        });
      } catch (err) {
        results.push({
          name: "Commitment",
          indexer: commitment.indexer,
          browser: "FAIL",
          detail: (err as Error).message,
        });
      }
    }
    if (signature) {
      try {
        const message = settlementMessage(signature.inputHash, outputHash, signature.timestampSeconds);
        const verdict = await verifyTeeSignature({
          publicKeyDer: signature.publicKey,
          teeId: signature.teeId,
          message32: message,
          signature: sig,
        });
        results.push({
          name: "TEE signature",
          indexer: signature.indexer,
          browser: verdict.result,
          detail: verdict.detail,
        });
      } catch (err) {
        results.push({
          name: "TEE signature",
          indexer: signature.indexer,
          browser: "FAIL",
          detail: (err as Error).message,
        });
      }
    }
    setOutcomes(results);
    setRunning(false);
  }

  const edited =
    outputHash !== (commitment?.outputHash ?? signature?.outputHash ?? "") ||
    salt !== (commitment?.salt ?? "") ||
    sig !== (signature?.signature ?? "");

  return (
    <section className="panel verify-panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Check it yourself</h2>
      <p className="muted">
        Your browser recomputes the checks from these values, without trusting the indexer. Change a value to
        see a check fail.
      </p>
      <label htmlFor={`${id}-output`}>Output hash</label>
      <input
        id={`${id}-output`}
        value={outputHash}
        onChange={(e) => setOutputHash(e.target.value)}
        spellCheck={false}
      />
      {commitment ? (
        <>
          <label htmlFor={`${id}-salt`}>Salt</label>
          <input
            id={`${id}-salt`}
            value={salt}
            onChange={(e) => setSalt(e.target.value)}
            spellCheck={false}
          />
        </>
      ) : null}
      {signature ? (
        <>
          <label htmlFor={`${id}-sig`}>Signature</label>
          <textarea
            id={`${id}-sig`}
            value={sig}
            onChange={(e) => setSig(e.target.value)}
            spellCheck={false}
          />
        </>
      ) : null}
      <p>
        <button type="button" onClick={() => void run()} disabled={running}>
          {running ? "Checking…" : "Run the checks in this browser"}
        </button>{" "}
        {edited ? <span className="muted">(values edited: results are for your values)</span> : null}
      </p>
      <output aria-live="polite" htmlFor={`${id}-output`}>
        {outcomes?.map((o) => {
          const agree = o.browser === o.indexer;
          return (
            <div key={o.name} className="check-result" data-check={o.name}>
              <strong>{o.name}:</strong> browser{" "}
              <CheckBadge check={o.browser} label={`${o.name} in this browser`} /> indexer{" "}
              <CheckBadge check={o.indexer} label={`${o.name} by the indexer`} />{" "}
              <span className={`verdict ${agree ? "agree" : "disagree"}`}>
                {agree ? "agrees with the indexer" : "disagrees with the indexer"}
              </span>
              <div className="muted">{o.detail}</div>
            </div>
          );
        })}
      </output>
    </section>
  );
}
