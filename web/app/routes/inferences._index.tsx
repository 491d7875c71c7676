import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { InferenceTable } from "~/components/tables";
import { Pager } from "~/components/ui";
import { fromApi } from "~/lib/load.server";
import { boolParam, cursorParam, dateParam, enumParam, hexParam } from "~/lib/params";
import { MODES, STATUSES } from "~/models/enums";
import { inferenceList } from "~/models/inference.server";

export const meta: MetaFunction = () => [{ title: "Inferences · Attestation Explorer" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const params = new URL(request.url).searchParams;
  return fromApi(async () => {
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
    const inferences = await inferenceList({ first: 50, after: cursorParam(params), orderBy, where });
    const exportQuery = new URLSearchParams();
    for (const key of ["node", "model", "status", "from", "to"]) {
      const value = params.get(key);
      if (value) exportQuery.set(key, value);
    }
    return { inferences, orderBy, values: Object.fromEntries(params), exportQuery: exportQuery.toString() };
  });
}

export default function Inferences() {
  const { inferences, orderBy, values, exportQuery } = useLoaderData<typeof loader>();
  const rows = inferences.edges.map((e) => e.node);
  return (
    <>
      <h1>Inferences</h1>
      <Form method="get" className="controls" aria-label="Filter inferences">
        <fieldset>
          <legend className="sr-only">Filter inferences</legend>
          <label>
            Node id
            <input name="node" defaultValue={values.node ?? ""} placeholder="0x…" spellCheck={false} />
          </label>
          <label>
            Model id
            <input name="model" defaultValue={values.model ?? ""} placeholder="0x…" spellCheck={false} />
          </label>
          <label>
            Status
            <select name="status" defaultValue={values.status ?? ""}>
              <option value="">any</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s.toLowerCase()}
                </option>
              ))}
            </select>
          </label>
          <label>
            Mode
            <select name="mode" defaultValue={values.mode ?? ""}>
              <option value="">any</option>
              {MODES.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </label>
          <label>
            Discrepancy
            <select name="discrepancy" defaultValue={values.discrepancy ?? ""}>
              <option value="">any</option>
              <option value="true">only discrepancies</option>
              <option value="false">none</option>
            </select>
          </label>
          <label>
            From <input type="date" name="from" defaultValue={(values.from ?? "").slice(0, 10)} />
          </label>
          <label>
            To <input type="date" name="to" defaultValue={(values.to ?? "").slice(0, 10)} />
          </label>
          <label>
            Order
            <select name="order" defaultValue={orderBy}>
              <option value="COMMITTED_DESC">newest first</option>
              <option value="COMMITTED_ASC">oldest first</option>
            </select>
          </label>
          <button type="submit">Apply</button>
        </fieldset>
      </Form>
      <p>
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
      />
    </>
  );
}
