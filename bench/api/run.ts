// `npm run bench -- api`: the API at 10,000 nodes and 1,000,000 inferences.
//
// 1. A database seeded through the indexer's own handler from a synthetic chain (seed.ts; cached under
//    .data/bench-api, so later runs start at step 2).
// 2. The API (rate limit off), freshly started: the inference export (CSV, NDJSON and Parquet, every row) and
//    reputation history (every node, DAY buckets over 30 days; CSV and Parquet) streamed to the end, rows/s and
//    the process's RSS while streaming (sampled from /proc; rows of a Parquet file from its footer).
// 3. The same process under a closed-loop load of BENCH_API_CONCURRENCY (8) requests in flight: the
//    leaderboard, node pages and inference lists, 15 s each after a 3 s warm-up: p50/p99 latency and requests/s;
//    once as clients ask (answers may come from the API's response cache), once with `Cache-Control: no-cache`
//    (every answer computed).
// 4. Subsquid's OpenReader on the same database with the nearest equivalent queries (queries.ts), the same way.
// Targets (issue: API): p99 < 25 ms, at least 2x OpenReader's requests/s, exports >= 100,000 rows/s under 200 MB.
//
// BENCH_API_NODES / BENCH_API_INFERENCES change the scale, BENCH_API_SECONDS the measuring time per workload.
// BENCH_API_PARTS picks steps (comma-separated, default all): exports, load, no-cache, openreader; `seed` alone
// only seeds (or brings the seeded database up to date); `serve` keeps the seeded database running (its URL
// printed) until Ctrl-C, for compare.ts or EXPLAIN. BENCH_API_WORKLOADS picks workloads by name
// (leaderboard, node page, inference list), BENCH_API_EXPORTS exports (inferences.csv, inferences.ndjson,
// inferences.parquet, reputation-history.csv, reputation-history.parquet).
import { readFileSync } from "node:fs";
import { get } from "node:http";
import { availableParallelism } from "node:os";
import { freePort } from "@attestation-explorer/testkit/net";
import { parquetMetadata } from "hyparquet";
import pg from "pg";
import { cpuSecondsSince } from "../../indexer/src/progress.ts";
import { postmasterPid, treeCpuSeconds } from "../proc-cpu.ts";
import type { ChainOptions } from "./chain.ts";
import { computeCheckpoints } from "./checkpoints.ts";
import { graphqlCheck, type LoadResult, runLoad } from "./load.ts";
import { type Sample, type Workload, workloads } from "./queries.ts";
import { seededDatabase } from "./seed.ts";
import { type ServerProcess, startApi, startOpenReader } from "./servers.ts";

const env = process.env;
/** The cores this machine's processes share: what the CPU-bound ceilings divide by. */
const cores = availableParallelism();

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
const ALL_PARTS = ["exports", "load", "no-cache", "openreader"] as const;
type Part = (typeof ALL_PARTS)[number];
const WORKLOAD_NAMES = ["leaderboard", "node page", "inference list"];
const EXPORT_NAMES = [
  "inferences.csv",
  "inferences.ndjson",
  "inferences.parquet",
  "reputation-history.csv",
  "reputation-history.parquet",
];

function listOption<T extends string>(name: string, allowed: readonly T[], extra: string[] = []): T[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return [...allowed];
  const picked = raw.split(",").map((p) => p.trim());
  const unknown = picked.filter((p) => !allowed.includes(p as T) && !extra.includes(p));
  if (unknown.length > 0)
    throw new Error(
      `${name}: unknown ${unknown.join(", ")}, expected some of: ${[...allowed, ...extra].join(", ")}`,
    );
  return picked as T[];
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const ms = (x: number) => x.toFixed(1);
const int = (x: number) => Math.round(x).toLocaleString("en-US");

async function latestBlockTime(url: string): Promise<Date> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ timestamp: Date }>(
      "SELECT timestamp FROM indexer_state WHERE id = 'indexer'",
    );
    return rows[0].timestamp;
  } finally {
    await c.end();
  }
}

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
  name: string;
  rows: number;
  bytes: number;
  seconds: number;
  rowsPerSecond: number;
  /** Highest VmRSS sampled while it streamed. */
  peakRss: number;
  /** CPU seconds the server process used per 100,000 rows (load-independent, unlike rows/s). */
  cpuPer100k: number;
  /** Postgres's CPU seconds (every process of the server) per 100,000 rows, and this process's (reading them). */
  postgresCpuPer100k: number;
  readerCpuPer100k: number;
}

/** Counts an export's rows from the bytes as they arrive. */
interface RowCounter {
  take(chunk: Buffer): void;
  rows(): number;
}

/** CSV / NDJSON: one row per line, after `headerLines` lines of header. */
function lineCounter(headerLines: number): RowCounter {
  let lines = 0;
  return {
    take(chunk) {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    },
    rows: () => lines - headerLines,
  };
}

/** Parquet: num_rows of the footer, read (hyparquet) from the last bytes of the file, the only ones kept. */
function parquetCounter(keepBytes = 16 * 1024 * 1024): RowCounter {
  let tail: Buffer[] = [];
  let kept = 0;
  return {
    take(chunk) {
      tail.push(chunk);
      kept += chunk.length;
      while (tail.length > 1 && kept - tail[0].length >= keepBytes) kept -= (tail.shift() as Buffer).length;
    },
    rows() {
      const bytes = Buffer.concat(tail);
      tail = [];
      return Number(parquetMetadata(new Uint8Array(bytes)).num_rows);
    },
  };
}

/** Streams one export to the end, counting its rows, while sampling the server's memory every 50 ms. */
function streamExport(
  server: ServerProcess,
  postgresCpuSeconds: () => number,
  name: string,
  path: string,
  counter: RowCounter,
): Promise<ExportResult> {
  const url = server.url.replace(/\/graphql$/, path);
  return new Promise((resolve, reject) => {
    let peakRss = server.memory().rss;
    const cpuBefore = server.cpuSeconds();
    const postgresBefore = postgresCpuSeconds();
    const readerBefore = process.cpuUsage();
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, server.memory().rss);
    }, 50);
    const started = performance.now();
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
        counter.take(chunk);
      });
      res.on("end", () => {
        clearInterval(sampler);
        const seconds = (performance.now() - started) / 1000;
        const rows = counter.rows();
        const per100k = (cpuSeconds: number) => (cpuSeconds * 100_000) / Math.max(rows, 1);
        resolve({
          name,
          rows,
          bytes,
          seconds,
          rowsPerSecond: rows / seconds,
          peakRss,
          cpuPer100k: per100k(server.cpuSeconds() - cpuBefore),
          postgresCpuPer100k: per100k(postgresCpuSeconds() - postgresBefore),
          readerCpuPer100k: per100k(cpuSecondsSince(readerBefore)),
        });
      });
      res.on("error", reject);
    }).on("error", (err) => {
      clearInterval(sampler);
      reject(err);
    });
  });
}

/**
 * The exports measured, each from the same API process: the inferences (every row) as CSV, NDJSON and Parquet,
 * and reputation history (every node, DAY buckets over the 30 days up to the latest block) as CSV and Parquet.
 */
function exportRuns(rows: Record<string, number>, latest: Date) {
  const from = new Date(latest.getTime() - 30 * 86_400_000).toISOString();
  const history = `from=${encodeURIComponent(from)}&interval=DAY`;
  // DAY buckets from `from`'s day to the latest block's: one row per node per bucket.
  const days = Math.floor(latest.getTime() / 86_400_000) - Math.floor(Date.parse(from) / 86_400_000) + 1;
  return [
    {
      name: "inferences.csv",
      path: "/export/inferences.csv",
      counter: () => lineCounter(1),
      expected: rows.inference,
    },
    {
      name: "inferences.ndjson",
      path: "/export/inferences.ndjson",
      counter: () => lineCounter(0),
      expected: rows.inference,
    },
    {
      name: "inferences.parquet",
      path: "/export/inferences.parquet",
      counter: () => parquetCounter(),
      expected: rows.inference,
    },
    {
      name: "reputation-history.csv (30 days, DAY)",
      path: `/export/reputation-history.csv?${history}`,
      counter: () => lineCounter(1),
      expected: rows.node * days,
    },
    {
      name: "reputation-history.parquet (30 days, DAY)",
      path: `/export/reputation-history.parquet?${history}`,
      counter: () => parquetCounter(),
      expected: rows.node * days,
    },
  ];
}

async function measure(
  server: ServerProcess,
  which: "ours" | "openReader",
  chosen: Workload[],
  label: string,
  postgresCpuSeconds: () => number,
  headers: Record<string, string> = {},
): Promise<Map<string, LoadResult>> {
  const results = new Map<string, LoadResult>();
  for (const w of chosen) {
    const r = await runLoad({
      url: server.url,
      concurrency: CONCURRENCY,
      warmupMs: WARMUP_MS,
      durationMs: MEASURE_MS,
      body: w[which],
      check: graphqlCheck,
      headers,
      cpuSeconds: () => server.cpuSeconds(),
      postgresCpuSeconds,
    });
    if (r.errors > 0)
      throw new Error(`${label} ${w.name}: ${r.errors} failed requests, first: ${r.firstError}`);
    console.log(
      `  ${label} ${w.name}: ${int(r.requestsPerSecond)} req/s, p50 ${ms(r.p50)} ms, p90 ${ms(r.p90)} ms, p99 ${ms(r.p99)} ms, max ${ms(r.max)} ms (${r.requests} requests), server CPU ${r.cpuMsPerRequest?.toFixed(2)} ms/request, load ${load()}`,
    );
    // What the CPU per request allows on this machine, whatever the schedule: requests/s at most cores / CPU per
    // request, so (Little's law, a closed loop) the mean latency at least in-flight x CPU per request / cores.
    const cpu = (r.cpuMsPerRequest ?? 0) + (r.postgresCpuMsPerRequest ?? 0) + r.clientCpuMsPerRequest;
    console.log(
      `    CPU ms per request: server ${r.cpuMsPerRequest?.toFixed(2)}, Postgres ${r.postgresCpuMsPerRequest?.toFixed(2)}, load generator ${r.clientCpuMsPerRequest.toFixed(2)}: on ${cores} cores at most ${int((cores * 1000) / cpu)} req/s, mean latency at least ${ms((CONCURRENCY * cpu) / cores)} ms (measured mean ${ms((CONCURRENCY * 1000) / r.requestsPerSecond)} ms)`,
    );
    results.set(w.name, r);
  }
  return results;
}

const load = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

export async function run(): Promise<void> {
  const parts = listOption<Part | "seed" | "serve">("BENCH_API_PARTS", ALL_PARTS, ["seed", "serve"]);
  const names = listOption("BENCH_API_WORKLOADS", WORKLOAD_NAMES);
  const exportNames = listOption("BENCH_API_EXPORTS", EXPORT_NAMES);
  const seeded = await seededDatabase(OPTIONS, await freePort());
  const servers: ServerProcess[] = [];
  try {
    const rows = seeded.summary.rows;
    console.log(
      `database: ${int(rows.node)} nodes, ${int(rows.inference)} inferences, ${int(rows.settlement)} settlements, ${int(rows.slash)} slashes (${int(seeded.summary.events)} events in ${int(seeded.summary.blocks)} blocks, seeded in ${seeded.summary.seconds.toFixed(0)} s)`,
    );
    if (parts.every((p) => p === "seed")) return;
    if (parts.includes("serve")) {
      // The seeded database for other tools (compare.ts, EXPLAIN) until SIGINT / SIGTERM.
      console.log(
        `serving: DATABASE_URL=${seeded.url} (the API's role: ${seeded.readerUrl}); Ctrl-C stops it`,
      );
      const alive = setInterval(() => {}, 60_000); // signal listeners alone do not keep Node running
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      clearInterval(alive);
      return;
    }
    const sample = await sampleOf(seeded.url);
    const chosen = workloads(sample).filter((w) => names.includes(w.name));
    const has = (p: Part) => parts.includes(p);
    console.log(
      `load: ${CONCURRENCY} requests in flight, ${MEASURE_MS / 1000} s per workload after a ${WARMUP_MS / 1000} s warm-up`,
    );
    console.log(`load average before: ${load()}`);

    const port = Number(new URL(seeded.url).port);
    const postmaster = postmasterPid(port);
    if (postmaster === undefined) throw new Error(`no Postgres process listens on ${port}`);
    const postgresCpu = () => treeCpuSeconds(postmaster);
    const api = await startApi(seeded.readerUrl, await freePort());
    servers.push(api);
    console.log(`  API started: RSS ${mb(api.memory().rss)}`);
    const exports: ExportResult[] = [];
    if (has("exports")) {
      const latest = await latestBlockTime(seeded.url);
      if (exportNames.some((n) => n.startsWith("reputation-history"))) {
        const t = performance.now();
        const pass = await computeCheckpoints(seeded.url, latest);
        console.log(
          `  indexer's checkpoint pass (reputation-history reads it): ${
            pass.kind === "computed"
              ? `${int(pass.rows)} day-end rows through ${new Date(pass.through * 1000).toISOString()} in ${pass.seconds.toFixed(1)} s`
              : `${pass.why} (${((performance.now() - t) / 1000).toFixed(1)} s)`
          }`,
        );
      }
      for (const { name, path, counter, expected } of exportRuns(rows, latest)) {
        if (!exportNames.some((n) => name.startsWith(n))) continue;
        const e = await streamExport(api, postgresCpu, name, path, counter());
        if (e.rows !== expected) throw new Error(`${name} had ${e.rows} rows, expected ${expected}`);
        console.log(
          `  API export ${name}: ${int(e.rows)} rows (${mb(e.bytes)}) in ${e.seconds.toFixed(1)} s = ${int(e.rowsPerSecond)} rows/s, API CPU ${e.cpuPer100k.toFixed(2)} s per 100k rows, API RSS peak while streaming ${mb(e.peakRss)}`,
        );
        // The best rate any schedule could reach with the CPU this export used, spread over every core with no
        // idle time (this process's reading included, as it ran on the same cores; and without it).
        const all = e.cpuPer100k + e.postgresCpuPer100k + e.readerCpuPer100k;
        const served = e.cpuPer100k + e.postgresCpuPer100k;
        console.log(
          `    CPU s per 100k rows: API ${e.cpuPer100k.toFixed(2)}, Postgres ${e.postgresCpuPer100k.toFixed(2)}, this reader ${e.readerCpuPer100k.toFixed(2)}: on ${cores} cores no schedule beats ${int((cores * 100_000) / all)} rows/s (${int((cores * 100_000) / served)} with the reader elsewhere)`,
        );
        exports.push(e);
      }
    }
    const cached = has("load")
      ? await measure(api, "ours", chosen, "API", postgresCpu)
      : new Map<string, LoadResult>();
    const uncached = has("no-cache")
      ? await measure(api, "ours", chosen, "API no-cache", postgresCpu, { "cache-control": "no-cache" })
      : new Map<string, LoadResult>();
    console.log(
      `  API process: RSS now ${mb(api.memory().rss)}, peak since start (VmHWM) ${mb(api.memory().hwm)}`,
    );
    await api.stop();

    let theirs = new Map<string, LoadResult>();
    if (has("openreader")) {
      const openReader = await startOpenReader(seeded.readerUrl, await freePort());
      servers.push(openReader);
      theirs = await measure(openReader, "openReader", chosen, "OpenReader", postgresCpu);
      console.log(`  OpenReader process: peak RSS (VmHWM) ${mb(openReader.memory().hwm)}`);
      await openReader.stop();
    }
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
    const latency = (r: LoadResult | undefined) => (r ? `${ms(r.p50)} / ${ms(r.p99)} ms` : "-");
    const rate = (r: LoadResult | undefined) => (r ? int(r.requestsPerSecond) : "-");
    const ratioOf = (r: LoadResult | undefined, t: LoadResult | undefined) =>
      r && t ? r.requestsPerSecond / t.requestsPerSecond : Number.NaN;
    const times = (ratio: number) => (Number.isNaN(ratio) ? "-" : `${ratio.toFixed(2)}x`);
    for (const { name } of chosen) {
      const [o, u, t] = [cached.get(name), uncached.get(name), theirs.get(name)];
      const ratio = ratioOf(o, t);
      const ratioNoCache = ratioOf(u, t);
      if (o) worst.p99 = Math.max(worst.p99, o.p99);
      if (u) worst.p99NoCache = Math.max(worst.p99NoCache, u.p99);
      if (!Number.isNaN(ratio)) worst.ratio = Math.min(worst.ratio, ratio);
      if (!Number.isNaN(ratioNoCache)) worst.ratioNoCache = Math.min(worst.ratioNoCache, ratioNoCache);
      console.log(
        `| ${name} | ${latency(o)} | ${rate(o)} | ${latency(u)} | ${rate(u)} | ${latency(t)} | ${rate(t)} | ${times(ratio)} | ${times(ratioNoCache)} |`,
      );
    }
    const verdict = (ok: boolean) => (ok ? "met" : "MISSED");
    // A verdict only for what this run measured (BENCH_API_PARTS may leave out the cached or computed answers).
    const judged = (measured: boolean, ok: boolean, figure: string) =>
      measured ? `${verdict(ok)} (${figure})` : "not measured";
    console.log("");
    if (cached.size > 0 || uncached.size > 0) {
      console.log(
        `p99 < 25 ms: as sent ${judged(cached.size > 0, worst.p99 < 25, `worst ${ms(worst.p99)} ms`)}; every answer computed ${judged(uncached.size > 0, worst.p99NoCache < 25, `worst ${ms(worst.p99NoCache)} ms`)}`,
      );
    }
    if (theirs.size > 0) {
      const ratioIn = (mine: Map<string, LoadResult>, lowest: number) =>
        judged(mine.size > 0, lowest >= 2, `lowest ${lowest.toFixed(2)}x`);
      console.log(
        `>= 2x OpenReader's requests/s: as sent ${ratioIn(cached, worst.ratio)}; every answer computed ${ratioIn(uncached, worst.ratioNoCache)}`,
      );
    }
    if (exports.length > 0) {
      const slowest = exports.reduce((a, b) => (b.rowsPerSecond < a.rowsPerSecond ? b : a));
      const slowestExport = slowest.rowsPerSecond;
      const exportRss = Math.max(...exports.map((e) => e.peakRss));
      console.log(
        `exports >= 100,000 rows/s under 200 MB RSS: ${verdict(slowestExport >= 100_000 && exportRss < 200 * 1024 * 1024)} (slowest ${slowest.name} at ${int(slowestExport)} rows/s, peak RSS ${mb(exportRss)})`,
      );
    }
  } finally {
    for (const s of servers) await s.stop().catch(() => {});
    await seeded.stop();
  }
}
