import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Age } from "~/components/age";
import { Th } from "~/components/tables";
import { EmptyRow, Stat, TableScroll } from "~/components/ui";
import { formatInt, formatTime } from "~/lib/format";
import { fromApi } from "~/lib/load.server";
import { intParam } from "~/lib/params";
import { reorgs } from "~/models/network.server";

export const meta: MetaFunction = () => [{ title: "Reorgs · Attestation Explorer" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const params = new URL(request.url).searchParams;
  return fromApi(() => reorgs(intParam(params, "first", 1, 1000) ?? 100));
}

export default function Reorgs() {
  const { reorgs: rows, indexerStatus: status } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Reorgs</h1>
      <p className="muted">
        Block ranges the chain replaced while the indexer followed it. Every count, score and bucket was
        rolled back to the canonical chain. Rows in blocks above the finalized height can still change.
      </p>
      <dl className="stats panel">
        <Stat label="Reorgs handled" value={formatInt(rows.length)} />
        <Stat label="Blocks rolled back" value={formatInt(status.reorgedBlocks)} />
        <Stat label="Finalized height" value={formatInt(status.finalizedHeight)} />
      </dl>
      <p className="csv-link">
        <a href="/export/reorgs.csv" download="reorgs.csv">
          Download all reorgs as CSV
        </a>
      </p>
      <TableScroll label="Reorgs">
        <table className="list">
          <caption className="sr-only">Reorgs, latest first</caption>
          <thead>
            <tr>
              <Th w="w-fill">Detected</Th>
              <Th w="w-age">Age</Th>
              <th scope="col" className="num">
                First replaced block
              </th>
              <th scope="col" className="num">
                Last abandoned block
              </th>
              <th scope="col" className="num">
                Depth
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? <EmptyRow colSpan={5}>No reorg has been seen.</EmptyRow> : null}
            {rows.map((r) => (
              <tr key={`${r.detectedAt}-${r.fromBlock}`}>
                <td data-label="Detected">{formatTime(r.detectedAt)}</td>
                <td data-label="Age">
                  <Age time={r.detectedAt} />
                </td>
                <td className="num" data-label="First replaced block">
                  {formatInt(r.fromBlock)}
                </td>
                <td className="num" data-label="Last abandoned block">
                  {formatInt(r.toBlock)}
                </td>
                <td className="num" data-label="Depth">
                  {formatInt(r.depth)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </>
  );
}
