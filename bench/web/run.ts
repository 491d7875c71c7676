// `npm run bench -- web`: the explorer's server render time at the API bench's data size (10,000 nodes,
// 1,000,000 inferences; the same cached database, seeded through the indexer's own handler by bench/api/seed.ts).
// The explorer (`node web/server.mjs`, production build) reads the real API (rate limit off); each page is fetched
// whole (HTML, to the last byte) one request at a time after a warm-up: p50 / p95 / p99 of `/` and `/nodes/:id`
// (a different node each time). Target (issue: explorer): p95 < 150 ms.
//
// BENCH_WEB_REQUESTS sets the measured requests per page (default 200).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { freePort } from "@attestation-explorer/testkit/net";
import pg from "pg";
import { OPTIONS } from "../api/run.ts";
import { seededDatabase } from "../api/seed.ts";
import { startApi } from "../api/servers.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const REQUESTS = Number(process.env.BENCH_WEB_REQUESTS ?? 200);
const WARMUP = 20;

async function startWeb(apiUrl: string, port: number): Promise<{ url: string; stop(): Promise<void> }> {
  if (!existsSync(resolve(ROOT, "web/build/server/index.js"))) {
    const build = spawnSync("npm", ["run", "build", "-w", "web"], { cwd: ROOT, stdio: "inherit" });
    if (build.status !== 0) throw new Error("the explorer did not build");
  }
  const child: ChildProcess = spawn(process.execPath, ["web/server.mjs"], {
    cwd: ROOT,
    env: {
      ...process.env,
      WEB_PORT: String(port),
      API_URL: apiUrl,
      NODE_ENV: "production",
      LIVE_POLL_SECONDS: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the explorer exited (${child.exitCode}):\n${out}`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`the explorer did not answer within 30 s:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await exited;
    },
  };
}

interface Timing {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

async function timePage(base: string, paths: (i: number) => string, expect: RegExp): Promise<Timing> {
  const times: number[] = [];
  for (let i = 0; i < WARMUP + REQUESTS; i++) {
    const started = performance.now();
    const res = await fetch(`${base}${paths(i)}`);
    const html = await res.text();
    const elapsed = performance.now() - started;
    if (res.status !== 200 || !expect.test(html)) {
      throw new Error(`GET ${paths(i)}: HTTP ${res.status}, page without ${expect}`);
    }
    if (i >= WARMUP) times.push(elapsed);
  }
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))];
  return {
    p50: at(50),
    p95: at(95),
    p99: at(99),
    max: times[times.length - 1],
    mean: times.reduce((a, b) => a + b, 0) / times.length,
  };
}

export async function run(): Promise<void> {
  const seeded = await seededDatabase(OPTIONS, await freePort());
  const stops: (() => Promise<void>)[] = [];
  try {
    const c = new pg.Client({ connectionString: seeded.url });
    await c.connect();
    const nodeIds = (
      await c.query<{ id: string }>("SELECT id FROM node ORDER BY md5(id) LIMIT 500")
    ).rows.map((r) => r.id);
    await c.end();
    console.log(
      `database: ${seeded.summary.rows.node.toLocaleString("en-US")} nodes, ${seeded.summary.rows.inference.toLocaleString("en-US")} inferences`,
    );
    const api = await startApi(seeded.readerUrl, await freePort());
    stops.push(() => api.stop());
    const web = await startWeb(api.url, await freePort());
    stops.push(() => web.stop());
    const ms = (x: number) => `${x.toFixed(1)} ms`;
    let worst = 0;
    for (const [name, path, expect] of [
      ["/", () => "/", /Network dashboard/],
      ["/nodes/:id", (i: number) => `/nodes/${nodeIds[i % nodeIds.length]}`, /Why this score/],
      ["/nodes", () => "/nodes", /Node leaderboard/],
    ] as const) {
      const t = await timePage(web.url, path, expect);
      if (name !== "/nodes") worst = Math.max(worst, t.p95);
      console.log(
        `  ${name}: p50 ${ms(t.p50)}, p95 ${ms(t.p95)}, p99 ${ms(t.p99)}, max ${ms(t.max)}, mean ${ms(t.mean)} (${REQUESTS} requests, one at a time)`,
      );
    }
    console.log(`p95 < 150 ms for / and /nodes/:id: ${worst < 150 ? "met" : "MISSED"} (worst ${ms(worst)})`);
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    await seeded.stop();
  }
}
