import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

// GraphiQL for browsers at GET /graphql, served from node_modules (graphiql 3's UMD bundle with React 18's UMD
// builds; no CDN). The page's script is a file too, so the page works under a strict Content-Security-Policy.

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

export const ASSET_PREFIX = "/graphiql/";

const ASSETS: Record<string, { file: () => string; type: string }> = {
  "react.js": {
    file: () => join(packageDir("react"), "umd/react.production.min.js"),
    type: "text/javascript",
  },
  "react-dom.js": {
    file: () => join(packageDir("react-dom"), "umd/react-dom.production.min.js"),
    type: "text/javascript",
  },
  "graphiql.js": { file: () => join(packageDir("graphiql"), "dist/index.umd.js"), type: "text/javascript" },
  "graphiql.css": { file: () => join(packageDir("graphiql"), "dist/style.css"), type: "text/css" },
};

const INIT = `(function () {
  var url = new URL("/graphql", window.location.href);
  var ws = new URL(url);
  ws.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  var fetcher = GraphiQL.createFetcher({ url: url.toString(), subscriptionUrl: ws.toString() });
  var query = "{\\n  indexerStatus { height timestamp finalizedHeight lagBlocks }\\n  nodes(first: 10) {\\n    totalCount\\n    edges { node { id stake reputation { score provisional } } }\\n  }\\n}\\n";
  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: query, defaultEditorToolsVisibility: true })
  );
})();
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Attestation Explorer API</title>
<link rel="stylesheet" href="${ASSET_PREFIX}graphiql.css">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="${ASSET_PREFIX}react.js"></script>
<script src="${ASSET_PREFIX}react-dom.js"></script>
<script src="${ASSET_PREFIX}graphiql.js"></script>
<script src="${ASSET_PREFIX}init.js"></script>
</body>
</html>
`;

const cache = new Map<string, Buffer>();

function asset(name: string): { body: Buffer; type: string } | undefined {
  if (name === "init.js") return { body: Buffer.from(INIT), type: "text/javascript" };
  const spec = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
  if (!spec) return undefined;
  let body = cache.get(name);
  if (!body) {
    body = readFileSync(spec.file());
    cache.set(name, body);
  }
  return { body, type: spec.type };
}

/** A browser asking for the page (not a GraphQL GET request, which carries ?query=). */
export function wantsGraphiQL(req: IncomingMessage, url: URL): boolean {
  return (
    req.method === "GET" && !url.searchParams.has("query") && (req.headers.accept ?? "").includes("text/html")
  );
}

const SECURITY_HEADERS = {
  "Content-Security-Policy":
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self' ws: wss:",
  "X-Content-Type-Options": "nosniff",
};

export function sendGraphiQL(res: ServerResponse): void {
  res.writeHead(200, {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-cache",
    ...SECURITY_HEADERS,
  });
  res.end(PAGE);
}

/** Serves /graphiql/<asset>; returns false for an unknown name. */
export function sendAsset(res: ServerResponse, name: string): boolean {
  const found = asset(name);
  if (!found) return false;
  res.writeHead(200, {
    "Content-Type": `${found.type}; charset=utf-8`,
    "Content-Length": found.body.length,
    "Cache-Control": "public, max-age=86400",
    "X-Content-Type-Options": "nosniff",
  });
  res.end(found.body);
  return true;
}
