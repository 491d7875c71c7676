import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { lowerCaseOptions, OrderSelect, SelectFilter } from "~/components/filter-fields";
import { KeepPageSize, Pager } from "~/components/pagination";
import { ScoreCell } from "~/components/score";
import { Th, TruncatedLink } from "~/components/tables";
import { EmptyRow, HexLink, TableScroll, Unavailable } from "~/components/ui";
import { formatInt, modelLabel } from "~/lib/format";
import { fromApi } from "~/lib/load.server";
import { boolParam, enumParam, pageParams } from "~/lib/params";
import { MODEL_ORDERS, MODES } from "~/models/enums";
import { modelList, modelPages } from "~/models/model.server";
import { networkMode } from "~/models/network.server";
import { readPage } from "~/models/paging.server";

export const meta: MetaFunction = () => [{ title: "Models · Attestation Explorer" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const params = new URL(request.url).searchParams;
  return fromApi(async () => {
    if (!(await networkMode()).commitReveal) return { unavailable: true as const };
    const orderBy = enumParam(params, "order", MODEL_ORDERS) ?? "INFERENCES_DESC";
    const nameContains = params.get("name")?.trim() || undefined;
    const where = {
      mode: enumParam(params, "mode", MODES),
      deprecated: boolParam(params, "deprecated"),
      nameContains,
    };
    const { connection: models, paging } = await readPage(
      pageParams(params, 50),
      modelPages({ orderBy, where }),
      (first, after) => modelList({ first, after, orderBy, where }),
    );
    return { models, paging, orderBy, where };
  });
}

export default function Models() {
  const data = useLoaderData<typeof loader>();
  if ("unavailable" in data) return <Unavailable title="Models" />;
  const { models, paging, orderBy, where } = data;
  const rows = models.edges.map((e) => e.node);
  return (
    <>
      <h1>Models</h1>
      <Form method="get" className="controls" aria-label="Filter models">
        <fieldset>
          <legend className="sr-only">Filter models</legend>
          <label>
            Name contains
            <input type="search" name="name" defaultValue={where.nameContains ?? ""} maxLength={200} />
          </label>
          <SelectFilter
            label="Mode"
            name="mode"
            value={where.mode}
            options={MODES.map((m) => [m, m] as const)}
          />
          <SelectFilter
            label="Deprecated"
            name="deprecated"
            value={where.deprecated === undefined ? undefined : String(where.deprecated)}
            options={[
              ["false", "current"],
              ["true", "deprecated"],
            ]}
          />
          <OrderSelect value={orderBy} options={lowerCaseOptions(MODEL_ORDERS)} />
          <KeepPageSize />
          <button type="submit">Apply</button>
        </fieldset>
      </Form>
      <p className="csv-link">
        <a href="/export/models.csv" download="models.csv">
          Download all models as CSV
        </a>
      </p>
      <TableScroll label="Models">
        <table className="list">
          <caption className="sr-only">Models</caption>
          <thead>
            <tr>
              <Th w="w-fill">Model</Th>
              <Th w="w-hex">Id</Th>
              <Th w="w-mode">Mode</Th>
              <Th w="w-num" num>
                Inferences
              </Th>
              <Th w="w-vfe" num>
                Verified / failed / expired
              </Th>
              <Th w="w-num" num>
                Nodes (30 d)
              </Th>
              <Th w="w-score" num>
                Score
              </Th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? <EmptyRow colSpan={7}>No model matches these filters.</EmptyRow> : null}
            {rows.map((m) => (
              <tr key={m.id}>
                <td data-label="Model" className="model-cell">
                  <TruncatedLink to={`/models/${m.id}`} text={modelLabel(m)} />
                  {m.deprecated ? <span className="badge">deprecated</span> : null}
                  {m.owner ? null : (
                    <span className="badge" title="Seen in a commit, never registered">
                      unregistered
                    </span>
                  )}
                </td>
                <td data-label="Id">
                  <HexLink to={`/models/${m.id}`} value={m.id} />
                </td>
                <td data-label="Mode">{m.mode}</td>
                <td className="num" data-label="Inferences">
                  {formatInt(m.counts.inferences)}
                </td>
                <td className="num wide-only" data-label="Verified / failed / expired">
                  {formatInt(m.counts.verified)} / {formatInt(m.counts.failed)} /{" "}
                  {formatInt(m.counts.expired)}
                </td>
                <td className="num wide-only" data-label="Nodes (30 d)">
                  {formatInt(m.distinctNodes30d)}
                </td>
                <td className="num wrap" data-label="Score">
                  <ScoreCell reputation={m.reputation} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      <Pager
        pageInfo={models.pageInfo}
        totalCount={models.totalCount}
        shown={rows.length}
        label="models"
        paging={paging}
      />
    </>
  );
}
