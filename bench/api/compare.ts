// `tsx bench/api/compare.ts <API base URL A> <API base URL B>`: asks two APIs on the same database the same
// questions and fails on the first answer that differs by a byte. Used to check that a change made for speed keeps
// every answer (BENCHMARKS.md): run the previous code and the new code against the bench's seeded database. Every
// GraphQL request is sent with `Cache-Control: no-cache` (computed, not served from the response cache): the three
// bench workloads (200 node pages, the four inference filters) and more, each list also at its second page (after
// its first page's endCursor), and the CSV / NDJSON exports (inferences, nodes, slashes, reputation history;
// sha-256 of the body; Parquet files are compared by content in api/e2e/parquet-exports.test.ts).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { buildSchema, GraphQLEnumType } from "graphql";
import pg from "pg";
import { workloads } from "./queries.ts";

/** Every value of an enum of the schema the API serves (api/schema.graphql), e.g. each ordering it offers. */
function enumValues(name: string): string[] {
  const schema = buildSchema(readFileSync(new URL("../../api/schema.graphql", import.meta.url), "utf8"));
  const type = schema.getType(name);
  if (!(type instanceof GraphQLEnumType)) throw new Error(`api/schema.graphql has no enum ${name}`);
  return type.getValues().map((v) => v.name);
}

const [baseA, baseB] = process.argv.slice(2);
const DATABASE_URL = process.env.DATABASE_URL;
if (!baseA || !baseB || !DATABASE_URL) {
  console.error("usage: DATABASE_URL=<seeded db> tsx bench/api/compare.ts <API base URL A> <API base URL B>");
  process.exit(2);
}

async function graphql(base: string, body: string): Promise<string> {
  const res = await fetch(`${base}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", "cache-control": "no-cache" },
    body,
  });
  return `${res.status} ${await res.text()}`;
}

async function download(base: string, path: string): Promise<string> {
  const res = await fetch(`${base}${path}`);
  const hash = createHash("sha256").update(new Uint8Array(await res.arrayBuffer()));
  return `${res.status} ${hash.digest("hex")}`;
}

let compared = 0;
async function same(what: string, ask: (base: string) => Promise<string>): Promise<string> {
  const [a, b] = await Promise.all([ask(baseA), ask(baseB)]);
  if (a !== b) {
    let at = 0;
    while (at < a.length && a[at] === b[at]) at++;
    const around = (x: string) => x.slice(Math.max(0, at - 300), at + 300);
    throw new Error(`${what}: the answers differ at character ${at}\nA: …${around(a)}\nB: …${around(b)}`);
  }
  if (!a.startsWith("200 ")) throw new Error(`${what}: not answered: ${a.slice(0, 500)}`);
  compared++;
  return a;
}

/** The first endCursor in an answer (the top-level connection's, for the queries below). */
const endCursor = (text: string) => /"endCursor":"([^"]+)"/.exec(text)?.[1];

const NODE_FIELDS = `id owner enabled teeType stake totalSlashed pendingWithdrawals lastHeartbeatAt uptime7d pcrApproved
  counts { committed revealed verified failed expired challenged disputesLost slashes settlements
           settlementSignatureFailures discrepancies }
  reputation { score lowerBound upperBound successRate effectiveSamples decayedSlashes slashFactor provisional asOf }`;
const INFERENCE_FIELDS = `id status mode node { id } model { id name } inputHash outputHash verifier discrepancy
  committed { number hash timestamp txHash logIndex finalized } revealed { number } settled { number timestamp }
  checks { commitment revealOnTime teeSignature pcrValid } settlement { id } challenge { id } slashes { id }`;

async function main(): Promise<void> {
  const c = new pg.Client({ connectionString: DATABASE_URL });
  await c.connect();
  const nodeIds = (await c.query<{ id: string }>("SELECT id FROM node ORDER BY md5(id) LIMIT 200")).rows.map(
    (r) => r.id,
  );
  const models = (await c.query<{ id: string }>("SELECT id FROM model ORDER BY inferences DESC, id LIMIT 3"))
    .rows;
  const owner = (await c.query<{ owner: string }>("SELECT owner FROM node WHERE owner IS NOT NULL LIMIT 1"))
    .rows[0].owner;
  await c.end();
  const sample = { nodeIds, busyModelId: models[0].id };

  // The bench's workloads, as sent.
  for (const w of workloads(sample)) {
    for (let i = 0; i < (w.name === "node page" ? nodeIds.length : 8); i++) {
      await same(`${w.name} #${i}`, (base) => graphql(base, w.ours(i)));
    }
  }

  // Lists with filters, orderings, counts and a second page.
  const lists: { name: string; query: string; variables: Record<string, unknown> }[] = [];
  const nodeList = `query($orderBy: NodeOrderBy, $where: NodeFilter, $after: String) {
    nodes(first: 25, orderBy: $orderBy, where: $where, after: $after) {
      totalCount edges { cursor node { ${NODE_FIELDS} } } pageInfo { hasNextPage endCursor } } }`;
  for (const orderBy of enumValues("NodeOrderBy")) {
    for (const where of [{}, { enabled: true }, { provisional: false, minScore: 500 }, { owner }]) {
      lists.push({
        name: `nodes ${orderBy} ${JSON.stringify(where)}`,
        query: nodeList,
        variables: { orderBy, where },
      });
    }
  }
  const inferenceList = `query($orderBy: InferenceOrderBy, $where: InferenceFilter, $after: String) {
    inferences(first: 50, orderBy: $orderBy, where: $where, after: $after) {
      totalCount edges { cursor node { ${INFERENCE_FIELDS} } } pageInfo { hasNextPage endCursor } } }`;
  const inferenceFilters: Record<string, unknown>[] = [
    {},
    { status: ["FAILED", "EXPIRED"] },
    { status: ["VERIFIED"], mode: "TEE" },
    { status: ["COMMITTED", "REVEALED"] },
    { discrepancy: true },
    { discrepancy: false, mode: "VANILLA" },
    { model: models[0].id },
    { model: models[2].id, status: ["VERIFIED"] },
    { node: nodeIds[0] },
    { node: nodeIds[1], status: ["FAILED"] },
    { mode: "ZKML" },
    { from: "2026-11-15T00:00:00Z", to: "2026-11-16T00:00:00Z" },
    { from: "2026-11-20T00:00:00Z", status: ["EXPIRED"] },
  ];
  for (const orderBy of enumValues("InferenceOrderBy")) {
    for (const where of inferenceFilters) {
      lists.push({
        name: `inferences ${orderBy} ${JSON.stringify(where)}`,
        query: inferenceList,
        variables: { orderBy, where },
      });
    }
  }
  for (const id of nodeIds.slice(0, 20)) {
    lists.push({
      name: `node ${id} lists`,
      query: `query($id: Bytes!, $after: String) { node(id: $id) {
        inferences(first: 20, after: $after) { totalCount edges { node { ${INFERENCE_FIELDS} } } pageInfo { endCursor } }
        settlements(first: 20) { totalCount edges { node { id checks { signature freshness teeEnabled pcrValid } } } }
        slashes(first: 20) { totalCount edges { node { id reason amount } } } } }`,
      variables: { id },
    });
  }
  for (const l of lists) {
    const first = await same(l.name, (base) =>
      graphql(base, JSON.stringify({ query: l.query, variables: l.variables })),
    );
    const after = endCursor(first);
    if (after) {
      await same(`${l.name}, second page`, (base) =>
        graphql(base, JSON.stringify({ query: l.query, variables: { ...l.variables, after } })),
      );
    }
  }

  // Every inference (a million rows at the bench's scale) only with COMPARE_FULL_EXPORTS=1.
  const full = process.env.COMPARE_FULL_EXPORTS === "1";
  const exports = [
    ...(full ? ["/export/inferences.csv", "/export/inferences.ndjson"] : []),
    `/export/inferences.csv?model=${models[1].id}&status=FAILED,EXPIRED`,
    "/export/nodes.csv",
    "/export/slashes.ndjson",
    "/export/reputation-history.csv?from=2026-11-20T00:00:00Z&interval=DAY",
    `/export/reputation-history.ndjson?node=${nodeIds[3]}&interval=HOUR`,
  ];
  for (const path of exports) await same(path, (base) => download(base, path));
  console.log(`compare: ${compared} answers, byte for byte the same`);
}

main().catch((err: Error) => {
  console.error(`compare: ${err.message}`);
  process.exit(1);
});
