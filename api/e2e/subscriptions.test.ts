// biome-ignore-all lint/suspicious/noExplicitAny: the tests read untyped JSON answers
import { type Client, createClient } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import WebSocket from "ws";
import type { Action } from "../../devnet/src/simulator/policy/actions.ts";
import { startTestApi, type TestApi } from "../src/testing/api-client.ts";
import {
  HEIGHT,
  hex,
  inferenceId,
  modelId,
  NEVER_REVEALED,
  nodeId,
  timeOf,
  WORLD,
} from "../src/testing/network.ts";
import { type NetworkHead, seedNetworkAtHead } from "../src/testing/seed-through-handler.ts";
import { openTestDatabase, type TestDatabase, testConfig } from "../src/testing/test-db.ts";

// Subscriptions over graphql-transport-ws, driven by the indexer's NOTIFY explorer_indexed after each commit.
// The indexer's own handler follows the fixture network's head, one block at a time, and notifies.

let tdb: TestDatabase;
let api: TestApi;
let client: Client;
let head: NetworkHead;
let stakes: bigint[];

beforeAll(async () => {
  tdb = await openTestDatabase();
  head = await seedNetworkAtHead(tdb.adminUrl);
  stakes = [...head.fixture.stakes];
  api = await startTestApi(testConfig({ maxDepth: 6 }), tdb.db, { connectionString: tdb.readerUrl });
  await api.server.listener.idle(); // it has read the indexer's starting position
  client = createClient({
    url: api.url.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
  });
});
afterAll(async () => {
  await client?.dispose();
  await api?.close();
  await head?.close();
  await tdb?.close();
});

/** Collects a subscription's events; `next(n)` waits for the n-th. */
function collect<T = any>(query: string, variables?: Record<string, unknown>) {
  const events: { at: number; value: T }[] = [];
  const errors: unknown[] = [];
  const waiters: (() => void)[] = [];
  const dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (value) => {
        events.push({ at: performance.now(), value: value as T });
        for (const w of waiters.splice(0)) w();
      },
      error: (err) => {
        errors.push(err);
        for (const w of waiters.splice(0)) w();
      },
      complete: () => {},
    },
  );
  return {
    events,
    errors,
    dispose,
    async next(n: number, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      while (events.length < n && errors.length === 0) {
        if (Date.now() > deadline)
          throw new Error(`only ${events.length} of ${n} events after ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
      return events[n - 1];
    },
  };
}

let nextInference = 10_000;

/**
 * One block at the head, indexed by the indexer's handler (which notifies when it commits): an inference of
 * `node` on model 0, with a 7-wei INVALID_PROOF slash of it if asked; on another branch (replacing the block of
 * that height) if asked.
 */
async function indexerBatch(
  height: number,
  node: number,
  options: { slash?: boolean; branch?: string } = {},
) {
  const id = inferenceId(nextInference++);
  const n = WORLD.nodes[node];
  const actions: Action[] = [
    {
      kind: "commit",
      requestId: id,
      node: n,
      model: WORLD.models[0],
      inputHash: hex("11", nextInference),
      commitment: hex("44", nextInference),
      revealDeadline: timeOf(height) + 3600,
      plan: NEVER_REVEALED,
    },
  ];
  if (options.slash) {
    stakes[node] -= 7n;
    actions.push({
      kind: "slash",
      node: n,
      requestId: id,
      slash: { reason: "INVALID_PROOF", amount: 7n, taken: 7n, remaining: stakes[node] },
    });
  }
  await head.indexBlock(height, actions, options.branch);
  return { id, committedAt: performance.now() };
}

describe("subscriptions", () => {
  test("inferenceUpdated, slashed and indexerStatus arrive within a second of the indexer's commit", async () => {
    const mine = collect(
      `subscription($node: Bytes) { inferenceUpdated(node: $node) { id status node { id } model { id } committed { number finalized } } }`,
      {
        node: nodeId(1).toUpperCase().replace("0X", "0x"),
      },
    );
    const all = collect(`subscription { inferenceUpdated { id node { id } } }`);
    const slashes = collect(`subscription { slashed { id reason amount node { id } inference { id } } }`);
    const status = collect(`subscription { indexerStatus { height lagBlocks reorgedBlocks } }`);
    await new Promise((r) => setTimeout(r, 200)); // the subscriptions are registered

    const other = await indexerBatch(HEIGHT + 1, 2);
    const { id, committedAt } = await indexerBatch(HEIGHT + 2, 1, { slash: true });

    const event = await mine.next(1);
    expect(event.value.data.inferenceUpdated).toEqual({
      id,
      status: "COMMITTED",
      node: { id: nodeId(1) },
      model: { id: modelId(0) },
      committed: { number: HEIGHT + 2, finalized: false },
    });
    expect(event.at - committedAt).toBeLessThan(1000);
    // The node filter kept the other node's inference out; the unfiltered subscription has both.
    await all.next(2);
    expect(all.events.map((e) => e.value.data.inferenceUpdated.id)).toEqual([other.id, id]);
    expect(mine.events).toHaveLength(1);

    const slash = await slashes.next(1);
    expect(slash.value.data.slashed).toMatchObject({
      reason: "INVALID_PROOF",
      amount: "7",
      node: { id: nodeId(1) },
      inference: { id },
    });
    expect(slash.at - committedAt).toBeLessThan(1000);

    const heights = (await status.next(2)).value.data.indexerStatus;
    expect(heights).toEqual({ height: HEIGHT + 2, lagBlocks: 3, reorgedBlocks: 3 });
    for (const s of [mine, all, slashes, status]) s.dispose();
  });

  test("after a reorg, rows re-indexed on the new branch are published again", async () => {
    const all = collect(`subscription { inferenceUpdated { id committed { number } } }`);
    const status = collect(`subscription { indexerStatus { height reorgedBlocks } }`);
    await new Promise((r) => setTimeout(r, 200));
    // Block HEIGHT + 2 is replaced: the indexer rolls it back and indexes the new branch's, at the same height.
    const replaced = await indexerBatch(HEIGHT + 2, 3, { branch: hex("0f", HEIGHT + 2) });
    const event = await all.next(1);
    expect(event.value.data.inferenceUpdated).toEqual({ id: replaced.id, committed: { number: HEIGHT + 2 } });
    expect((await status.next(1)).value.data.indexerStatus).toEqual({ height: HEIGHT + 2, reorgedBlocks: 4 });
    all.dispose();
    status.dispose();
  });

  test("a bad filter is an error naming the argument; limits apply over WebSocket too", async () => {
    const bad = collect(`subscription { inferenceUpdated(node: "0x12") { id } }`);
    await bad.next(1).catch(() => {});
    const badMessage = JSON.stringify(bad.errors.length ? bad.errors : bad.events.map((e) => e.value));
    expect(badMessage).toContain('Got node=\\"0x12\\", expected 32 bytes of hex');
    const deep = collect(
      `subscription { inferenceUpdated { node { inferences { edges { node { model { id } } } } } } }`,
    );
    await deep.next(1).catch(() => {});
    expect(JSON.stringify(deep.errors)).toContain("Got a query of depth 7, expected at most 6");
    const unknown = collect(`subscription { nope }`);
    await unknown.next(1).catch(() => {});
    expect(JSON.stringify(unknown.errors)).toContain("GRAPHQL_VALIDATION_FAILED");
  });

  test("queries work over WebSocket too; a subscription over HTTP is refused without a 5xx", async () => {
    const q = collect(`{ indexerStatus { height } }`);
    expect((await q.next(1)).value.data.indexerStatus.height).toBe(HEIGHT + 2);
    const r = await api.gql(`subscription { indexerStatus { height } }`);
    expect(r.status).toBeLessThan(500);
    expect(r.body.errors?.[0]).toBeDefined();
  });

  test("the listener reconnects after losing its connection and catches up", async () => {
    const all = collect(`subscription { inferenceUpdated { id } }`);
    await new Promise((r) => setTimeout(r, 200));
    await tdb.admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'explorer-api-listen' AND datname = current_database()",
    );
    await new Promise((r) => setTimeout(r, 300));
    // A batch committed while the listener is away is published once it is back.
    const missed = await indexerBatch(HEIGHT + 3, 4);
    const event = await all.next(1, 5000);
    expect(event.value.data.inferenceUpdated.id).toBe(missed.id);
    all.dispose();
  });
});
