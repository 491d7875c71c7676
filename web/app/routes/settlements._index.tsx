import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { DateRangeFilter, HexFilter, lowerCaseOptions, SelectFilter } from "~/components/filter-fields";
import { KeepPageSize, Pager } from "~/components/pagination";
import { SettlementTable } from "~/components/tables";
import { fromApi } from "~/lib/load.server";
import { dateParam, enumParam, hexParam, pageParams } from "~/lib/params";
import { CHECKS } from "~/models/enums";
import { readPage } from "~/models/paging.server";
import { settlementList, settlementPages } from "~/models/settlement.server";

export const meta: MetaFunction = () => [{ title: "Settlements · Attestation Explorer" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const params = new URL(request.url).searchParams;
  return fromApi(async () => {
    const where = {
      teeId: hexParam(params, "teeId", 32),
      signature: enumParam(params, "signature", CHECKS),
      from: dateParam(params, "from"),
      to: dateParam(params, "to", true),
    };
    const { connection: settlements, paging } = await readPage(
      pageParams(params, 50),
      settlementPages(where),
      (first, after) => settlementList({ first, after, where }),
    );
    // The export's names: node is the TEE id (a node's id is its TEE id).
    const exportQuery = new URLSearchParams();
    for (const [key, name] of [
      ["teeId", "node"],
      ["signature", "signature"],
      ["from", "from"],
      ["to", "to"],
    ]) {
      const value = params.get(key);
      if (value) exportQuery.set(name, value);
    }
    return { settlements, paging, values: Object.fromEntries(params), exportQuery: exportQuery.toString() };
  });
}

export default function Settlements() {
  const { settlements, paging, values, exportQuery } = useLoaderData<typeof loader>();
  const rows = settlements.edges.map((e) => e.node);
  return (
    <>
      <h1>Settlements</h1>
      <p className="muted">
        TEE-signed inference results settled through the relay; the indexer verifies each signature itself.
      </p>
      <Form method="get" className="controls" aria-label="Filter settlements">
        <fieldset>
          <legend className="sr-only">Filter settlements</legend>
          <HexFilter label="TEE id" name="teeId" value={values.teeId} />
          <SelectFilter
            label="Signature check"
            name="signature"
            value={values.signature}
            options={lowerCaseOptions(CHECKS)}
          />
          <DateRangeFilter values={values} />
          <KeepPageSize />
          <button type="submit">Apply</button>
        </fieldset>
      </Form>
      <p className="csv-link">
        <a href={`/export/settlements.csv${exportQuery ? `?${exportQuery}` : ""}`} download="settlements.csv">
          Download these settlements as CSV
        </a>
      </p>
      <SettlementTable rows={rows} label="Settlements" />
      <Pager
        pageInfo={settlements.pageInfo}
        totalCount={settlements.totalCount}
        shown={rows.length}
        label="settlements"
        paging={paging}
      />
    </>
  );
}
