import type { LoaderFunctionArgs } from "@remix-run/node";
import { apiOrigin } from "~/lib/config.server";
import { minHeightHeaders, noteIndexedHeight } from "~/lib/indexed-height.server";
import { API_UNAVAILABLE_MESSAGE, logApiUnavailable } from "~/lib/load.server";

// /export/<name>: the API's streamed exports (spec/exports.md) through the explorer's own origin, so the CSV
// buttons work when only the explorer is public. The body is piped through as it arrives (no buffering).

const FILES = new Set(
  ["nodes", "models", "inferences", "slashes", "settlements", "reorgs", "reputation-history"].flatMap((n) => [
    `${n}.csv`,
    `${n}.ndjson`,
    `${n}.parquet`,
  ]),
);
const PASS_HEADERS = [
  "content-type",
  "x-as-of-block",
  "x-as-of",
  "x-finalized-block",
  "x-formula-version",
  "x-indexed-height",
  "retry-after",
];

export async function loader({ params, request }: LoaderFunctionArgs) {
  const file = params.file ?? "";
  if (!FILES.has(file)) {
    return new Response(`Got export ${JSON.stringify(file)}, expected one of ${[...FILES].join(", ")}\n`, {
      status: 404,
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  }
  const search = new URL(request.url).search;
  let upstream: Response;
  try {
    // Never older than what the explorer already showed (~/lib/indexed-height.server).
    upstream = await fetch(`${apiOrigin()}/export/${file}${search}`, {
      signal: request.signal,
      headers: minHeightHeaders(),
    });
  } catch (err) {
    logApiUnavailable(`export ${file}: the API is not reachable: ${(err as Error).message}`);
    return new Response(`${API_UNAVAILABLE_MESSAGE}\n`, {
      status: 503,
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  }
  noteIndexedHeight(upstream.headers);
  const headers = new Headers();
  for (const name of PASS_HEADERS) {
    const value = upstream.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  // Always a download, named from the list above (never from the URL or upstream text). X-Content-Type-Options:
  // nosniff comes with every answer of web/server.mjs (helmet).
  if (upstream.ok) headers.set("content-disposition", `attachment; filename="${file}"`);
  return new Response(upstream.body, { status: upstream.status, headers });
}
