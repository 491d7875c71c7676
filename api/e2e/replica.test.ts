// biome-ignore-all lint/suspicious/noExplicitAny: the tests read untyped JSON answers
/**
 * Scale-out on a Postgres streaming replica (docs/deploy.md, "Replicas"): the indexer writes to a primary, a real
 * hot standby streams from it (built from the embedded Postgres binaries: streaming-replica.ts), and the API runs
 * as a process on the standby, next to one on the primary. While a live simulation is indexed:
 * - subscriptions on the standby's API announce every committed inference and tick indexerStatus up to the head
 *   (a standby refuses LISTEN: the API follows the replica's replayed indexer_state);
 * - a replica paused behind the height a client has seen makes the request wait, then answer 503 with its height,
 *   and answers as soon as replay resumes: no answer goes backwards;
 * then, caught up, queries and exports through the standby's API equal the primary's byte for byte.
 */

import { type ApiProcess, startApiProcess } from "@attestation-explorer/testkit/api-process";
import { simulate, startDevnetOnly } from "@attestation-explorer/testkit/chain";
import type { Devnet } from "@attestation-explorer/testkit/devnet";
import { chainHead, IndexerProcess } from "@attestation-explorer/testkit/indexer-process";
import { createClient } from "graphql-ws";
import { afterAll, beforeAll, expect, test } from "vitest";
import WebSocket from "ws";
import { startRoundRobin } from "./real/round-robin.ts";
import { type StreamingReplica, startStreamingReplica } from "./real/streaming-replica.ts";

const STEPS = 30;
const WAIT_MS = 1500;

let replica: StreamingReplica;
let devnet: Devnet;
let indexer: IndexerProcess;
let onStandby: ApiProcess;
let onPrimary: ApiProcess;

beforeAll(async () => {
  IndexerProcess.assertBuilt();
  [replica, devnet] = await Promise.all([startStreamingReplica(), startDevnetOnly(true)]);
  indexer = new IndexerProcess({
    rpcUrl: devnet.anvil.rpcUrl,
    addresses: devnet.deployment.addresses,
    startBlock: devnet.deployment.deploymentBlock,
    databaseUrl: replica.primary.url,
    finalityConfirmations: 3,
    headPollIntervalMs: 50,
  });
  await indexer.start();
  await indexer.waitForHeight((await chainHead(devnet.anvil.rpcUrl)).number, { timeoutMs: 60_000 });
  await replica.caughtUp();
  // As operators run them: the read-only role's URL of each server, the subscription source left to "auto".
  [onStandby, onPrimary] = await Promise.all([
    startApiProcess({ DATABASE_URL: replica.standby.readerUrl, MIN_HEIGHT_WAIT_MS: String(WAIT_MS) }),
    startApiProcess({ DATABASE_URL: replica.primary.readerUrl }),
  ]);
}, 240_000);

afterAll(async () => {
  await onStandby?.stop().catch(() => {});
  await onPrimary?.stop().catch(() => {});
  await indexer?.close().catch(() => {});
  await devnet?.anvil.stop().catch(() => {});
  await replica?.stop();
});

const STATUS = "{ indexerStatus { height } }";

async function post(api: ApiProcess, query: string, headers: Record<string, string> = {}) {
  const res = await fetch(api.url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query }),
  });
  return { status: res.status, height: res.headers.get("x-indexed-height"), body: (await res.json()) as any };
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test("on a streaming replica: subscriptions, answers that never go backwards, queries and exports", async () => {
  expect(onStandby.log).toContain("the database is a hot standby (no LISTEN there)");

  const client = createClient({
    url: onStandby.url.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
  });
  const inferences: any[] = [];
  const heights: number[] = [];
  const errors: unknown[] = [];
  const disposers = [
    client.subscribe(
      { query: "subscription { inferenceUpdated { id status node { id } } }" },
      { next: (v) => inferences.push(v), error: (e) => errors.push(e), complete: () => {} },
    ),
    client.subscribe(
      { query: "subscription { indexerStatus { height } }" },
      {
        next: (v: any) => heights.push(v.data.indexerStatus.height),
        error: (e) => errors.push(e),
        complete: () => {},
      },
    ),
  ];
  await new Promise((r) => setTimeout(r, 500));
  const startHeight = (await indexer.state())?.height ?? 0;
  const simulation = simulate(devnet, {
    seed: "api-replica",
    nodes: 5,
    rate: 6,
    blockTime: 1,
    maxSteps: STEPS,
  });

  // A replica that lags: replay paused while the indexer goes on writing to the primary.
  await indexer.waitForHeight(startHeight + 5, { timeoutMs: 60_000 });
  await replica.caughtUp();
  await replica.pauseReplay();
  const paused = await post(onStandby, STATUS);
  expect(paused.status).toBe(200);
  const replicaHeight = paused.body.data.indexerStatus.height;
  expect(paused.height).toBe(String(replicaHeight));
  const ahead = await indexer.waitForHeight(replicaHeight + 2, { timeoutMs: 60_000 });
  // The primary's API is ahead: a client that saw its height and then reaches the paused replica...
  const fromPrimary = await post(onPrimary, STATUS);
  const seen = Number(fromPrimary.height);
  expect(seen).toBeGreaterThanOrEqual(ahead.height);
  // ...waits, then gets a 503 saying the replica's height (never the older answer), and so does an export.
  const t0 = Date.now();
  const behind = await post(onStandby, STATUS, { "X-Min-Height": String(seen) });
  expect(Date.now() - t0).toBeGreaterThanOrEqual(WAIT_MS - 100);
  expect(behind.status).toBe(503);
  expect(behind.height).toBe(String(replicaHeight));
  expect(behind.body.errors[0].extensions.code).toBe("SERVICE_UNAVAILABLE");
  expect(behind.body.errors[0].message).toContain(`X-Min-Height: ${seen}`);
  expect(behind.body.errors[0].message).not.toMatch(/127\.0\.0\.1|postgres/i);
  const exportBehind = await fetch(`${onStandby.base}/export/slashes.csv`, {
    headers: { "X-Min-Height": String(seen) },
  });
  expect(exportBehind.status).toBe(503);
  await exportBehind.arrayBuffer();
  // The explorer's API client through a balancer that alternates between the two APIs: the paused replica's
  // answers would go back in time; the client's X-Min-Height turns them into 503s, which it retries.
  const balancer = await startRoundRobin([onPrimary.base, onStandby.base]);
  try {
    process.env.API_URL = `${balancer.base}/graphql`;
    const { gql } = await import("../../web/app/lib/graphql.server.ts");
    const shown: number[] = [];
    for (let i = 0; i < 5; i++) shown.push((await gql<any>(STATUS)).indexerStatus.height);
    for (let i = 1; i < shown.length; i++)
      expect(shown[i], shown.join(" ")).toBeGreaterThanOrEqual(shown[i - 1]);
    expect(Math.max(...shown)).toBeGreaterThan(replicaHeight);
    // The standby was asked, and said 503 rather than answer with its older height.
    const fromStandby = balancer.answered.get(onStandby.base) ?? [];
    expect(fromStandby.length).toBeGreaterThan(0);
    expect(fromStandby.filter((status) => status === 503).length).toBeGreaterThan(0);
    expect(fromStandby.filter((status) => status !== 503)).toEqual([]);
  } finally {
    await balancer.close();
  }

  // A height it has reached is answered at once; a malformed one is a 400 naming the header.
  expect((await post(onStandby, STATUS, { "X-Min-Height": String(replicaHeight) })).status).toBe(200);
  const bad = await post(onStandby, STATUS, { "X-Min-Height": "tip" });
  expect(bad.status).toBe(400);
  expect(bad.body.errors[0].message).toBe('Got X-Min-Height: "tip", expected a block number such as 1234');
  // Replay resumes while a request waits: it is answered at (at least) the height asked for.
  const waiting = post(onStandby, STATUS, { "X-Min-Height": String(seen) });
  await new Promise((r) => setTimeout(r, 300));
  await replica.resumeReplay();
  const resumed = await waiting;
  expect(resumed.status).toBe(200);
  expect(Number(resumed.height)).toBeGreaterThanOrEqual(seen);
  expect(resumed.body.data.indexerStatus.height).toBeGreaterThanOrEqual(seen);

  const { truth } = await simulation;
  const head = await indexer.waitForHeight(Math.max(...truth.map((l) => l.block)), { timeoutMs: 90_000 });
  await replica.caughtUp();
  await waitUntil("the standby's subscription to reach the head", async () => heights.at(-1) === head.height);
  await new Promise((r) => setTimeout(r, 500));
  for (const d of disposers) d();
  await client.dispose();

  // Subscriptions through the standby: every committed inference announced, heights rising to the head.
  expect(errors).toEqual([]);
  for (const e of inferences) expect(e.errors, JSON.stringify(e.errors)).toBeUndefined();
  const commits = truth.filter((l) => l.kind === "commit" && !l.reorged && l.block > startHeight);
  expect(commits.length).toBeGreaterThan(10);
  const announced = new Set(inferences.map((e) => e.data.inferenceUpdated.id));
  const missing = commits.map((l) => String(l.requestId).toLowerCase()).filter((id) => !announced.has(id));
  expect(missing, `${missing.length} of ${commits.length} commits never announced`).toEqual([]);
  for (let i = 1; i < heights.length; i++) expect(heights[i]).toBeGreaterThanOrEqual(heights[i - 1]);
  expect(heights.length).toBeGreaterThan(STEPS / 3);

  // Caught up, the standby's API answers exactly as the primary's: queries...
  const queries = [
    STATUS,
    "{ nodes(first: 100) { totalCount edges { node { id enabled stake pcrApproved counts { committed revealed verified failed expired slashes settlements } reputation { score } } } } }",
    "{ inferences(first: 200) { totalCount edges { node { id status committed { number } revealed { number } checks { commitment revealOnTime teeSignature pcrValid } } } } }",
    "{ networkStats { nodes enabledNodes inferences pending settlements discrepancies } }",
  ];
  for (const q of queries) {
    const [a, b] = await Promise.all([post(onStandby, q), post(onPrimary, q)]);
    expect(a.status, JSON.stringify(a.body.errors)).toBe(200);
    expect(a.body.errors).toBeUndefined();
    expect(a.body).toEqual(b.body);
    expect(a.height).toBe(String(head.height));
  }
  expect((await post(onStandby, queries[2])).body.data.inferences.totalCount).toBeGreaterThan(10);
  // ...exports...
  for (const file of ["inferences.csv", "nodes.ndjson", "slashes.csv"]) {
    const [a, b] = await Promise.all(
      [onStandby, onPrimary].map((api) =>
        fetch(`${api.base}/export/${file}`, { headers: { "X-Min-Height": String(head.height) } }),
      ),
    );
    expect(a.status).toBe(200);
    expect(a.headers.get("x-indexed-height")).toBe(String(head.height));
    expect(a.headers.get("x-as-of-block")).toBe(b.headers.get("x-as-of-block"));
    expect(await a.text()).toBe(await b.text());
  }
  // ...and /healthz, with its height in the header too.
  const health = await fetch(`${onStandby.base}/healthz`);
  expect(health.status).toBe(200);
  expect(health.headers.get("x-indexed-height")).toBe(String(head.height));
  expect(((await health.json()) as any).height).toBe(head.height);
});
