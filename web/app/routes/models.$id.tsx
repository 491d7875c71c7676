import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { ChartFigure, OUTCOME_SERIES } from "~/components/charts";
import { HistoryControls } from "~/components/history-controls";
import { ScoreCell } from "~/components/score";
import { InferenceTable } from "~/components/tables";
import { BlockRefView, EmptyRow, FullHex, HexLink, Stat, TableScroll } from "~/components/ui";
import { formatBucket, formatFloat, formatInt, formatPercent, formatTime, modelLabel } from "~/lib/format";
import { bytes32Param, fromApi, notFound } from "~/lib/load.server";
import { NO_COMMIT_REVEAL } from "~/lib/network-mode";
import { modelDetail } from "~/models/model.server";
import { chartRange, networkMode } from "~/models/network.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Model ${modelLabel(data.model)} · Attestation Explorer` : "Model · Attestation Explorer" },
];

export async function loader({ params, request }: LoaderFunctionArgs) {
  const id = bytes32Param(params.id, "model id");
  const search = new URL(request.url).searchParams;
  return fromApi(async () => {
    const range = await chartRange(search);
    const model = await modelDetail(id, range.interval, range.from, range.to);
    if (!model) {
      const { commitReveal } = await networkMode();
      throw notFound(`No model with id ${id} has been indexed.${commitReveal ? "" : ` ${NO_COMMIT_REVEAL}`}`);
    }
    return { model, range };
  });
}

export default function ModelPage() {
  const { model: m, range } = useLoaderData<typeof loader>();
  const inferences = m.inferences.edges.map((e) => e.node);
  const history = m.history.map((b) => {
    const settled = b.verified + b.failed + b.expired;
    return {
      bucket: formatBucket(b.start, range.interval),
      inferences: b.inferences,
      verified: b.verified,
      failed: b.failed,
      expired: b.expired,
      distinctNodes: b.distinctNodes,
      rate: settled === 0 ? null : Math.round((1000 * b.verified) / settled) / 10,
    };
  });
  return (
    <>
      <h1>
        Model <span className="model-name">{modelLabel(m)}</span>
      </h1>
      <div className="grid-2">
        <section aria-labelledby="model-identity" className="panel">
          <h2 id="model-identity">Registration</h2>
          <dl className="kv">
            <dt>Id</dt>
            <dd>
              <FullHex value={m.id} what="model id" />
            </dd>
            <dt>Name</dt>
            <dd data-testid="model-name">{m.name || <span className="muted">(never registered)</span>}</dd>
            <dt>Version</dt>
            <dd>{m.version || "—"}</dd>
            <dt>Verification mode</dt>
            <dd>{m.mode}</dd>
            <dt>Owner</dt>
            <dd>
              <FullHex value={m.owner} what="owner address" />
            </dd>
            <dt>Content hash</dt>
            <dd>
              <FullHex value={m.contentHash} what="content hash" />
            </dd>
            <dt>Blob id</dt>
            <dd>{m.blobId || "—"}</dd>
            <dt>Deprecated</dt>
            <dd>{m.deprecated ? "yes" : "no"}</dd>
            <dt>Registered</dt>
            <dd>
              <BlockRefView block={m.registered} />
            </dd>
          </dl>
        </section>
        <section aria-labelledby="model-stats" className="panel">
          <h2 id="model-stats">Volume and reputation</h2>
          <dl className="stats">
            <Stat label="Inferences" value={formatInt(m.counts.inferences)} />
            <Stat
              label="Verified / failed / expired"
              value={`${formatInt(m.counts.verified)} / ${formatInt(m.counts.failed)} / ${formatInt(m.counts.expired)}`}
            />
            <Stat label="Discrepancies" value={formatInt(m.counts.discrepancies)} />
            <Stat label="Distinct nodes (30 days)" value={formatInt(m.distinctNodes30d)} />
            <Stat label="Score" value={<ScoreCell reputation={m.reputation} />} />
            <Stat
              label="Success rate"
              value={formatPercent(m.reputation.successRate, 2)}
              hint={`${formatFloat(m.reputation.effectiveSamples, 2)} effective samples`}
            />
          </dl>
        </section>
      </div>
      <section aria-labelledby="model-history" className="panel">
        <h2 id="model-history">History</h2>
        <HistoryControls range={range} label="History range" />
        <ChartFigure
          title="Volume"
          description={`inferences committed and settled per ${range.interval.toLowerCase()}`}
          data={history}
          xKey="bucket"
          xLabel="Period"
          kind="stacked-bar"
          series={OUTCOME_SERIES}
        />
        <ChartFigure
          title="Verification rate"
          description={`percent of settled inferences verified per ${range.interval.toLowerCase()}`}
          data={history}
          xKey="bucket"
          xLabel="Period"
          kind="line"
          yDomain={[0, 100]}
          series={[{ key: "rate", label: "Verified (%)", color: "var(--c1)" }]}
        />
      </section>
      <section aria-labelledby="model-nodes" className="panel">
        <h2 id="model-nodes">Nodes serving it</h2>
        <TableScroll label="Nodes serving this model">
          <table>
            <thead>
              <tr>
                <th scope="col">Node</th>
                <th scope="col" className="num">
                  Inferences of this model
                </th>
                <th scope="col">First commit</th>
                <th scope="col">Latest commit</th>
                <th scope="col" className="num">
                  Node score
                </th>
              </tr>
            </thead>
            <tbody>
              {m.servingNodes.length === 0 ? (
                <EmptyRow colSpan={5}>No node has committed for this model.</EmptyRow>
              ) : null}
              {m.servingNodes.map((s) => (
                <tr key={s.node.id}>
                  <td>
                    <HexLink to={`/nodes/${s.node.id}`} value={s.node.id} />{" "}
                    {s.node.enabled ? null : <span className="badge">disabled</span>}
                  </td>
                  <td className="num">{formatInt(s.inferences)}</td>
                  <td>{formatTime(s.firstCommitAt)}</td>
                  <td>{formatTime(s.lastCommitAt)}</td>
                  <td className="num">
                    {s.node.reputation.score}
                    {s.node.reputation.provisional ? " (provisional)" : ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      </section>
      <section aria-labelledby="model-inferences" className="panel">
        <h2 id="model-inferences">Latest inferences</h2>
        <InferenceTable rows={inferences} label="Latest inferences of this model" showModel={false} />
        <p>
          <Link to={`/inferences?model=${m.id}`}>
            All {formatInt(m.inferences.totalCount)} inferences of this model
          </Link>
        </p>
      </section>
    </>
  );
}
