import { resolve } from "node:path";
import { ensureEmbeddedPostgres } from "@attestation-explorer/embedded-postgres";
import { TypeormDatabase } from "@subsquid/typeorm-store";
import { Client } from "pg";
import { loadConfigOrExit } from "../../../lib/config";
import { useDatabaseUrl } from "../../../lib/db/connection";
import { applyMigrations } from "../../../lib/db/migrations";
import { createProcessor, processorSettings } from "../../../lib/processor";
import { ChainHeadPoller, cpuSecondsSince, duration } from "../../../lib/progress";
import { RawLog } from "./model/index.ts";

// The benchmark's baseline: the indexer's processor (same data source, same log requests and fields, same
// TypeormDatabase with hot blocks) with a handler that only copies each batch's logs into raw_log, in one
// insert. What the real indexer is slower by is the cost of its mapping and checks.
//
//   node indexer/bench/bare-squid/lib/main.js [--fresh] [--exit-at-head]
//
// Same environment as the indexer. Its own database, `bare_squid`, on the same server (the embedded one, or
// DATABASE_URL's with the database name replaced). --fresh drops that database first. --exit-at-head stops
// once the chain head seen at start-up is indexed and prints a JSON summary line for scripts.

const PROJECT_DIR = resolve(__dirname, "..");
const DATABASE = "bare_squid";
const log = (m: string) => console.log(`bare-squid: ${m}`);

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  const config = loadConfigOrExit();
  const settings = processorSettings(config);

  let url: string;
  let stopPostgres = async () => {};
  if (config.databaseUrl) {
    url = await ensureDatabase(config.databaseUrl, args.has("--fresh"));
  } else {
    const pg = await ensureEmbeddedPostgres({
      dataDir: resolve(config.dataDir, "postgres"),
      port: config.embeddedPostgresPort,
      database: "postgres",
      log,
    });
    stopPostgres = () => pg.stop();
    url = await ensureDatabase(pg.url, args.has("--fresh"));
  }
  useDatabaseUrl(url);
  await applyMigrations(PROJECT_DIR);

  const poller = new ChainHeadPoller(settings.rpcUrl, log);
  await poller.poll();
  poller.start();
  const target = poller.head;
  log(`indexing from block ${settings.startBlock} (chain head ${target ?? "unknown"})`);

  let first: { at: number; height: number; cpu: NodeJS.CpuUsage } | undefined;
  let height = -1;
  let events = 0;
  let lastLine = Date.now();
  let exiting = false;
  const exit = async (code: number) => {
    poller.stop();
    await stopPostgres().catch(() => {});
    process.exit(code);
  };
  process.on("SIGINT", () => void exit(0));
  process.on("SIGTERM", () => void exit(0));

  // Measured after each commit, so the figures include the database's work.
  const afterCommit = () => {
    if (!first || exiting) return;
    const now = Date.now();
    const seconds = Math.max(0.001, (now - first.at) / 1000);
    if (now - lastLine >= 5000) {
      lastLine = now;
      log(
        `block ${height} / ${poller.head ?? "?"}, ${Math.round(events / seconds)} events/s over ${duration(seconds)}`,
      );
    }
    if (args.has("--exit-at-head") && target !== undefined && height >= target) {
      exiting = true;
      log(`reached block ${height}: ${events} events in ${seconds.toFixed(1)} s`);
      const summary = {
        bench: "bare-squid",
        fromBlock: first.height,
        toBlock: height,
        events,
        seconds,
        eventsPerSecond: events / seconds,
        blocksPerSecond: (height - first.height + 1) / seconds,
        // The process's CPU (every thread) over the same interval, for the bench's CPU-bound ceiling.
        cpuSeconds: cpuSecondsSince(first.cpu),
      };
      console.log(JSON.stringify(summary));
      void exit(0);
    }
  };

  createProcessor(settings).run(new BenchDatabase(PROJECT_DIR, afterCommit), async (ctx) => {
    first ??= { at: Date.now(), height: ctx.blocks[0]?.header.height ?? 0, cpu: process.cpuUsage() };
    const rows: RawLog[] = [];
    for (const block of ctx.blocks) {
      for (const l of block.logs) {
        rows.push(
          new RawLog({
            id: l.id,
            block: block.header.height,
            tx: l.transactionHash,
            logIndex: l.logIndex,
            address: l.address,
            topic0: l.topics[0] ?? null,
            data: l.data,
          }),
        );
      }
    }
    await ctx.store.insert(rows);
    events += rows.length;
    height = ctx.blocks[ctx.blocks.length - 1]?.header.height ?? height;
  });
}

/** TypeormDatabase (hot blocks on, as in the indexer) that reports each commit. */
class BenchDatabase extends TypeormDatabase {
  constructor(
    projectDir: string,
    private readonly afterCommit: () => void,
  ) {
    super({ supportHotBlocks: true, projectDir });
  }

  override async transact(...args: Parameters<TypeormDatabase["transact"]>): Promise<void> {
    await super.transact(...args);
    this.afterCommit();
  }

  override async transactHot2(...args: Parameters<TypeormDatabase["transactHot2"]>): Promise<void> {
    await super.transactHot2(...args);
    this.afterCommit();
  }
}

/** The `bare_squid` database on the server of `serverUrl`, created (or, with fresh, recreated) here. */
async function ensureDatabase(serverUrl: string, fresh: boolean): Promise<string> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const name = client.escapeIdentifier(DATABASE);
    if (fresh) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${DATABASE}`;
  return url.toString();
}

main().catch((err) => {
  console.error(`bare-squid: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
