import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Hex } from "~/components/ui";
import { fromApi } from "~/lib/load.server";
import { search } from "~/models/search.server";
import { describeHit, hitPath, type SearchHit } from "~/models/search-hit";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.q ? `Search “${data.q}” · Attestation Explorer` : "Search · Attestation Explorer" },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const params = new URL(request.url).searchParams;
  const q = (params.get("q") ?? "").trim().slice(0, 200);
  if (!q) return { q, hits: [] as SearchHit[] };
  const hits = await fromApi(() => search(q));
  // The search box's suggestions as you type (search-box.tsx) read the hits without being sent anywhere.
  if (params.get("suggest") === "1") return { q, hits };
  // A query that names exactly one thing goes straight to its page: one exact id (or a settlement's transaction
  // hash) among the hits, or a single hit (a unique prefix or model name).
  const lower = q.toLowerCase();
  const exact = hits.filter(
    (h) =>
      h.id.toLowerCase() === lower ||
      (h.__typename === "Settlement" && h.id.toLowerCase().startsWith(`${lower}-`)),
  );
  if (exact.length === 1) throw redirect(hitPath(exact[0]));
  if (hits.length === 1) throw redirect(hitPath(hits[0]));
  return { q, hits };
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
          Search by node, model, inference or settlement id (or its first digits, as the explorer shortens
          them: 0x0702af…), transaction hash, owner or operator address, or model name.
        </p>
      )}
      <ul className="search-results">
        {hits.map((h) => (
          <li key={`${h.__typename}-${h.id}`}>
            <Link to={hitPath(h)}>{describeHit(h)}</Link> <Hex value={h.id} />
          </li>
        ))}
      </ul>
    </>
  );
}
