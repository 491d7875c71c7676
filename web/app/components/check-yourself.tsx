import { useId, useState } from "react";
import type { Check } from "~/generated/graphql";
import { type CheckResult, commitmentOf, settlementMessage, verifyTeeSignature } from "~/lib/verify";
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

/** The chain's own verdict on an inference (its latest InferenceVerified), to set a browser result beside. */
export interface ChainVerdict {
  status: string;
  /** The explorer's rule 9: the chain says VERIFIED while one of the indexer's checks says FAIL. */
  discrepancy: boolean;
}

/**
 * What a browser result means for the chain's verdict: a check failing in the browser under a VERIFIED is the
 * discrepancy the indexer flags (or would flag), a pass under VERIFIED supports it; other verdicts need no support.
 */
function chainLine(outcomes: Outcome[], chain: ChainVerdict): { text: string; disagrees: boolean } {
  const named = (o: Outcome) => (o.name === "Commitment" ? "commitment" : o.name);
  const failed = outcomes.filter((o) => o.browser === "FAIL").map(named);
  if (chain.status !== "VERIFIED") {
    return {
      text: `The chain's verdict is ${chain.status}: ${failed.length ? `your browser also finds ${failed.join(" and ")} failing` : "nothing here contradicts it"}.`,
      disagrees: false,
    };
  }
  if (failed.length === 0) {
    return {
      text: `The chain says VERIFIED, and your browser's ${outcomes.map(named).join(" and ")} checks support it.`,
      disagrees: false,
    };
  }
  return {
    text: `The chain says VERIFIED, but your browser finds ${failed.join(" and ")} failing: a discrepancy${chain.discrepancy ? ", as the indexer found too" : " (with the values as given)"}. Do not take the chain's VERIFIED on trust here.`,
    disagrees: true,
  };
}

/**
 * "Check it yourself": re-runs the commitment hash and the RSA-PSS signature check in this browser (keccak256 from
 * @noble/hashes, RSA-PSS from WebCrypto) on the values shown, which can be edited to see a check fail. It says
 * which inputs came from the explorer's API and, given the chain's verdict, what the browser's results mean for it.
 */
export function CheckYourself({
  commitment,
  signature,
  chain,
}: {
  commitment?: CommitmentInputs;
  signature?: SignatureInputs;
  chain?: ChainVerdict;
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
      <p className="muted" data-testid="inputs-from-api">
        Inputs from the explorer's API (the indexer's copy of the chain's events, not re-read from the chain
        by your browser):{" "}
        {[
          ...(commitment ? ["the output hash and salt of the reveal", "the commitment of the commit"] : []),
          ...(signature
            ? [
                ...(commitment ? [] : ["the output hash"]),
                "the settlement's input hash, timestamp and signature",
                signature.publicKey
                  ? "the public key registered for the TEE id (your browser checks that its keccak256 is the TEE id)"
                  : "no public key (none registered for the TEE id)",
              ]
            : []),
        ].join("; ")}
        . Computed here: keccak256 and RSA-PSS.
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
        {outcomes && chain
          ? (() => {
              const line = chainLine(outcomes, chain);
              return (
                <p className={`chain-line ${line.disagrees ? "disagree" : "agree"}`} data-check="chain">
                  {line.text}
                </p>
              );
            })()
          : null}
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
