// biome-ignore-all lint/suspicious/noExplicitAny: the tests read untyped JSON answers

import { evaluate, stateFromRow } from "@attestation-explorer/rep-v1";
import { afterAll, beforeAll, expect, test } from "vitest";
import { EXTRA_KEYS, isGhost, SyntheticChain } from "../../bench/api/chain.ts";
import { teeKeys } from "../../bench/api/keys.ts";
import { indexingHandler } from "../../bench/api/through-handler.ts";
import { startTestApi, type TestApi } from "../src/testing/api-client.ts";
import { openTestDatabase, type TestDatabase, testConfig } from "../src/testing/test-db.ts";

// The leaderboard over a thousand-node network written by the indexer's own handler: the bench's synthetic chain
// (bench/api/chain.ts: the traffic policy's actions for heavy-tailed, honest, flaky and faulty nodes, a few
// disabled, ghosts that never register) at a small scale, its blocks through the indexer's batch handler. Scores
// are computed in SQL from each node's stored rep-v1 state at the latest block's time, ordered and paged with a
// keyset; the order and the scores must agree with rep-v1 evaluated on the same states. Its speed at 10,000 nodes
// is measured by `npm run bench -- api` (the leaderboard workload), not here.

const OPTIONS = {
  seed: "api-leaderboard-test",
  nodes: 1_000,
  inferences: 4_000,
  perBlock: 100,
  blockSeconds: 600,
  startTime: Date.parse("2026-11-12T00:00:00Z") / 1000,
};
/** Blocks per handler batch, as the processor's batches while catching up. */
const BATCH_BLOCKS = 25;
let registered = 0;
let latestTime = 0;
let tdb: TestDatabase;
let api: TestApi;

beforeAll(async () => {
  tdb = await openTestDatabase();
  const withKeys = Array.from({ length: OPTIONS.nodes }, (_, i) => i).filter((i) => !isGhost(i)).length;
  const chain = new SyntheticChain(OPTIONS, teeKeys(withKeys + EXTRA_KEYS));
  const handler = await indexingHandler({ url: tdb.adminUrl, finalityConfirmations: 10, log: () => {} });
  try {
    let batch = [];
    for (const block of chain.blocks()) {
      batch.push(block);
      latestTime = block.header.timestamp / 1000;
      if (batch.length === BATCH_BLOCKS) {
        await handler.index(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await handler.index(batch);
  } finally {
    await handler.close();
  }
  registered = (await tdb.admin.query("SELECT count(*)::int AS n FROM node")).rows[0].n;
  api = await startTestApi(testConfig(), tdb.db, { connectionString: tdb.readerUrl });
}, 600_000);
afterAll(async () => {
  await api?.close();
  await tdb?.close();
});

const LEADERBOARD = `query Leaderboard($after: String, $where: NodeFilter) {
  nodes(first: 50, after: $after, orderBy: SCORE_DESC, where: $where) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id owner stake enabled pcrApproved uptime7d counts { committed } reputation { score provisional effectiveSamples } } }
  }
}`;

async function leaderboard(variables: Record<string, unknown>) {
  const r = await api.gql<any>(LEADERBOARD, variables);
  expect(r.body.errors).toBeUndefined();
  return r.body.data.nodes;
}

test("the leaderboard's first page: every node counted, best score first, the score rep-v1 gives the stored state", async () => {
  // The chain made a real network: most nodes registered, scores spread (some nodes have no verdicts yet).
  expect(registered).toBeGreaterThan(900);
  const top = await leaderboard({});
  expect(top.totalCount).toBe(registered);
  const scores = top.edges.map((e: any) => e.node.reputation.score);
  expect(scores).toEqual([...scores].sort((a: number, b: number) => b - a));
  const rows = (await tdb.admin.query("SELECT id, rep_ref_time, rep_s, rep_n, rep_d FROM node")).rows;
  const byId = new Map<string, number>(
    rows.map((r) => [
      r.id,
      evaluate(stateFromRow({ ref_time: r.rep_ref_time, s: r.rep_s, n: r.rep_n, d: r.rep_d }), latestTime)
        .score,
    ]),
  );
  const all = [...byId.values()];
  expect(new Set(all).size).toBeGreaterThan(100);
  expect(scores[0]).toBe(Math.max(...all));
  for (const e of top.edges) expect(e.node.reputation.score).toBe(byId.get(e.node.id));
  // Filters: every node of a filtered page meets the filter.
  const filtered = await leaderboard({ where: { minScore: 500, enabled: true, provisional: false } });
  expect(filtered.edges.length).toBeGreaterThan(0);
  for (const e of filtered.edges) {
    expect(e.node.reputation.score).toBeGreaterThanOrEqual(500);
    expect(e.node.enabled).toBe(true);
    expect(e.node.reputation.provisional).toBe(false);
  }
});

test("walking the whole leaderboard visits every node once", async () => {
  const seen = new Set<string>();
  let after: string | null = null;
  let previous = Number.POSITIVE_INFINITY;
  for (;;) {
    const r: any = await api.gql(
      `query($after: String) { nodes(first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id reputation { score } } } } }`,
      { after },
    );
    for (const e of r.body.data.nodes.edges) {
      expect(seen.has(e.node.id)).toBe(false);
      seen.add(e.node.id);
      expect(e.node.reputation.score).toBeLessThanOrEqual(previous);
      previous = e.node.reputation.score;
    }
    if (!r.body.data.nodes.pageInfo.hasNextPage) break;
    after = r.body.data.nodes.pageInfo.endCursor;
  }
  expect(seen.size).toBe(registered);
});
