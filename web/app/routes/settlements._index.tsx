import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { DateRangeFilter, HexFilter, lowerCaseOptions, SelectFilter } from "~/components/filter-fields";
import { SettlementTable } from "~/components/tables";
import { Pager } from "~/components/ui";
import { fromApi } from "~/lib/load.server";
import { cursorParam, dateParam, enumParam, hexParam } from "~/lib/params";
import { CHECKS } from "~/models/enums";
import { settlementList } from "~/models/settlement.server";

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
    const settlements = await settlementList({ first: 50, after: cursorParam(params), where });
    return { settlements, values: Object.fromEntries(params) };
  });
}

export default function Settlements() {
  const { settlements, values } = useLoaderData<typeof loader>();
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
          <button type="submit">Apply</button>
        </fieldset>
      </Form>
      <SettlementTable rows={rows} label="Settlements" />
      <Pager
        pageInfo={settlements.pageInfo}
        totalCount={settlements.totalCount}
        shown={rows.length}
        label="settlements"
      />
    </>
  );
}
