import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { DateRangeFilter, HexFilter, lowerCaseOptions, SelectFilter } from "~/components/filter-fields";
import { KeepPageSize, Pager } from "~/components/pagination";
import { SlashTable } from "~/components/tables";
import { Unavailable } from "~/components/ui";
import { fromApi } from "~/lib/load.server";
import { dateParam, enumParam, hexParam, pageParams } from "~/lib/params";
import { SLASH_REASONS } from "~/models/enums";
import { networkMode } from "~/models/network.server";
import { readPage } from "~/models/paging.server";
import { slashList, slashPages } from "~/models/slash.server";

export const meta: MetaFunction = () => [{ title: "Slashes · Attestation Explorer" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const params = new URL(request.url).searchParams;
  return fromApi(async () => {
    if (!(await networkMode()).commitReveal) return { unavailable: true as const };
    const where = {
      node: hexParam(params, "node", 32),
      reason: enumParam(params, "reason", SLASH_REASONS),
      from: dateParam(params, "from"),
      to: dateParam(params, "to", true),
    };
    const { connection: slashes, paging } = await readPage(
      pageParams(params, 50),
      slashPages(where),
      (first, after) => slashList({ first, after, where }),
    );
    const exportQuery = new URLSearchParams();
    for (const key of ["node", "from", "to"]) {
      const value = params.get(key);
      if (value) exportQuery.set(key, value);
    }
    return { slashes, paging, values: Object.fromEntries(params), exportQuery: exportQuery.toString() };
  });
}

export default function Slashes() {
  const data = useLoaderData<typeof loader>();
  if ("unavailable" in data) return <Unavailable title="Slashes" />;
  const { slashes, paging, values, exportQuery } = data;
  const rows = slashes.edges.map((e) => e.node);
  return (
    <>
      <h1>Slashes</h1>
      <Form method="get" className="controls" aria-label="Filter slashes">
        <fieldset>
          <legend className="sr-only">Filter slashes</legend>
          <HexFilter label="Node id" name="node" value={values.node} />
          <SelectFilter
            label="Reason"
            name="reason"
            value={values.reason}
            options={lowerCaseOptions(SLASH_REASONS)}
          />
          <DateRangeFilter values={values} />
          <KeepPageSize />
          <button type="submit">Apply</button>
        </fieldset>
      </Form>
      <p className="csv-link">
        <a href={`/export/slashes.csv${exportQuery ? `?${exportQuery}` : ""}`} download="slashes.csv">
          Download these slashes as CSV
        </a>
      </p>
      <SlashTable rows={rows} label="Slashes" />
      <Pager
        pageInfo={slashes.pageInfo}
        totalCount={slashes.totalCount}
        shown={rows.length}
        label="slashes"
        paging={paging}
      />
    </>
  );
}
