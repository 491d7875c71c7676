// `npm run bench -- api`: the API at 10,000 nodes and 1,000,000 inferences.
//
// 1. A database seeded through the indexer's own handler from a synthetic chain (seed.ts; cached under
//    .data/bench-api, so later runs start at step 2).
// 2. The API (rate limit off), freshly started: the inference exports (CSV and NDJSON, every row) streamed to
//    the end, rows/s and the process's RSS while streaming (sampled from /proc).
// 3. The same process under a closed-loop load of BENCH_API_CONCURRENCY (8) requests in flight: the
//    leaderboard, node pages and inference lists, 15 s each after a 3 s warm-up: p50/p99 latency and requests/s;
//    once as clients ask (answers may come from the API's response cache), once with `Cache-Control: no-cache`
//    (every answer computed).
// 4. Subsquid's OpenReader on the same database with the nearest equivalent queries (queries.ts), the same way.
// Targets (issue: API): p99 < 25 ms, at least 2x OpenReader's requests/s, exports >= 100,000 rows/s under 200 MB.
//
// BENCH_API_NODES / BENCH_API_INFERENCES change the scale, BENCH_API_SECONDS the measuring time per workload.
import { readFileSync } from "node:fs";
import { get } from "node:http";
import pg from "pg";
import { freePort } from "../../devnet/e2e/support.ts";
import type { ChainOptions } from "./chain.ts";
import { graphqlCheck, type LoadResult, runLoad } from "./load.ts";
import { type Sample, workloads } from "./queries.ts";
import { seededDatabase } from "./seed.ts";
import { type ServerProcess, startApi, startOpenReader } from "./servers.ts";

const env = process.env;
export const OPTIONS: ChainOptions = {
  seed: "bench-api",
  nodes: Number(env.BENCH_API_NODES ?? 10_000),
  inferences: Number(env.BENCH_API_INFERENCES ?? 1_000_000),
  perBlock: 500,
  blockSeconds: 600,
  startTime: Date.parse("2026-11-12T00:00:00Z") / 1000,
};
const CONCURRENCY = Number(env.BENCH_API_CONCURRENCY ?? 8);
const WARMUP_MS = 3_000;
const MEASURE_MS = Number(env.BENCH_API_SECONDS ?? 15) * 1000;

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const ms = (x: number) => x.toFixed(1);
const int = (x: number) => Math.round(x).toLocaleString("en-US");

async function sampleOf(url: string): Promise<Sample> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const nodes = await c.query<{ id: string }>("SELECT id FROM node ORDER BY md5(id) LIMIT 200");
    const model = await c.query<{ id: string }>("SELECT id FROM model ORDER BY inferences DESC, id LIMIT 1");
    return { nodeIds: nodes.rows.map((r) => r.id), busyModelId: model.rows[0].id };
  } finally {
    await c.end();
  }
}

interface ExportResult {
  rows: number;
  bytes: number;
  seconds: number;
  rowsPerSecond: number;
  /** Highest VmRSS sampled while it streamed. */
  peakRss: number;
}

/** Streams one export to the end, counting its lines, while sampling the server's memory every 50 ms. */
function streamExport(server: ServerProcess, path: string, headerLines: number): Promise<ExportResult> {
  const url = server.url.replace(/\/graphql$/, path);
  return new Promise((resolve, reject) => {
    let peakRss = server.memory().rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, server.memory().rss);
    }, 50);
    const started = performance.now();
    let lines = 0;
    let bytes = 0;
    get(url, (res) => {
      if (res.statusCode !== 200) {
        clearInterval(sampler);
        reject(new Error(`GET ${path}: HTTP ${res.statusCode}`));
        res.resume();
        return;
      }
      res.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
      });
      res.on("end", () => {
        clearInterval(sampler);
        const seconds = (performance.now() - started) / 1000;
        const rows = lines - headerLines;
        resolve({ rows, bytes, seconds, rowsPerSecond: rows / seconds, peakRss });
      });
      res.on("error", reject);
    }).on("error", (err) => {
      clearInterval(sampler);
      reject(err);
    });
  });
}

async function measure(
  server: ServerProcess,
  which: "ours" | "openReader",
  sample: Sample,
  label: string,
  headers: Record<string, string> = {},
): Promise<Map<string, LoadResult>> {
  const results = new Map<string, LoadResult>();
  for (const w of workloads(sample)) {
    const r = await runLoad({
      url: server.url,
      concurrency: CONCURRENCY,
      warmupMs: WARMUP_MS,
      durationMs: MEASURE_MS,
      body: w[which],
      check: graphqlCheck,
      headers,
    });
    if (r.errors > 0)
      throw new Error(`${label} ${w.name}: ${r.errors} failed requests, first: ${r.firstError}`);
    console.log(
      `  ${label} ${w.name}: ${int(r.requestsPerSecond)} req/s, p50 ${ms(r.p50)} ms, p90 ${ms(r.p90)} ms, p99 ${ms(r.p99)} ms, max ${ms(r.max)} ms (${r.requests} requests)`,
    );
    results.set(w.name, r);
  }
  return results;
}

const load = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

export async function run(): Promise<void> {
  const seeded = await seededDatabase(OPTIONS, await freePort());
  const servers: ServerProcess[] = [];
  try {
    const sample = await sampleOf(seeded.url);
    const rows = seeded.summary.rows;
    console.log(
      `database: ${int(rows.node)} nodes, ${int(rows.inference)} inferences, ${int(rows.settlement)} settlements, ${int(rows.slash)} slashes (${int(seeded.summary.events)} events in ${int(seeded.summary.blocks)} blocks, seeded in ${seeded.summary.seconds.toFixed(0)} s)`,
    );
    console.log(
      `load: ${CONCURRENCY} requests in flight, ${MEASURE_MS / 1000} s per workload after a ${WARMUP_MS / 1000} s warm-up`,
    );
    console.log(`load average before: ${load()}`);

    const api = await startApi(seeded.readerUrl, await freePort());
    servers.push(api);
    console.log(`  API started: RSS ${mb(api.memory().rss)}`);
    const csv = await streamExport(api, "/export/inferences.csv", 1);
    const ndjson = await streamExport(api, "/export/inferences.ndjson", 0);
    for (const [name, e] of [
      ["inferences.csv", csv],
      ["inferences.ndjson", ndjson],
    ] as const) {
      if (e.rows !== rows.inference)
        throw new Error(`${name} had ${e.rows} rows, expected ${rows.inference}`);
      console.log(
        `  API export ${name}: ${int(e.rows)} rows (${mb(e.bytes)}) in ${e.seconds.toFixed(1)} s = ${int(e.rowsPerSecond)} rows/s, API RSS peak while streaming ${mb(e.peakRss)}`,
      );
    }
    const cached = await measure(api, "ours", sample, "API");
    const uncached = await measure(api, "ours", sample, "API no-cache", { "cache-control": "no-cache" });
    console.log(
      `  API process: RSS now ${mb(api.memory().rss)}, peak since start (VmHWM) ${mb(api.memory().hwm)}`,
    );
    await api.stop();

    const openReader = await startOpenReader(seeded.readerUrl, await freePort());
    servers.push(openReader);
    const theirs = await measure(openReader, "openReader", sample, "OpenReader");
    console.log(`  OpenReader process: peak RSS (VmHWM) ${mb(openReader.memory().hwm)}`);
    await openReader.stop();
    console.log(`load average after: ${load()}`);

    console.log("");
    console.log(
      "| workload | API p50 / p99 | API req/s | API no-cache p50 / p99 | API no-cache req/s | OpenReader p50 / p99 | OpenReader req/s | ratio | ratio no-cache |",
    );
    console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    const worst = {
      p99: 0,
      ratio: Number.POSITIVE_INFINITY,
      p99NoCache: 0,
      ratioNoCache: Number.POSITIVE_INFINITY,
    };
    for (const [name, o] of cached) {
      const u = uncached.get(name) as LoadResult;
      const t = theirs.get(name) as LoadResult;
      const ratio = o.requestsPerSecond / t.requestsPerSecond;
      const ratioNoCache = u.requestsPerSecond / t.requestsPerSecond;
      worst.p99 = Math.max(worst.p99, o.p99);
      worst.ratio = Math.min(worst.ratio, ratio);
      worst.p99NoCache = Math.max(worst.p99NoCache, u.p99);
      worst.ratioNoCache = Math.min(worst.ratioNoCache, ratioNoCache);
      console.log(
        `| ${name} | ${ms(o.p50)} / ${ms(o.p99)} ms | ${int(o.requestsPerSecond)} | ${ms(u.p50)} / ${ms(u.p99)} ms | ${int(u.requestsPerSecond)} | ${ms(t.p50)} / ${ms(t.p99)} ms | ${int(t.requestsPerSecond)} | ${ratio.toFixed(2)}x | ${ratioNoCache.toFixed(2)}x |`,
      );
    }
    const slowestExport = Math.min(csv.rowsPerSecond, ndjson.rowsPerSecond);
    const exportRss = Math.max(csv.peakRss, ndjson.peakRss);
    const verdict = (ok: boolean) => (ok ? "met" : "MISSED");
    console.log("");
    console.log(
      `p99 < 25 ms: ${verdict(worst.p99 < 25)} (worst ${ms(worst.p99)} ms; every answer computed: ${ms(worst.p99NoCache)} ms, ${verdict(worst.p99NoCache < 25)})`,
    );
    console.log(
      `>= 2x OpenReader's requests/s: ${verdict(worst.ratio >= 2)} (lowest ${worst.ratio.toFixed(2)}x; every answer computed: ${worst.ratioNoCache.toFixed(2)}x, ${verdict(worst.ratioNoCache >= 2)})`,
    );
    console.log(
      `exports >= 100,000 rows/s under 200 MB RSS: ${verdict(slowestExport >= 100_000 && exportRss < 200 * 1024 * 1024)} (slowest ${int(slowestExport)} rows/s, peak RSS ${mb(exportRss)})`,
    );
  } finally {
    for (const s of servers) await s.stop().catch(() => {});
    await seeded.stop();
  }
}
