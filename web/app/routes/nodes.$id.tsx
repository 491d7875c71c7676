import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { AttestationCheck, AttestationPanel } from "~/components/attestation";
import { ChartFigure, OUTCOME_SERIES } from "~/components/charts";
import { CopyButton } from "~/components/copy-button";
import { HistoryControls } from "~/components/history-controls";
import { useLiveRevalidation } from "~/components/live";
import { ScoreCell } from "~/components/score";
import { InferenceTable, SettlementTable, SlashTable } from "~/components/tables";
import { BlockRefView, FullHex, NoCommitReveal, Stat } from "~/components/ui";
import {
  formatBucket,
  formatFloat,
  formatInt,
  formatPercent,
  formatTime,
  formatWei,
  shortHex,
} from "~/lib/format";
import { bytes32Param, fromApi, notFound } from "~/lib/load.server";
import { chartRange, networkMode } from "~/models/network.server";
import { nodeDetail } from "~/models/node.server";
import { useLivePollSeconds } from "~/root";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Node ${shortHex(data.node.id)} · Attestation Explorer` : "Node · Attestation Explorer" },
];

export async function loader({ params, request }: LoaderFunctionArgs) {
  const id = bytes32Param(params.id, "node id");
  const search = new URL(request.url).searchParams;
  return fromApi(async () => {
    const [range, mode] = await Promise.all([chartRange(search), networkMode()]);
    const node = await nodeDetail(id, range.interval, range.from, range.to);
    if (!node) throw notFound(`No node with id ${id} has been indexed.`);
    return { node, range, mode };
  });
}

export default function NodePage() {
  const { node: n, range, mode } = useLoaderData<typeof loader>();
  useLiveRevalidation(useLivePollSeconds());
  const r = n.reputation;
  // A node registered less than 7 days ago cannot fill the 336 windows of uptime7d: measured over its life.
  const young = n.uptimeWindows !== null && n.uptimeWindows < 336;
  const history = n.history.map((b) => ({
    bucket: formatBucket(b.start, range.interval),
    score: b.score,
    committed: b.committed,
    verified: b.verified,
    failed: b.failed,
    expired: b.expired,
    slashes: b.slashes,
  }));
  return (
    <>
      <h1>
        Node <code className="hex full">{n.id}</code> <CopyButton value={n.id} what="node id" />
      </h1>
      <div className="grid-2">
        <section aria-labelledby="identity" className="panel">
          <h2 id="identity">Identity</h2>
          <dl className="kv">
            <dt>TEE id</dt>
            <dd>
              <FullHex value={n.id} what="node id" />
            </dd>
            <dt>Status</dt>
            <dd>{n.enabled ? "enabled" : "disabled"}</dd>
            <dt>Owner</dt>
            <dd>
              <FullHex value={n.owner} what="owner address" />
            </dd>
            <dt>Operator</dt>
            <dd>
              <FullHex value={n.operator} what="operator address" />
            </dd>
            <dt>Endpoint</dt>
            <dd>{n.endpoint ?? <span className="muted">—</span>}</dd>
            <dt>Payment address</dt>
            <dd>
              <FullHex value={n.paymentAddress} what="payment address" />
            </dd>
            <dt>TEE type</dt>
            <dd data-testid="tee-type">
              {n.teeType === null ? (
                "—"
              ) : n.teeTypeName ? (
                <span title={`type ${n.teeType} in the TEE registry`}>{n.teeTypeName}</span>
              ) : (
                `type ${n.teeType} (no name registered)`
              )}
            </dd>
            <dt>PCR hash</dt>
            <dd>
              <FullHex value={n.pcrHash} what="PCR hash" />{" "}
              {n.pcrApproved ? (
                <span className="badge check-pass">approved</span>
              ) : (
                <span className="badge check-fail">not approved or revoked</span>
              )}
            </dd>
            <dt>Registered</dt>
            <dd>
              <BlockRefView block={n.registered} />
            </dd>
            <dt>Last heartbeat</dt>
            <dd>{formatTime(n.lastHeartbeatAt)}</dd>
            <dt>{young ? "Uptime (since it registered)" : "Uptime (7 days)"}</dt>
            <dd data-testid="uptime">
              {young && n.uptimeOverLife !== null && n.uptimeWindows !== null ? (
                <>
                  {formatPercent(n.uptimeOverLife)}{" "}
                  <span className="muted">
                    over its life: younger than 7 days, it has existed in {formatInt(n.uptimeWindows)} of the
                    336 half-hours uptime counts ({formatPercent(n.uptime7d)} of all 336)
                  </span>
                </>
              ) : (
                formatPercent(n.uptime7d)
              )}
            </dd>
          </dl>
        </section>
        <section aria-labelledby="reputation" className="panel">
          <h2 id="reputation">Reputation</h2>
          <p>
            <ScoreCell reputation={r} />{" "}
            <span className="muted">
              out of 1000, {r.formulaVersion}, as of {formatTime(r.asOf)}
            </span>
          </p>
          <h3>Why this score</h3>
          <dl className="kv" data-testid="reputation-why">
            <dt>Decayed successes ÷ samples</dt>
            <dd>
              success rate{" "}
              {r.successRate === null ? "— (nothing verified yet)" : formatPercent(r.successRate, 2)} over{" "}
              {formatFloat(r.effectiveSamples, 2)} effective samples (events weigh half as much every 14 days)
            </dd>
            <dt>Wilson 95% interval</dt>
            <dd>
              [{formatFloat(r.lowerBound, 4)}, {formatFloat(r.upperBound, 4)}]: the score starts from the
              lower bound, so few samples mean a low score
            </dd>
            <dt>Slashes</dt>
            <dd>
              {formatInt(n.counts.slashes)} slashes, {formatFloat(r.decayedSlashes, 3)} after decay: factor
              0.7^
              {formatFloat(r.decayedSlashes, 3)} = {formatFloat(r.slashFactor, 4)}
            </dd>
            <dt>Score</dt>
            <dd>
              round(1000 × {formatFloat(r.lowerBound, 4)} × {formatFloat(r.slashFactor, 4)}) = {r.score}
              {r.provisional ? " (provisional: fewer than 10 effective samples)" : ""}
            </dd>
            <dt>Successes</dt>
            <dd>{formatInt(n.counts.verified - n.counts.discrepancies)} verified without a discrepancy</dd>
            <dt>Failures</dt>
            <dd>
              {formatInt(n.counts.failed)} failed, {formatInt(n.counts.expired)} expired,{" "}
              {formatInt(n.counts.discrepancies)} verified by the chain but failed by the indexer's checks
            </dd>
            <dt>Lost disputes</dt>
            <dd>
              {formatInt(n.counts.disputesLost)} of {formatInt(n.counts.challenged)} challenges (each weighs
              as two failures)
            </dd>
          </dl>
        </section>
      </div>
      {mode.commitReveal ? (
        <section aria-labelledby="stake" className="panel">
          <h2 id="stake">Stake and counts</h2>
          <dl className="stats">
            <Stat label="Stake" value={formatWei(n.stake)} />
            <Stat label="Pending withdrawals" value={formatWei(n.pendingWithdrawals)} />
            <Stat label="Total slashed" value={formatWei(n.totalSlashed)} />
            <Stat
              label="Committed"
              value={formatInt(n.counts.committed)}
              hint={`${formatInt(n.counts.revealed)} revealed`}
            />
            <Stat
              label="Verified / failed / expired"
              value={`${formatInt(n.counts.verified)} / ${formatInt(n.counts.failed)} / ${formatInt(n.counts.expired)}`}
            />
            <Stat
              label="Challenged"
              value={formatInt(n.counts.challenged)}
              hint={`${formatInt(n.counts.disputesLost)} lost`}
            />
            <Stat
              label="Settlements"
              value={formatInt(n.counts.settlements)}
              hint={`${formatInt(n.counts.settlementSignatureFailures)} with a bad signature`}
            />
            <Stat label="Discrepancies" value={formatInt(n.counts.discrepancies)} />
          </dl>
        </section>
      ) : (
        <section aria-labelledby="stake" className="panel">
          <h2 id="stake">Counts</h2>
          <dl className="stats">
            <Stat
              label="Settlements"
              value={formatInt(n.counts.settlements)}
              hint={`${formatInt(n.counts.settlementSignatureFailures)} with a bad signature`}
            />
          </dl>
          <NoCommitReveal />
        </section>
      )}
      <AttestationPanel attestation={n.attestation} />
      {n.attestation ? <AttestationCheck attestation={n.attestation} publicKey={n.publicKey} /> : null}
      <section aria-labelledby="node-history" className="panel">
        <h2 id="node-history">History</h2>
        <HistoryControls range={range} label="History range" />
        <ChartFigure
          title="Reputation over time"
          description={`score at the end of each ${range.interval.toLowerCase()}`}
          data={history}
          xKey="bucket"
          xLabel="Period"
          kind="line"
          yDomain={[0, 1000]}
          series={[{ key: "score", label: "Score", color: "var(--c1)" }]}
        />
        {mode.commitReveal ? (
          <ChartFigure
            title="Verdicts"
            description={`inferences of this node settled per ${range.interval.toLowerCase()}`}
            data={history}
            xKey="bucket"
            xLabel="Period"
            kind="stacked-bar"
            series={OUTCOME_SERIES}
          />
        ) : null}
      </section>
      {mode.commitReveal ? (
        <section aria-labelledby="node-inferences" className="panel">
          <h2 id="node-inferences">Recent inferences</h2>
          <InferenceTable
            rows={n.inferences.edges.map((e) => e.node)}
            label="Recent inferences"
            showNode={false}
          />
          <p>
            <Link to={`/inferences?node=${n.id}`}>
              All {formatInt(n.inferences.totalCount)} inferences of this node
            </Link>
          </p>
        </section>
      ) : null}
      <section aria-labelledby="node-settlements" className="panel">
        <h2 id="node-settlements">Settlements</h2>
        <SettlementTable rows={n.settlements.edges.map((e) => e.node)} label="Settlements of this node" />
        <p>
          <Link to={`/settlements?teeId=${n.id}`}>
            All {formatInt(n.settlements.totalCount)} settlements of this node
          </Link>
        </p>
      </section>
      {mode.commitReveal ? (
        <section aria-labelledby="node-slashes" className="panel">
          <h2 id="node-slashes">Slashes</h2>
          <SlashTable
            rows={n.slashes.edges.map((e) => e.node)}
            label="Slashes of this node"
            showNode={false}
          />
          {n.slashes.totalCount > n.slashes.edges.length ? (
            <p>
              <Link to={`/slashes?node=${n.id}`}>
                All {formatInt(n.slashes.totalCount)} slashes of this node
              </Link>
            </p>
          ) : null}
        </section>
      ) : null}
    </>
  );
}
