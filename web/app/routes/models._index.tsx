import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { lowerCaseOptions, OrderSelect, SelectFilter } from "~/components/filter-fields";
import { ScoreCell } from "~/components/score";
import { EmptyRow, HexLink, Pager, TableScroll, Unavailable } from "~/components/ui";
import { formatInt, modelLabel } from "~/lib/format";
import { fromApi } from "~/lib/load.server";
import { boolParam, cursorParam, enumParam } from "~/lib/params";
import { MODEL_ORDERS, MODES } from "~/models/enums";
import { modelList } from "~/models/model.server";
import { networkMode } from "~/models/network.server";

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
    const models = await modelList({ first: 50, after: cursorParam(params), orderBy, where });
    return { models, orderBy, where };
  });
}

export default function Models() {
  const data = useLoaderData<typeof loader>();
  if ("unavailable" in data) return <Unavailable title="Models" />;
  const { models, orderBy, where } = data;
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
          <button type="submit">Apply</button>
        </fieldset>
      </Form>
      <p>
        <a href="/export/models.csv" download="models.csv">
          Download all models as CSV
        </a>
      </p>
      <TableScroll label="Models">
        <table>
          <caption className="sr-only">Models</caption>
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">Id</th>
              <th scope="col">Mode</th>
              <th scope="col" className="num">
                Inferences
              </th>
              <th scope="col" className="num">
                Verified / failed / expired
              </th>
              <th scope="col" className="num">
                Nodes (30 d)
              </th>
              <th scope="col" className="num">
                Score
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? <EmptyRow colSpan={7}>No model matches these filters.</EmptyRow> : null}
            {rows.map((m) => (
              <tr key={m.id}>
                <td className="text">
                  <Link to={`/models/${m.id}`}>{modelLabel(m)}</Link>{" "}
                  {m.deprecated ? <span className="badge">deprecated</span> : null}
                  {m.owner ? null : (
                    <span className="badge" title="Seen in a commit, never registered">
                      unregistered
                    </span>
                  )}
                </td>
                <td>
                  <HexLink to={`/models/${m.id}`} value={m.id} />
                </td>
                <td>{m.mode}</td>
                <td className="num">{formatInt(m.counts.inferences)}</td>
                <td className="num">
                  {formatInt(m.counts.verified)} / {formatInt(m.counts.failed)} /{" "}
                  {formatInt(m.counts.expired)}
                </td>
                <td className="num">{formatInt(m.distinctNodes30d)}</td>
                <td className="num">
                  <ScoreCell reputation={m.reputation} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      <Pager pageInfo={models.pageInfo} totalCount={models.totalCount} shown={rows.length} label="models" />
    </>
  );
}
