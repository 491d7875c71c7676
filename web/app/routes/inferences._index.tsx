import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import {
  DateRangeFilter,
  HexFilter,
  lowerCaseOptions,
  OrderSelect,
  SelectFilter,
} from "~/components/filter-fields";
import { KeepPageSize, Pager } from "~/components/pagination";
import { InferenceTable } from "~/components/tables";
import { Unavailable } from "~/components/ui";
import { fromApi } from "~/lib/load.server";
import { boolParam, dateParam, enumParam, hexParam, pageParams } from "~/lib/params";
import { MODES, STATUSES } from "~/models/enums";
import { inferenceList, inferencePages } from "~/models/inference.server";
import { networkMode } from "~/models/network.server";
import { readPage } from "~/models/paging.server";

export const meta: MetaFunction = () => [{ title: "Inferences · Attestation Explorer" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const params = new URL(request.url).searchParams;
  return fromApi(async () => {
    if (!(await networkMode()).commitReveal) return { unavailable: true as const };
    const status = enumParam(params, "status", STATUSES);
    const where = {
      node: hexParam(params, "node", 32),
      model: hexParam(params, "model", 32),
      status: status ? [status] : undefined,
      mode: enumParam(params, "mode", MODES),
      from: dateParam(params, "from"),
      to: dateParam(params, "to", true),
      discrepancy: boolParam(params, "discrepancy"),
    };
    const orderBy = params.get("order") === "COMMITTED_ASC" ? "COMMITTED_ASC" : "COMMITTED_DESC";
    const { connection: inferences, paging } = await readPage(
      pageParams(params, 50),
      inferencePages({ orderBy, where }),
      (first, after) => inferenceList({ first, after, orderBy, where }),
    );
    const exportQuery = new URLSearchParams();
    for (const key of ["node", "model", "status", "from", "to"]) {
      const value = params.get(key);
      if (value) exportQuery.set(key, value);
    }
    return {
      inferences,
      paging,
      orderBy,
      values: Object.fromEntries(params),
      exportQuery: exportQuery.toString(),
    };
  });
}

export default function Inferences() {
  const data = useLoaderData<typeof loader>();
  if ("unavailable" in data) return <Unavailable title="Inferences" />;
  const { inferences, paging, orderBy, values, exportQuery } = data;
  const rows = inferences.edges.map((e) => e.node);
  return (
    <>
      <h1>Inferences</h1>
      <Form method="get" className="controls" aria-label="Filter inferences">
        <fieldset>
          <legend className="sr-only">Filter inferences</legend>
          <HexFilter label="Node id" name="node" value={values.node} />
          <HexFilter label="Model id" name="model" value={values.model} />
          <SelectFilter
            label="Status"
            name="status"
            value={values.status}
            options={lowerCaseOptions(STATUSES)}
          />
          <SelectFilter
            label="Mode"
            name="mode"
            value={values.mode}
            options={MODES.map((m) => [m, m] as const)}
          />
          <SelectFilter
            label="Discrepancy"
            name="discrepancy"
            value={values.discrepancy}
            options={[
              ["true", "only discrepancies"],
              ["false", "none"],
            ]}
          />
          <DateRangeFilter values={values} />
          <OrderSelect
            value={orderBy}
            options={[
              ["COMMITTED_DESC", "newest first"],
              ["COMMITTED_ASC", "oldest first"],
            ]}
          />
          <KeepPageSize />
          <button type="submit">Apply</button>
        </fieldset>
      </Form>
      <p className="csv-link">
        <a href={`/export/inferences.csv${exportQuery ? `?${exportQuery}` : ""}`} download="inferences.csv">
          Download these inferences as CSV
        </a>
      </p>
      <InferenceTable rows={rows} label="Inferences" />
      <Pager
        pageInfo={inferences.pageInfo}
        totalCount={inferences.totalCount}
        shown={rows.length}
        label="inferences"
        paging={paging}
      />
    </>
  );
}
