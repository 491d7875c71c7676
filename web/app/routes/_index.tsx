import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Age } from "~/components/age";
import { ChartFigure, OUTCOME_SERIES } from "~/components/charts";
import { HistoryControls } from "~/components/history-controls";
import { useLiveRevalidation } from "~/components/live";
import { Th } from "~/components/tables";
import { HexLink, NoCommitReveal, SlashReasonText, Stat, TableScroll } from "~/components/ui";
import { formatBucket, formatInt, formatPercent, formatTime, formatWei } from "~/lib/format";
import { defaultInterval, historyRange, weiToEthNumber } from "~/lib/history-range";
import { fromApi } from "~/lib/load.server";
import { networkHistory, networkMode, networkOverview, networkSpan } from "~/models/network.server";
import { useLivePollSeconds } from "~/root";

export const meta: MetaFunction = () => [
  { title: "Network dashboard · Attestation Explorer" },
  { name: "description", content: "Verification history, stake and slashes of the inference network" },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const params = new URL(request.url).searchParams;
  return fromApi(async () => {
    const [overview, span, mode] = await Promise.all([networkOverview(), networkSpan(), networkMode()]);
    const range = historyRange(params, overview.indexerStatus.timestamp, defaultInterval(span));
    const history = await networkHistory(range.interval, range.from, range.to);
    return { ...overview, range, history, mode };
  });
}

export default function Dashboard() {
  const {
    networkStats: s,
    indexerStatus: status,
    slashes,
    range,
    history,
    mode,
  } = useLoaderData<typeof loader>();
  useLiveRevalidation(useLivePollSeconds());
  const outcomes = history.map((b) => ({
    bucket: formatBucket(b.start, range.interval),
    committed: b.committed,
    verified: b.verified,
    failed: b.failed,
    expired: b.expired,
  }));
  const byMode = history.map((b) => {
    const row: Record<string, string | number> = { bucket: formatBucket(b.start, range.interval) };
    for (const mode of ["VANILLA", "ZKML", "TEE"])
      row[mode] = b.byMode.find((m) => m.mode === mode)?.count ?? 0;
    return row;
  });
  const slashRows = history.map((b) => ({
    bucket: formatBucket(b.start, range.interval),
    slashes: b.slashes,
    slashedEth: weiToEthNumber(b.slashedAmount),
  }));
  const settlementRows = history.map((b) => ({
    bucket: formatBucket(b.start, range.interval),
    settlements: b.settlements,
  }));
  return (
    <>
      <h1>Network dashboard</h1>
      <section aria-labelledby="indexer-title" className="panel">
        <h2 id="indexer-title">Indexer</h2>
        <dl className="stats" data-testid="indexer-status">
          <Stat label="Indexed height" value={formatInt(status.height)} hint={formatTime(status.timestamp)} />
          <Stat label="Chain head" value={formatInt(status.chainHeight)} />
          <Stat
            label="Lag"
            value={status.lagBlocks === null ? "—" : `${formatInt(status.lagBlocks)} blocks`}
          />
          <Stat label="Finalized height" value={formatInt(status.finalizedHeight)} />
          <Stat
            label="Blocks rolled back by reorgs"
            value={<Link to="/reorgs">{formatInt(status.reorgedBlocks)}</Link>}
          />
        </dl>
      </section>
      {mode.commitReveal ? (
        <>
          <section aria-labelledby="totals-title" className="panel">
            <h2 id="totals-title">Totals</h2>
            <dl className="stats" data-testid="network-stats">
              <Stat label="Nodes" value={`${formatInt(s.nodes)} (${formatInt(s.enabledNodes)} enabled)`} />
              <Stat label="Models" value={formatInt(s.models)} />
              <Stat
                label="Inferences"
                value={formatInt(s.inferences)}
                hint={`${formatInt(s.pending)} pending`}
              />
              <Stat
                label="Verification rate"
                value={formatPercent(s.verificationRate)}
                hint={`${formatInt(s.verified)} verified · ${formatInt(s.failed)} failed · ${formatInt(s.expired)} expired`}
              />
              <Stat label="Total stake" value={formatWei(s.totalStake)} />
              <Stat
                label="Total slashed"
                value={formatWei(s.totalSlashed)}
                hint={`${formatInt(s.slashes)} slashes`}
              />
              <Stat
                label="Settlements"
                value={formatInt(s.settlements)}
                hint={`${formatInt(s.settlementSignatureFailures)} with a bad signature`}
              />
              <Stat
                label="Discrepancies"
                value={<Link to="/inferences?discrepancy=true">{formatInt(s.discrepancies)}</Link>}
                hint="chain said VERIFIED, the indexer's own checks say FAIL"
              />
              <Stat
                label="By mode"
                value={s.byMode.map((m) => `${m.mode} ${formatInt(m.count)}`).join(" · ") || "—"}
              />
            </dl>
          </section>
          <section aria-labelledby="history-title" className="panel">
            <h2 id="history-title">Verification history</h2>
            <HistoryControls range={range} label="History range" />
            <ChartFigure
              title="Inferences by outcome"
              description={`verdicts per ${range.interval.toLowerCase()}, with commits`}
              data={outcomes}
              xKey="bucket"
              xLabel="Period"
              kind="stacked-bar"
              series={OUTCOME_SERIES}
            />
            <ChartFigure
              title="Commits by verification mode"
              description={`inferences committed per ${range.interval.toLowerCase()}`}
              data={byMode}
              xKey="bucket"
              xLabel="Period"
              kind="stacked-bar"
              series={[
                { key: "VANILLA", label: "Vanilla", color: "var(--c1)" },
                { key: "ZKML", label: "zkML", color: "var(--c2)" },
                { key: "TEE", label: "TEE", color: "var(--c3)" },
              ]}
            />
            <ChartFigure
              title="Slashes over time"
              description={`slashes and ETH slashed per ${range.interval.toLowerCase()}`}
              data={slashRows}
              xKey="bucket"
              xLabel="Period"
              kind="line"
              series={[
                { key: "slashes", label: "Slashes", color: "var(--bad)" },
                { key: "slashedEth", label: "ETH slashed (right axis)", color: "var(--c2)", axis: "right" },
              ]}
            />
          </section>
          <section aria-labelledby="recent-slashes" className="panel">
            <h2 id="recent-slashes">Latest slashes</h2>
            <TableScroll label="Latest slashes">
              <table className="list">
                <thead>
                  <tr>
                    <Th w="w-hex">Node</Th>
                    <Th w="w-fill">Reason</Th>
                    <Th w="w-eth" num>
                      Amount
                    </Th>
                    <Th w="w-age">Age</Th>
                  </tr>
                </thead>
                <tbody>
                  {slashes.edges.map(({ node: sl }) => (
                    <tr key={sl.id}>
                      <td data-label="Node">
                        <HexLink to={`/nodes/${sl.node.id}`} value={sl.node.id} />
                      </td>
                      <td data-label="Reason">
                        <SlashReasonText reason={sl.reason} />
                      </td>
                      <td className="num" data-label="Amount">
                        {formatWei(sl.amount)}
                      </td>
                      <td data-label="Age">
                        <Age time={sl.block.timestamp} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
            <p>
              <Link to="/slashes">All slashes</Link>
            </p>
          </section>
        </>
      ) : (
        <>
          <section aria-labelledby="totals-title" className="panel">
            <h2 id="totals-title">Totals</h2>
            <dl className="stats" data-testid="network-stats">
              <Stat label="Nodes" value={`${formatInt(s.nodes)} (${formatInt(s.enabledNodes)} enabled)`} />
              <Stat
                label="Settlements"
                value={formatInt(s.settlements)}
                hint={`${formatInt(s.settlementSignatureFailures)} with a bad signature`}
              />
            </dl>
            <NoCommitReveal />
          </section>
          <section aria-labelledby="history-title" className="panel">
            <h2 id="history-title">Settlement history</h2>
            <HistoryControls range={range} label="History range" />
            <ChartFigure
              title="Settlements over time"
              description={`settlements relayed per ${range.interval.toLowerCase()}`}
              data={settlementRows}
              xKey="bucket"
              xLabel="Period"
              kind="stacked-bar"
              series={[{ key: "settlements", label: "Settlements", color: "var(--c1)" }]}
            />
          </section>
        </>
      )}
    </>
  );
}
