import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import { CheckYourself } from "~/components/check-yourself";
import { ChecksTable } from "~/components/checks-table";
import { CopyButton } from "~/components/copy-button";
import { useLiveRevalidation } from "~/components/live";
import { BlockRefView, CheckBadge, FullHex, HexLink, SlashReasonText, StatusBadge } from "~/components/ui";
import { formatTime, formatWei, modelLabel, shortHex } from "~/lib/format";
import { bytes32Param, fromApi, notFound } from "~/lib/load.server";
import { NO_COMMIT_REVEAL } from "~/lib/network-mode";
import { commitmentOf } from "~/lib/verify";
import { inferenceDetail } from "~/models/inference.server";
import { networkMode } from "~/models/network.server";
import { useLivePollSeconds } from "~/root";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title: data
      ? `Inference ${shortHex(data.inference.id)} · Attestation Explorer`
      : "Inference · Attestation Explorer",
  },
];

export async function loader({ params }: LoaderFunctionArgs) {
  const id = bytes32Param(params.id, "inference id");
  return fromApi(async () => {
    const inference = await inferenceDetail(id);
    if (!inference) {
      const { commitReveal } = await networkMode();
      throw notFound(
        `No inference with id ${id} has been indexed.${commitReveal ? "" : ` ${NO_COMMIT_REVEAL}`}`,
      );
    }
    // What the commitment check compared, recomputed here for display (the browser can recompute it too).
    const computedCommitment =
      inference.outputHash && inference.salt ? commitmentOf(inference.outputHash, inference.salt) : null;
    return { inference, computedCommitment };
  });
}

function Step({ title, done, children }: { title: ReactNode; done: boolean; children: ReactNode }) {
  return (
    <li className={done ? "done" : ""}>
      <h3>{title}</h3>
      {children}
    </li>
  );
}

export default function InferencePage() {
  const { inference: i, computedCommitment } = useLoaderData<typeof loader>();
  useLiveRevalidation(useLivePollSeconds());
  const tee = i.mode === "TEE";
  const deadlinePassed = i.revealed ? i.revealed.timestamp > i.revealDeadline : null;
  return (
    <>
      <h1>
        Inference <code className="hex full">{i.id}</code> <CopyButton value={i.id} what="inference id" />
      </h1>
      <p>
        <StatusBadge status={i.status} /> {i.mode} inference of{" "}
        <Link to={`/models/${i.model.id}`}>{modelLabel(i.model)}</Link> by node{" "}
        <HexLink to={`/nodes/${i.node.id}`} value={i.node.id} />
        {i.discrepancy ? (
          <>
            {" "}
            <span className="badge discrepancy">
              discrepancy: the chain says VERIFIED, an own check says FAIL
            </span>
          </>
        ) : null}
      </p>
      <section aria-labelledby="trail" className="panel">
        <h2 id="trail">Evidence trail</h2>
        <ol className="trail">
          <Step title="Commit" done>
            <p>
              <BlockRefView block={i.committed} />
            </p>
            <p className="muted">
              input hash <FullHex value={i.inputHash} what="input hash" />, commitment{" "}
              <FullHex value={i.commitment} what="commitment" />, reveal deadline{" "}
              {formatTime(i.revealDeadline)}
            </p>
          </Step>
          <Step title="Reveal" done={i.revealed !== null}>
            <p>
              <BlockRefView block={i.revealed} />
            </p>
            {i.revealed ? (
              <p className="muted">
                output hash <FullHex value={i.outputHash} what="output hash" />, salt{" "}
                <FullHex value={i.salt} what="salt" />, proof{" "}
                <FullHex value={i.proofRef} what="proof reference" />
              </p>
            ) : null}
          </Step>
          {tee ? (
            <Step title="Settlement (TEE-signed result)" done={i.settlement !== null}>
              {i.settlement ? (
                <p>
                  <Link to={`/settlements/${encodeURIComponent(i.settlement.id)}`}>
                    Settlement {shortHex(i.settlement.id, 8)}
                  </Link>{" "}
                  · <BlockRefView block={i.settlement.block} /> · signature{" "}
                  <CheckBadge check={i.settlement.checks.signature} label="settlement signature" />
                </p>
              ) : (
                <p className="muted">No settlement with this node's TEE id and these hashes is indexed.</p>
              )}
            </Step>
          ) : null}
          <Step title="Verification" done={i.settled !== null}>
            <p>
              <BlockRefView block={i.settled} />
            </p>
            {i.settled ? (
              <p className="muted">
                The chain's verdict: <StatusBadge status={i.status} />; verifier{" "}
                <FullHex value={i.verifier} what="verifier address" />
              </p>
            ) : null}
          </Step>
          {i.challenge ? (
            <Step title="Challenge" done>
              <p>
                opened <BlockRefView block={i.challenge.opened} /> by{" "}
                <FullHex value={i.challenge.challenger} what="challenger address" />, bond{" "}
                {formatWei(i.challenge.bond)}, deadline {formatTime(i.challenge.deadline)}
              </p>
              <p>
                {i.challenge.resolved ? (
                  <>
                    resolved <BlockRefView block={i.challenge.resolved} />:{" "}
                    {i.challenge.nodeAtFault
                      ? "the node was at fault (a lost dispute)"
                      : "the node was not at fault"}
                  </>
                ) : (
                  "open"
                )}
              </p>
            </Step>
          ) : null}
          {i.slashes.map((s) => (
            <Step
              key={s.id}
              title={
                <>
                  Slash: <SlashReasonText reason={s.reason} />
                </>
              }
              done
            >
              <p>
                {formatWei(s.amount)} slashed, {formatWei(s.remainingStake)} stake left ·{" "}
                <BlockRefView block={s.block} />
              </p>
            </Step>
          ))}
        </ol>
      </section>
      <section aria-labelledby="checks" className="panel">
        <h2 id="checks">The indexer's own checks</h2>
        <ChecksTable
          rows={[
            {
              name: "Commitment",
              check: i.checks.commitment,
              compared: computedCommitment ? (
                <>
                  keccak256(output hash ++ salt) = <code>{computedCommitment}</code>; commitment ={" "}
                  <code>{i.commitment}</code>
                </>
              ) : (
                "Not revealed yet: nothing to compare."
              ),
            },
            {
              name: "Reveal on time",
              check: i.checks.revealOnTime,
              compared: i.revealed
                ? `Revealed at ${formatTime(i.revealed.timestamp)}, deadline ${formatTime(i.revealDeadline)}${deadlinePassed ? " (late)" : ""}.`
                : i.status === "EXPIRED"
                  ? `Expired without a reveal (deadline ${formatTime(i.revealDeadline)}).`
                  : `Deadline ${formatTime(i.revealDeadline)}; not revealed yet.`,
            },
            {
              name: "TEE signature",
              check: i.checks.teeSignature,
              compared: !tee
                ? `Not a TEE inference (${i.mode}).`
                : i.settlement
                  ? `The settlement by this node's TEE with the same input and output hashes; its RSA-PSS signature check is ${i.settlement.checks.signature}.`
                  : "No matching settlement indexed yet.",
            },
            {
              name: "PCR valid",
              check: i.checks.pcrValid,
              compared: !tee ? (
                `Not a TEE inference (${i.mode}).`
              ) : (
                <>
                  The node's PCR <code>{i.node.pcrHash ?? "unknown"}</code> at the commit's block, and no
                  revocation since; it is {i.node.pcrApproved ? "approved" : "not approved"} now.
                </>
              ),
            },
          ]}
        />
      </section>
      {i.outputHash && i.salt ? (
        <CheckYourself
          chain={{ status: i.status, discrepancy: i.discrepancy }}
          commitment={{
            outputHash: i.outputHash,
            salt: i.salt,
            commitment: i.commitment,
            indexer: i.checks.commitment,
          }}
          signature={
            tee && i.settlement
              ? {
                  teeId: i.settlement.teeId,
                  publicKey: i.node.publicKey,
                  inputHash: i.settlement.inputHash,
                  outputHash: i.settlement.outputHash,
                  timestampSeconds: i.settlement.timestampSeconds,
                  signature: i.settlement.signature,
                  indexer: i.settlement.checks.signature,
                }
              : undefined
          }
        />
      ) : null}
    </>
  );
}
