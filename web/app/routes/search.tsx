import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Hex } from "~/components/ui";
import { fromApi } from "~/lib/load.server";
import { search } from "~/models/search.server";
import { hitPath, type SearchHit } from "~/models/search-hit";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.q ? `Search “${data.q}” · Attestation Explorer` : "Search · Attestation Explorer" },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const q = (new URL(request.url).searchParams.get("q") ?? "").trim().slice(0, 200);
  if (!q) return { q, hits: [] as SearchHit[] };
  const hits = await fromApi(() => search(q));
  // An exact id (or transaction hash) names one thing: go straight to its page.
  const exact = hits.filter(
    (h) =>
      h.id.toLowerCase() === q.toLowerCase() ||
      (h.__typename === "Settlement" && h.id.toLowerCase().startsWith(`${q.toLowerCase()}-`)),
  );
  if (exact.length === 1) throw redirect(hitPath(exact[0]));
  return { q, hits };
}

function describe(hit: SearchHit): string {
  switch (hit.__typename) {
    case "Node":
      return `Node${hit.endpoint ? ` at ${hit.endpoint}` : ""}`;
    case "Model":
      return `Model ${hit.name}${hit.version ? ` ${hit.version}` : ""} (${hit.mode})`;
    case "Inference":
      return `Inference (${hit.status.toLowerCase()}) of ${hit.model.name || "an unregistered model"}`;
    case "Settlement":
      return "Settlement";
    case "Slash":
      return `Slash (${hit.reason.toLowerCase().replaceAll("_", " ")})`;
  }
}

export default function SearchPage() {
  const { q, hits } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Search</h1>
      {q ? (
        <p>
          {hits.length === 0 ? "Nothing matches" : `${hits.length} result${hits.length === 1 ? "" : "s"} for`}{" "}
          “{q}”{hits.length === 20 ? " (the first 20)" : ""}.
        </p>
      ) : (
        <p>
          Search by node, model, inference or settlement id, transaction hash, owner or operator address, or
          model name.
        </p>
      )}
      <ul className="search-results">
        {hits.map((h) => (
          <li key={`${h.__typename}-${h.id}`}>
            <Link to={hitPath(h)}>{describe(h)}</Link> <Hex value={h.id} />
          </li>
        ))}
      </ul>
    </>
  );
}
