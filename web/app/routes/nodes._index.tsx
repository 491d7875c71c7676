import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useLocation } from "@remix-run/react";
import { Age } from "~/components/age";
import { lowerCaseOptions, OrderSelect, SelectFilter } from "~/components/filter-fields";
import { KeepPageSize, Pager } from "~/components/pagination";
import { ScoreCell } from "~/components/score";
import { EmptyRow, HexLink, NoCommitReveal, TableScroll } from "~/components/ui";
import { formatInt, formatPercent, formatWei } from "~/lib/format";
import { fromApi } from "~/lib/load.server";
import { boolParam, enumParam, intParam, pageParams } from "~/lib/params";
import { NODE_ORDERS, type NodeOrderBy } from "~/models/enums";
import { networkMode } from "~/models/network.server";
import { leaderboard, nodePages } from "~/models/node.server";
import { readPage } from "~/models/paging.server";

export const meta: MetaFunction = () => [
  { title: "Node leaderboard · Attestation Explorer" },
  { name: "description", content: "Inference nodes ranked by rep-v1 reputation" },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const params = new URL(request.url).searchParams;
  return fromApi(async () => {
    const mode = await networkMode();
    const orders = mode.commitReveal ? NODE_ORDERS : TWO_CONTRACT_ORDERS;
    const orderBy = enumParam(params, "order", orders) ?? "SCORE_DESC";
    const where = {
      enabled: boolParam(params, "enabled"),
      teeType: intParam(params, "teeType", 0, 255),
      minScore: intParam(params, "minScore", 0, 1000),
      provisional: boolParam(params, "provisional"),
    };
    const { connection: nodes, paging } = await readPage(
      pageParams(params, 25),
      nodePages({ orderBy, where }),
      (first, after) => leaderboard({ first, after, orderBy, where }),
    );
    return { nodes, paging, orderBy, where, mode };
  });
}

/** Orders that mean something without the commit-reveal registry (no stake, slashes or inferences there). */
const TWO_CONTRACT_ORDERS = ["SCORE_DESC", "SCORE_ASC", "REGISTERED_DESC"] as const satisfies NodeOrderBy[];

/** Column headers that sort: clicking one orders by it (descending first, as the API offers). */
const SORTABLE: Record<string, NodeOrderBy[]> = {
  score: ["SCORE_DESC", "SCORE_ASC"],
  stake: ["STAKE_DESC"],
  slashed: ["SLASHED_DESC"],
  inferences: ["INFERENCES_DESC"],
  registered: ["REGISTERED_DESC"],
};

function SortHeader({
  column,
  label,
  orderBy,
  width,
}: {
  column: string;
  label: string;
  orderBy: NodeOrderBy;
  width: string;
}) {
  const location = useLocation();
  const orders = SORTABLE[column];
  const active = orders.includes(orderBy);
  const next =
    active && orders.length > 1 ? orders[(orders.indexOf(orderBy) + 1) % orders.length] : orders[0];
  const params = new URLSearchParams(location.search);
  params.set("order", next);
  params.delete("after");
  params.delete("page");
  const sort = active ? (orderBy.endsWith("_ASC") ? "ascending" : "descending") : undefined;
  return (
    <th scope="col" className={column === "registered" ? width : `num ${width}`} aria-sort={sort}>
      <Link
        to={`?${params.toString()}`}
        aria-label={`Sort by ${label}${next.endsWith("_ASC") ? " ascending" : " descending"}`}
      >
        {label} {active ? (orderBy.endsWith("_ASC") ? "▲" : "▼") : ""}
      </Link>
    </th>
  );
}

export default function Leaderboard() {
  const { nodes, paging, orderBy, where, mode } = useLoaderData<typeof loader>();
  const full = mode.commitReveal;
  const rows = nodes.edges.map((e) => e.node);
  const firstRank = paging.offset;
  return (
    <>
      <h1>Node leaderboard</h1>
      <Form method="get" className="controls" aria-label="Filter nodes">
        <fieldset>
          <legend className="sr-only">Filter nodes</legend>
          <SelectFilter
            label="Enabled"
            name="enabled"
            value={where.enabled === undefined ? undefined : String(where.enabled)}
            options={[
              ["true", "enabled"],
              ["false", "disabled"],
            ]}
          />
          <label>
            TEE type
            <input
              type="number"
              name="teeType"
              min={0}
              max={255}
              defaultValue={where.teeType ?? ""}
              inputMode="numeric"
            />
          </label>
          <label>
            Minimum score
            <input
              type="number"
              name="minScore"
              min={0}
              max={1000}
              defaultValue={where.minScore ?? ""}
              inputMode="numeric"
            />
          </label>
          <SelectFilter
            label="Provisional"
            name="provisional"
            value={where.provisional === undefined ? undefined : String(where.provisional)}
            options={[
              ["false", "established only"],
              ["true", "provisional only"],
            ]}
          />
          <OrderSelect value={orderBy} options={lowerCaseOptions(full ? NODE_ORDERS : TWO_CONTRACT_ORDERS)} />
          <KeepPageSize />
          <button type="submit">Apply</button>
        </fieldset>
      </Form>
      <p className="csv-link">
        <a href="/export/nodes.csv" download="nodes.csv">
          Download all nodes as CSV
        </a>{" "}
        <span className="muted">(every node, with reputation, as of the latest indexed block)</span>
      </p>
      {full ? null : <NoCommitReveal />}
      <TableScroll label="Nodes">
        <table className="list">
          <caption className="sr-only">Nodes ordered by {orderBy.toLowerCase().replace("_", " ")}</caption>
          <thead>
            <tr>
              <th scope="col" className="num w-rank">
                #
              </th>
              <th scope="col" className="w-fill">
                Node
              </th>
              <SortHeader column="score" label="Score" orderBy={orderBy} width="w-score" />
              <th scope="col" className="num w-num">
                Uptime 7d
              </th>
              {full ? (
                <>
                  <SortHeader column="stake" label="Stake" orderBy={orderBy} width="w-eth" />
                  <SortHeader column="slashed" label="Slashed" orderBy={orderBy} width="w-slashed" />
                  <SortHeader column="inferences" label="Inferences" orderBy={orderBy} width="w-num" />
                  <th scope="col" className="num w-vfe">
                    Verified / failed / expired
                  </th>
                </>
              ) : null}
              <th scope="col" className="w-tee">
                TEE
              </th>
              <SortHeader column="registered" label="Registered" orderBy={orderBy} width="w-registered" />
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <EmptyRow colSpan={full ? 10 : 6}>No node matches these filters.</EmptyRow>
            ) : null}
            {rows.map((n, i) => (
              <tr key={n.id} data-node-id={n.id}>
                <td className="num" data-label="Rank">
                  {firstRank + i + 1}
                </td>
                <td data-label="Node" className="wrap">
                  <HexLink to={`/nodes/${n.id}`} value={n.id} />{" "}
                  {n.enabled ? null : <span className="badge">disabled</span>}
                  {n.pcrApproved ? null : <span className="badge check-fail">PCR not approved</span>}
                </td>
                <td className="num wrap" data-label="Score">
                  <ScoreCell reputation={n.reputation} />
                </td>
                <td className="num" data-label="Uptime 7d">
                  {formatPercent(n.uptime7d)}
                </td>
                {full ? (
                  <>
                    <td className="num" data-label="Stake">
                      {formatWei(n.stake)}
                    </td>
                    <td className="num wide-only" data-label="Slashed">
                      {formatWei(n.totalSlashed)} ({formatInt(n.counts.slashes)})
                    </td>
                    <td className="num wide-only" data-label="Inferences">
                      {formatInt(n.counts.committed)}
                    </td>
                    <td className="num wide-only" data-label="Verified / failed / expired">
                      {formatInt(n.counts.verified)} / {formatInt(n.counts.failed)} /{" "}
                      {formatInt(n.counts.expired)}
                    </td>
                  </>
                ) : null}
                <td className="wide-only" data-label="TEE">
                  {n.teeType ?? "—"}
                </td>
                <td data-label="Registered" className="wide-only">
                  {n.registered ? (
                    <>
                      {formatInt(n.registered.number)} <Age time={n.registered.timestamp} />
                    </>
                  ) : (
                    "—"
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      <Pager
        pageInfo={nodes.pageInfo}
        totalCount={nodes.totalCount}
        shown={rows.length}
        label="nodes"
        paging={paging}
      />
    </>
  );
}
