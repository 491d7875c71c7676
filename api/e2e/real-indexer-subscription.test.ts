// biome-ignore-all lint/suspicious/noExplicitAny: the tests read untyped JSON answers
/**
 * Subscriptions end to end: a live simulator (a block a second, wall-clock time) on a devnet, the compiled indexer
 * following the head, the API as a process. A graphql-ws client (graphql-transport-ws) subscribes to
 * inferenceUpdated, slashed and indexerStatus; the test LISTENs on the indexer's channel (explorer_indexed, sent
 * inside the indexer's transaction, so delivered at its commit) and measures, for every inference event, the time
 * from the indexer's commit of the block that changed it to the message's arrival.
 */
import { createClient } from "graphql-ws";
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import WebSocket from "ws";
import { type LiveStack, startLiveStack } from "./real/stack.ts";

const STEPS = 25;
const LATENCY_LIMIT_MS = 1000;

let s: LiveStack;
let listener: pg.Client;
/** Arrival (performance.now) of the first NOTIFY at or above each height. */
const notified: { height: number; at: number }[] = [];

beforeAll(async () => {
  s = await startLiveStack({ seed: "api-subscriptions", nodes: 5, rate: 6, blockTime: 1, maxSteps: STEPS });
  listener = new pg.Client({ connectionString: s.database.url });
  listener.on("error", () => {});
  await listener.connect();
  listener.on("notification", (n) => {
    if (n.channel !== "explorer_indexed" || !n.payload) return;
    notified.push({ height: JSON.parse(n.payload).height, at: performance.now() });
  });
  await listener.query("LISTEN explorer_indexed");
}, 180_000);
afterAll(async () => {
  await listener?.end().catch(() => {});
  await s?.close();
});

const commitOf = (block: number) => notified.find((n) => n.height >= block);
const pct = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

test("inferenceUpdated, slashed and indexerStatus arrive within 1 s of the indexer's commit", async () => {
  const client = createClient({
    url: s.api.url.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
  });
  const inferenceEvents: { at: number; value: any }[] = [];
  const slashEvents: { at: number; value: any }[] = [];
  const statusEvents: { at: number; value: any }[] = [];
  const errors: unknown[] = [];
  const sub = (query: string, into: { at: number; value: any }[]) =>
    client.subscribe(
      { query },
      {
        next: (v) => into.push({ at: performance.now(), value: v }),
        error: (e) => errors.push(e),
        complete: () => {},
      },
    );
  const disposers = [
    sub(
      `subscription { inferenceUpdated { id status node { id } committed { number } revealed { number } settled { number } } }`,
      inferenceEvents,
    ),
    sub("subscription { slashed { id node { id } block { number } } }", slashEvents),
    sub("subscription { indexerStatus { height finalizedHeight chainHeight } }", statusEvents),
  ];
  // Let the subscriptions register before the first block.
  await new Promise((r) => setTimeout(r, 500));
  const startHeight = (await s.indexer.state())?.height ?? 0;
  const { truth } = await s.startSimulation();
  const head = await s.indexer.waitForHeight(Math.max(...truth.map((l) => l.block)), { timeoutMs: 60_000 });
  await new Promise((r) => setTimeout(r, 1500));
  for (const d of disposers) d();
  await client.dispose();
  expect(errors).toEqual([]);

  // Every inference the simulator committed was announced (at least its commit), with data errors none.
  for (const e of inferenceEvents) expect(e.value.errors, JSON.stringify(e.value.errors)).toBeUndefined();
  const commits = truth.filter((l) => l.kind === "commit" && !l.reorged && l.block > startHeight);
  expect(commits.length).toBeGreaterThan(10);
  const announced = new Set(inferenceEvents.map((e) => e.value.data.inferenceUpdated.id));
  const missing = commits.map((l) => String(l.requestId).toLowerCase()).filter((id) => !announced.has(id));
  expect(missing, `${missing.length} of ${commits.length} commits never announced`).toEqual([]);

  // Latency: message arrival - the NOTIFY (indexer commit) of the block that changed the inference.
  const latencies: number[] = [];
  const late: string[] = [];
  for (const e of inferenceEvents) {
    const inf = e.value.data.inferenceUpdated;
    const block = Math.max(inf.committed.number, inf.revealed?.number ?? 0, inf.settled?.number ?? 0);
    const commit = commitOf(block);
    if (!commit) {
      late.push(`${inf.id} (block ${block}): no NOTIFY seen for it`);
      continue;
    }
    const ms = e.at - commit.at;
    latencies.push(ms);
    if (ms > LATENCY_LIMIT_MS) late.push(`${inf.id} ${inf.status} block ${block}: ${Math.round(ms)} ms`);
  }
  const statuses = new Map<string, number>();
  for (const e of inferenceEvents) {
    const st = e.value.data.inferenceUpdated.status;
    statuses.set(st, (statuses.get(st) ?? 0) + 1);
  }
  const slashLatencies = slashEvents.map(
    (e) => e.at - (commitOf(e.value.data.slashed.block.number)?.at ?? Number.NaN),
  );
  const statusLatencies = statusEvents.map(
    (e) => e.at - (commitOf(e.value.data.indexerStatus.height)?.at ?? Number.NaN),
  );
  const fmt = (xs: number[]) =>
    xs.length
      ? `n=${xs.length} min ${pct(xs, 0).toFixed(1)} p50 ${pct(xs, 50).toFixed(1)} p90 ${pct(xs, 90).toFixed(1)} p99 ${pct(xs, 99).toFixed(1)} max ${Math.max(...xs).toFixed(1)} ms`
      : "n=0";
  console.log(
    `subscriptions: blocks ${startHeight + 1}..${head.height}, ${notified.length} NOTIFYs; inferenceUpdated ${inferenceEvents.length} events ${JSON.stringify(Object.fromEntries(statuses))}: ${fmt(latencies)}; slashed: ${fmt(slashLatencies)}; indexerStatus: ${fmt(statusLatencies)}`,
  );
  expect(late).toEqual([]);
  expect(latencies.length).toBeGreaterThan(10);

  // slashed: one event per slash the indexer stored above the starting height, none else.
  const { rows } = await s.pool.query<{ id: string }>("SELECT id FROM slash WHERE block > $1", [startHeight]);
  expect(slashEvents.map((e) => e.value.data.slashed.id).sort()).toEqual(rows.map((r) => r.id).sort());
  for (const x of slashLatencies) expect(x).toBeLessThan(LATENCY_LIMIT_MS);

  // indexerStatus ticks with the indexer: increasing heights, up to the head.
  const heights = statusEvents.map((e) => e.value.data.indexerStatus.height);
  expect(heights.length).toBeGreaterThanOrEqual(Math.min(STEPS, head.height - startHeight) / 2);
  for (let i = 1; i < heights.length; i++) expect(heights[i]).toBeGreaterThanOrEqual(heights[i - 1]);
  expect(heights[heights.length - 1]).toBe(head.height);
  for (const e of statusEvents)
    expect(e.value.data.indexerStatus.finalizedHeight).toBe(
      e.value.data.indexerStatus.chainHeight - s.finality,
    );
  for (const x of statusLatencies) expect(x).toBeLessThan(LATENCY_LIMIT_MS);
});
