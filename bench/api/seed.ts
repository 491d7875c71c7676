import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { Worker } from "node:worker_threads";
import { ensureEmbeddedPostgres } from "@attestation-explorer/embedded-postgres";
import pg from "pg";
import type * as Connection from "../../indexer/src/db/connection.ts";
import type * as Migrations from "../../indexer/src/db/migrations.ts";
import type { SynthBlock } from "./action-logs.ts";
import { type ChainOptions, type ChainStats, isGhost } from "./chain.ts";
import type { WorkerInput, WorkerMessage } from "./chain-worker.ts";
import { indexingHandler } from "./through-handler.ts";

// Seeds a Postgres with the indexer's own code: the synthetic chain's blocks go through the indexer's batch
// handler inside ReorgAwareDatabase's transactions (through-handler.ts), so every table and derived value
// (counts, buckets, rep-v1 state, checks) is what the indexer writes. The compiled indexer (indexer/lib) is used:
// TypeormDatabase loads the compiled models.
//
// The seeded data directory is kept under .data/bench-api/<key>: the key covers the chain's parameters, a version
// of the generator (SEED_VERSION) and the indexer's compiled mapping, so a change to any of them seeds again.
// Migrations added since the seeding are applied to the kept database (as to a deployed one); a migration changed
// or removed since seeds again.

const ROOT = resolve(import.meta.dirname, "../..");
const INDEXER_DIR = join(ROOT, "indexer");
const DATA_ROOT = join(ROOT, ".data", "bench-api");
const require = createRequire(import.meta.url);
const { useDatabaseUrl } = require("../../indexer/lib/db/connection.js") as typeof Connection;
const { applyMigrations } = require("../../indexer/lib/db/migrations.js") as typeof Migrations;

export const DATABASE = "bench_api";
/** Blocks are cut into batches of about this many events, like the processor's batches during catch-up. */
const BATCH_EVENTS = 40_000;
/** As `npm start` and the indexer bench run it. */
const FINALITY_CONFIRMATIONS = 10;

export interface SeededDatabase {
  url: string;
  readerUrl: string;
  dataDir: string;
  summary: SeedSummary;
  stop(): Promise<void>;
}

export interface SeedSummary {
  key: string;
  options: ChainOptions;
  seconds: number;
  blocks: number;
  events: number;
  byKind: Record<string, number>;
  signatures: number;
  rows: Record<string, number>;
  seededAt: string;
  /** The migrations the database has (seeded with, then any applied on top), by file name: SHA-256. */
  migrations?: Record<string, string>;
}

/** Bump when the synthetic chain (chain.ts, encode.ts, keys.ts) or the seeding changes what gets written. */
const SEED_VERSION = 2;

const MIGRATIONS_DIR = join(INDEXER_DIR, "db", "migrations");

/** The parameters, SEED_VERSION and a hash of the indexer's compiled mapping (migrations: see migrationHashes). */
function cacheKey(options: ChainOptions): string {
  const h = createHash("sha256").update(JSON.stringify({ options, SEED_VERSION }));
  const files = readdirSync(join(INDEXER_DIR, "lib", "mapping"))
    .filter((f) => f.endsWith(".js"))
    .sort()
    .map((f) => join(INDEXER_DIR, "lib", "mapping", f));
  for (const f of files) h.update(f.slice(ROOT.length)).update(readFileSync(f));
  return `n${options.nodes}-i${options.inferences}-v${SEED_VERSION}-${h.digest("hex").slice(0, 12)}`;
}

/** Each migration file's SHA-256, by name. */
function migrationHashes(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(MIGRATIONS_DIR).sort())
    out[f] = createHash("sha256")
      .update(readFileSync(join(MIGRATIONS_DIR, f)))
      .digest("hex");
  return out;
}

/**
 * Whether a seeded database can be brought up to date: every migration it was seeded (or later migrated) with is
 * still there unchanged, so the migrations added since can be applied on top, as they are to a running
 * deployment (an index added later is built once over the seeded rows instead of maintained while seeding).
 */
function migrationsOnlyAdded(seededWith: Record<string, string>, now: Record<string, string>): boolean {
  return Object.entries(seededWith).every(([f, hash]) => now[f] === hash);
}

const TABLES = [
  "node",
  "model",
  "inference",
  "inference_verdict",
  "settlement",
  "slash",
  "challenge",
  "heartbeat",
  "stake_change",
  "withdrawal",
  "node_bucket",
  "model_bucket",
  "network_bucket",
  "model_node",
  "undecoded_log",
];

async function adminQuery(url: string, statements: string[]): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    for (const sql of statements) await c.query(sql);
  } finally {
    await c.end();
  }
}

async function rowCounts(url: string): Promise<Record<string, number>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const out: Record<string, number> = {};
    for (const t of TABLES) out[t] = (await c.query(`SELECT count(*)::int AS n FROM ${t}`)).rows[0].n;
    return out;
  } finally {
    await c.end();
  }
}

/** The chain-worker thread, as an async source of batches (asking for the next one before returning this one). */
function chainBatches(input: WorkerInput, log: (m: string) => void) {
  // Workers do not inherit tsx's hooks: the worker's entry imports chain-worker.ts through tsx's API.
  const entry = new URL("./chain-worker.ts", import.meta.url).href;
  const worker = new Worker(
    `import("tsx/esm/api").then(({ tsImport }) => tsImport(${JSON.stringify(entry)}, ${JSON.stringify(import.meta.url)}))`,
    { eval: true, workerData: input },
  );
  const inbox: WorkerMessage[] = [];
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  worker.on("message", (m: WorkerMessage) => {
    if (m.kind === "keys") log(`  ${m.count} RSA-2048 keys in ${m.seconds.toFixed(1)} s`);
    else inbox.push(m);
    wake?.();
  });
  worker.on("error", (err) => {
    failure = err;
    wake?.();
  });
  worker.on("exit", (code) => {
    failure ??= new Error(`the chain worker exited (${code})`);
    wake?.();
  });
  const receive = async (): Promise<WorkerMessage> => {
    for (;;) {
      const m = inbox.shift();
      if (m) return m;
      if (failure) throw failure;
      await new Promise<void>((r) => {
        wake = r;
      });
      wake = undefined;
    }
  };
  worker.postMessage("next");
  return {
    async next(): Promise<{ blocks: SynthBlock[]; events: number } | { stats: ChainStats }> {
      const m = await receive();
      if (m.kind === "done") return { stats: m.stats };
      if (m.kind !== "batch") throw new Error(`unexpected message ${m.kind} from the chain worker`);
      worker.postMessage("next");
      return m;
    },
    stop: () => worker.terminate(),
  };
}

/** Feeds the chain through the indexer's handler, one ReorgAwareDatabase transaction per batch. */
async function index(url: string, options: ChainOptions, log: (m: string) => void): Promise<ChainStats> {
  const handler = await indexingHandler({ url, finalityConfirmations: FINALITY_CONFIRMATIONS, log });
  const nodesWithKeys = Array.from({ length: options.nodes }, (_, i) => i).filter((i) => !isGhost(i)).length;
  const source = chainBatches({ options, nodesWithKeys, batchEvents: BATCH_EVENTS }, log);
  let indexed = 0;
  let waiting = 0;
  const started = Date.now();
  let lastReport = started;
  try {
    for (;;) {
      const w0 = performance.now();
      const batch = await source.next();
      waiting += performance.now() - w0;
      if ("stats" in batch) return batch.stats;
      const { blocks } = batch;
      await handler.index(blocks);
      indexed += batch.events;
      if (Date.now() - lastReport > 15_000) {
        lastReport = Date.now();
        const s = (Date.now() - started) / 1000;
        log(
          `  seeding: block ${blocks[blocks.length - 1].header.height}, ${indexed} events in ${s.toFixed(0)} s (${(indexed / s).toFixed(0)}/s; waited ${(waiting / 1000).toFixed(0)} s for the generator)`,
        );
      }
    }
  } finally {
    await source.stop();
    await handler.close().catch(() => {});
  }
}

/**
 * The seeded database for these options: reused when its key matches, otherwise generated (every other seeded
 * directory under .data/bench-api is removed first). The embedded Postgres keeps running until stop().
 */
export async function seededDatabase(
  options: ChainOptions,
  port: number,
  log: (m: string) => void = console.log,
): Promise<SeededDatabase> {
  // BENCH_API_SEEDED=<key>: that seeded database as it is, even if the indexer's mapping changed since (a change
  // that does not alter what is written need not cost a new seeding; the figures then say which data they had).
  const pinned = process.env.BENCH_API_SEEDED;
  const key = pinned || cacheKey(options);
  const dir = join(DATA_ROOT, key);
  if (pinned && !existsSync(join(dir, "seeded.json")))
    throw new Error(`BENCH_API_SEEDED=${pinned}: no seeded database ${dir}`);
  const dataDir = join(dir, "postgres");
  const summaryFile = join(dir, "seeded.json");
  const migrations = migrationHashes();
  let summary: SeedSummary | undefined = existsSync(summaryFile)
    ? (JSON.parse(readFileSync(summaryFile, "utf8")) as SeedSummary)
    : undefined;
  if (summary && !(summary.migrations && migrationsOnlyAdded(summary.migrations, migrations))) {
    log(`the seeded database ${key} had migrations that were changed or removed since: seeding again`);
    summary = undefined;
  }
  if (!summary) {
    mkdirSync(DATA_ROOT, { recursive: true });
    for (const old of readdirSync(DATA_ROOT)) {
      // Another key's data (or a seeding that did not finish): remove it, stopping its server if it runs.
      const oldDir = join(DATA_ROOT, old, "postgres");
      if (existsSync(join(oldDir, "postmaster.pid"))) {
        const h = await ensureEmbeddedPostgres({ dataDir: oldDir, port, log: () => {} }).catch(
          () => undefined,
        );
        await h?.stop().catch(() => {});
      }
      rmSync(join(DATA_ROOT, old), { recursive: true, force: true });
    }
    log(
      `seeding ${key}: ${options.nodes} nodes, ${options.inferences} inferences through the indexer's handler`,
    );
  } else {
    log(
      `using the seeded database ${key} (seeded in ${summary.seconds.toFixed(0)} s on ${summary.seededAt}${pinned && pinned !== cacheKey(options) ? "; pinned by BENCH_API_SEEDED, the indexer's mapping has changed since" : ""})`,
    );
  }
  mkdirSync(dir, { recursive: true });
  const start = () => ensureEmbeddedPostgres({ dataDir, port, database: DATABASE, log: () => {} });
  let pgHandle = await start();
  try {
    if (!summary) {
      const started = Date.now();
      useDatabaseUrl(pgHandle.url);
      await applyMigrations(INDEXER_DIR);
      // Bulk loading: shared buffers that hold the inference table's indexes, whose keys (ids, hashes) are random,
      // and fewer checkpoints (after each, the next write of every page logs a full page image). Only while
      // seeding: the benchmark runs on the server's defaults, as `npm start` has them.
      // wal_recycle off: old WAL files are deleted, not kept for reuse (gigabytes of them after a bulk load).
      await adminQuery(pgHandle.url, [
        "ALTER SYSTEM SET shared_buffers = '1GB'",
        "ALTER SYSTEM SET max_wal_size = '4GB'",
        "ALTER SYSTEM SET checkpoint_timeout = '30min'",
        "ALTER SYSTEM SET wal_recycle = off",
      ]);
      await pgHandle.stop();
      pgHandle = await start();
      const stats = await index(pgHandle.url, options, log);
      const seconds = (Date.now() - started) / 1000;
      // VACUUM ANALYZE: what autovacuum reaches eventually (planner statistics, visibility maps), for both servers.
      // The checkpoint (still without WAL recycling) leaves only the current WAL file.
      const v0 = Date.now();
      await adminQuery(pgHandle.url, ["VACUUM ANALYZE", "CHECKPOINT", "ALTER SYSTEM RESET ALL"]);
      await pgHandle.stop();
      pgHandle = await start();
      log(`  VACUUM ANALYZE and restart on the default settings: ${((Date.now() - v0) / 1000).toFixed(0)} s`);
      const rows = await rowCounts(pgHandle.url);
      if (rows.undecoded_log !== 0)
        throw new Error(`the indexer kept ${rows.undecoded_log} logs as undecodable`);
      if (rows.inference !== options.inferences) {
        throw new Error(`the indexer wrote ${rows.inference} inferences, expected ${options.inferences}`);
      }
      summary = {
        key,
        options,
        seconds,
        blocks: stats.blocks,
        events: stats.events,
        byKind: stats.byKind,
        signatures: stats.signatures,
        rows,
        seededAt: new Date().toISOString(),
        migrations,
      };
      writeFileSync(summaryFile, `${JSON.stringify(summary, null, 2)}\n`);
      log(
        `  seeded in ${seconds.toFixed(0)} s: ${summary.blocks} blocks, ${summary.events} events (${(summary.events / seconds).toFixed(0)} events/s), ${summary.signatures} RSA signatures`,
      );
    } else if (Object.keys(migrations).some((f) => !(summary as SeedSummary).migrations?.[f])) {
      const m0 = Date.now();
      useDatabaseUrl(pgHandle.url);
      const applied = await applyMigrations(INDEXER_DIR);
      // Planner statistics for what the new migrations made (an index on an expression has its own).
      await adminQuery(pgHandle.url, ["ANALYZE"]);
      summary = { ...summary, migrations };
      writeFileSync(summaryFile, `${JSON.stringify(summary, null, 2)}\n`);
      log(
        `  applied ${applied.join(", ") || "no"} migration(s) added since seeding in ${((Date.now() - m0) / 1000).toFixed(0)} s`,
      );
    }
  } catch (err) {
    await pgHandle.stop().catch(() => {});
    throw err;
  }
  const handle = pgHandle;
  return { url: handle.url, readerUrl: handle.readerUrl, dataDir, summary, stop: () => handle.stop() };
}
