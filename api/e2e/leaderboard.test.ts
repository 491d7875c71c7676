// biome-ignore-all lint/suspicious/noExplicitAny: the tests read untyped JSON answers

import { evaluate, stateFromRow } from "@attestation-explorer/rep-v1";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startTestApi, type TestApi } from "../src/testing/api-client.ts";
import { HEIGHT, T0 } from "../src/testing/network.ts";
import { openTestDatabase, type TestDatabase, testConfig } from "../src/testing/test-db.ts";

// The leaderboard at 10,000 nodes: scores are computed in SQL from each node's stored rep-v1 state at the
// latest block's time, ordered and paged with a keyset. Prints the measured latency.

const NODES = 10_000;
let tdb: TestDatabase;
let api: TestApi;

beforeAll(async () => {
  tdb = await openTestDatabase();
  // Deterministic pseudo-random states: N up to ~2000 samples, success rates 50..100 %, some slashes, refs up to
  // 30 days old.
  await tdb.admin.query(
    `INSERT INTO node (id, owner, enabled, tee_type, pcr_hash, key_source, key_status, stake, pending_withdrawals, total_slashed,
        committed, revealed, verified, failed, expired, challenged, disputes_lost, slashes, settlements,
        settlement_signature_failures, discrepancies, rep_ref_time, rep_s, rep_n, rep_d, first_seen_block,
        registered_block, registered_block_hash, registered_at, registered_tx, registered_log_index)
     SELECT '0x' || lpad(to_hex(g), 64, '0'), '0x' || lpad(to_hex(g % 97), 40, '0'), g % 10 <> 0, 1 + g % 2,
            '0x' || lpad(to_hex(g % 3), 64, '0'), 'CALLDATA', 'VALID', (g * 1000000007::numeric) % 1000000000000000000000, 0, 0,
            g % 500, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            $1::int - (g * 7919) % 2592000,
            n * (0.5 + 0.5 * ((g * 31) % 1000) / 1000.0), n, CASE WHEN g % 7 = 0 THEN (g % 5) * 0.7 ELSE 0 END, 1,
            g % ${HEIGHT}, '0x' || lpad(to_hex(g), 64, '0'), to_timestamp($1::int - g), '0x' || lpad(to_hex(g), 64, '0'), 0
       FROM (SELECT g, ((g * 104729) % 2000)::numeric + CASE WHEN g % 11 = 0 THEN 0.37 ELSE 0 END AS n
               FROM generate_series(1, ${NODES}) g) x`,
    [T0],
  );
  await tdb.admin.query(
    `INSERT INTO indexer_state (id, height, hash, timestamp, chain_height, finalized_height, reorged_blocks, updated_at)
     VALUES ('indexer', $1, '0x00', to_timestamp($2), $1, $1 - 10, 0, now())`,
    [HEIGHT, T0],
  );
  await tdb.admin.query("ANALYZE node");
  api = await startTestApi(testConfig(), tdb.db, { connectionString: tdb.readerUrl });
});
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

async function timed(variables: Record<string, unknown>) {
  const started = performance.now();
  const r = await api.gql<any>(LEADERBOARD, variables);
  const ms = performance.now() - started;
  expect(r.body.errors).toBeUndefined();
  return { ms, data: r.body.data.nodes };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

test(`the leaderboard of ${NODES} nodes answers fast and in score order`, async () => {
  for (let i = 0; i < 3; i++) await timed({}); // warm up
  const first: number[] = [];
  const deep: number[] = [];
  const filtered: number[] = [];
  let page = await timed({});
  for (let i = 0; i < 15; i++) first.push((await timed({})).ms);
  for (let i = 0; i < 10; i++) {
    const next = await timed({ after: page.data.pageInfo.endCursor });
    deep.push(next.ms);
    page = next;
  }
  for (let i = 0; i < 10; i++)
    filtered.push((await timed({ where: { minScore: 500, enabled: true, provisional: false } })).ms);
  const figures = { firstPageMs: median(first), nextPagesMs: median(deep), filteredMs: median(filtered) };
  console.log(`leaderboard at ${NODES} nodes (median over runs, ms): ${JSON.stringify(figures)}`);
  expect(figures.firstPageMs).toBeLessThan(1000);
  expect(figures.nextPagesMs).toBeLessThan(1000);

  // Order and scores agree with the library.
  const top = (await timed({})).data;
  expect(top.totalCount).toBe(NODES);
  const scores = top.edges.map((e: any) => e.node.reputation.score);
  expect(scores).toEqual([...scores].sort((a: number, b: number) => b - a));
  const rows = (await tdb.admin.query("SELECT id, rep_ref_time, rep_s, rep_n, rep_d FROM node")).rows;
  const best = Math.max(
    ...rows.map(
      (r) =>
        evaluate(stateFromRow({ ref_time: r.rep_ref_time, s: r.rep_s, n: r.rep_n, d: r.rep_d }), T0).score,
    ),
  );
  expect(scores[0]).toBe(best);
});

test("walking the whole leaderboard visits every node once", async () => {
  const seen = new Set<string>();
  let after: string | null = null;
  let previous = Number.POSITIVE_INFINITY;
  for (;;) {
    const r: any = await api.gql(
      `query($after: String) { nodes(first: 1000, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id reputation { score } } } } }`,
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
  expect(seen.size).toBe(NODES);
});
