import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { CheckYourself } from "~/components/check-yourself";
import { ChecksTable } from "~/components/checks-table";
import { CopyButton } from "~/components/copy-button";
import { BlockRefView, FullHex, HexLink } from "~/components/ui";
import { formatDuration, formatTime, shortHex } from "~/lib/format";
import { bytesAsText } from "~/lib/hex";
import { fromApi, notFound, param } from "~/lib/load.server";
import { settlementMessage } from "~/lib/verify";
import { settlementDetail } from "~/models/settlement.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title: data
      ? `Settlement ${shortHex(data.settlement.id, 8)} · Attestation Explorer`
      : "Settlement · Attestation Explorer",
  },
];

/** Settlement ids are `<transaction hash>-<log index>`. */
const SETTLEMENT_ID = /^0x[0-9a-fA-F]{64}-\d{1,6}$/;

export async function loader({ params }: LoaderFunctionArgs) {
  const id = param(params.id, "settlement id");
  if (!SETTLEMENT_ID.test(id))
    throw notFound(`${id} is not a settlement id (a transaction hash, "-", a log index)`);
  return fromApi(async () => {
    const settlement = await settlementDetail(id.toLowerCase());
    if (!settlement) throw notFound(`No settlement with id ${id} has been indexed.`);
    const message = settlementMessage(
      settlement.inputHash,
      settlement.outputHash,
      settlement.timestampSeconds,
    );
    return { settlement, message };
  });
}

/** "signed 3 s before its block" from signed time − block time (seconds). */
function signedRelativeToBlock(delta: number): string {
  if (delta === 0) return "signed in the same second as its block";
  return `signed ${formatDuration(Math.abs(delta))} ${delta < 0 ? "before" : "after"} its block`;
}

/** A Walrus blob id as the text it holds (as on the model page), its bytes on hover and in the copy button. */
function BlobId({ hex }: { hex: string }) {
  const text = bytesAsText(hex);
  if (text === "") return <span className="muted">none (empty bytes)</span>;
  if (text === null) return <FullHex value={hex} what="Walrus blob id" />;
  return (
    <span className="copyable">
      <code title={hex}>{text}</code> <CopyButton value={text} what="Walrus blob id" />
    </span>
  );
}

export default function SettlementPage() {
  const { settlement: s, message } = useLoaderData<typeof loader>();
  const blockTime = Date.parse(s.block.timestamp) / 1000;
  return (
    <>
      <h1>
        Settlement <code className="hex full">{s.id}</code> <CopyButton value={s.id} what="settlement id" />
      </h1>
      <section aria-labelledby="settlement-fields" className="panel">
        <h2 id="settlement-fields">What the relay recorded</h2>
        <dl className="kv">
          <dt>TEE id</dt>
          <dd>
            {s.node ? (
              <HexLink to={`/nodes/${s.node.id}`} value={s.teeId} keep={32} />
            ) : (
              <FullHex value={s.teeId} what="TEE id" />
            )}
            {s.node ? null : <span className="muted"> (no TEE with this id is registered)</span>}
          </dd>
          <dt>Sender</dt>
          <dd>
            <FullHex value={s.ethAddress} what="address" />
          </dd>
          <dt>Input hash</dt>
          <dd>
            <FullHex value={s.inputHash} what="input hash" />
          </dd>
          <dt>Output hash</dt>
          <dd>
            <FullHex value={s.outputHash} what="output hash" />
          </dd>
          <dt>Signed at</dt>
          <dd data-testid="signed-at">
            <span title={`${s.timestampSeconds} seconds since 1970 (as signed)`}>
              {s.timestamp ? formatTime(s.timestamp) : `${s.timestampSeconds} s, beyond what a date can hold`}
            </span>
            {s.timestamp ? `, ${signedRelativeToBlock(Number(s.timestampSeconds) - blockTime)}` : null}
          </dd>
          <dt>Walrus blob id</dt>
          <dd>
            <BlobId hex={s.walrusBlobId} />
          </dd>
          <dt>Settles</dt>
          <dd data-testid="settles">
            {s.inferences.length === 0 ? (
              <span className="muted">
                no indexed inference (a TEE-mode inference links here when its node, input and output hashes
                match)
              </span>
            ) : (
              <ul className="settles">
                {s.inferences.map((i) => (
                  <li key={i.id}>
                    <HexLink to={`/inferences/${i.id}`} value={i.id} />{" "}
                    <span className="muted">
                      {i.status.toLowerCase()}, {i.model.name || "an unregistered model"}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </dd>
          <dt>Signature</dt>
          <dd>
            <FullHex value={s.signature} what="signature" />
          </dd>
          <dt>Block</dt>
          <dd>
            <BlockRefView block={s.block} />
          </dd>
        </dl>
      </section>
      <section aria-labelledby="settlement-checks" className="panel">
        <h2 id="settlement-checks">The indexer's own checks</h2>
        <ChecksTable
          rows={[
            {
              name: "Signature",
              check: s.checks.signature,
              compared: (
                <>
                  RSA-PSS (SHA-256, salt 32) over keccak256(input hash ++ output hash ++ timestamp) ={" "}
                  <code>{message}</code>, against the key registered for the TEE id
                  {s.node?.publicKey ? "" : " (no key known: UNKNOWN)"}
                </>
              ),
            },
            {
              name: "Freshness",
              check: s.checks.freshness,
              compared: s.timestamp
                ? `signed at ${formatTime(s.timestamp)}, ${signedRelativeToBlock(Number(s.timestampSeconds) - blockTime)} (${formatTime(s.block.timestamp)}): allowed from 1 h before the block to 5 min after it`
                : `signed at ${s.timestampSeconds} s, beyond what a date can hold: allowed from 1 h before the block (${formatTime(s.block.timestamp)}) to 5 min after it`,
            },
            {
              name: "TEE enabled",
              check: s.checks.teeEnabled,
              compared: `the TEE was registered and enabled at block ${s.block.number}`,
            },
            {
              name: "PCR valid",
              check: s.checks.pcrValid,
              compared: (
                <>
                  the TEE's PCR <code>{s.node?.pcrHash ?? "unknown"}</code> was approved at block{" "}
                  {s.block.number} and has not been revoked since
                </>
              ),
            },
          ]}
        />
      </section>
      <CheckYourself
        signature={{
          teeId: s.teeId,
          publicKey: s.node?.publicKey ?? null,
          inputHash: s.inputHash,
          outputHash: s.outputHash,
          timestampSeconds: s.timestampSeconds,
          signature: s.signature,
          indexer: s.checks.signature,
        }}
      />
    </>
  );
}
