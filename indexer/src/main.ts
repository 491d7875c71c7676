import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { EmbeddedPostgresError } from "@attestation-explorer/embedded-postgres";
import { LogLevel, setLogLevelCallback } from "@subsquid/logger";
import type { Store } from "@subsquid/typeorm-store";
import { TransactionInputs } from "./calldata/transaction-inputs.ts";
import { CheckpointPass } from "./checkpoints/checkpoint-pass.ts";
import { loadConfigOrExit, REPO_ROOT } from "./config.ts";
import { dropIndex, indexChainMismatch } from "./db/chain-mismatch.ts";
import { openDatabase, redactUrl } from "./db/connection.ts";
import { applyMigrations } from "./db/migrations.ts";
import { ReorgAwareDatabase } from "./db/reorg-aware-database.ts";
import { DEFAULT_BACKOFF, Outage, OutageTooLong } from "./faults/outage.ts";
import { isLeftoverOfAbandonedRun, superviseProcessor } from "./faults/run-processor.ts";
import { describeError, isTransientDatabaseError, transientFault } from "./faults/transient.ts";
import { makeBatchHandler } from "./mapping/handle-batch";
import { createProcessor, type ProcessorContext, processorSettings } from "./processor.ts";
import { ChainHeadPoller, cpuSecondsSince, ProgressReporter } from "./progress.ts";

// `npm run indexer` (node indexer/lib/main.js): configuration → Postgres → migrations → the processor.
// Ctrl-C / SIGTERM: the batch being written commits, then the processor is parked, Postgres stopped if we
// started it, and the process exits 0. A second signal exits at once (the open transaction rolls back).
// Transient faults (the RPC endpoint or the database failing for a while) are ridden out with backoff for up to
// MAX_OUTAGE_SECONDS: see faults/ and docs/decisions/006-riding-out-transient-faults.md.

/** indexer/: the squid project folder (db/migrations, lib/model). */
const PROJECT_DIR = resolve(__dirname, "..");

const log = (message: string) => console.log(`indexer: ${message}`);

async function main(): Promise<void> {
  const envFile = resolve(REPO_ROOT, ".env");
  if (existsSync(envFile)) process.loadEnvFile(envFile); // variables already set win
  const config = loadConfigOrExit();
  const settings = processorSettings(config);

  // Our progress line replaces the processor's own status line; its warnings and errors still show.
  // SQD_INFO / SQD_DEBUG (see @subsquid/logger) bring its info lines back.
  setLogLevelCallback((ns) =>
    ns === "sqd:processor" && !process.env.SQD_INFO && !process.env.SQD_DEBUG ? LogLevel.WARN : undefined,
  );

  let stopping = false;
  let stoppingSince = 0;
  let stopDatabase: () => Promise<void> = async () => {};
  let stopIndexing: () => Promise<void> = async () => {};
  const shutdown = async (signal: string) => {
    if (stopping) {
      // A Ctrl-C reaches both npm and us, and npm may pass it on: only a later signal means "now".
      if (Date.now() - stoppingSince < 1000) return;
      log(`${signal} again: exiting now`);
      process.exit(130);
    }
    stopping = true;
    stoppingSince = Date.now();
    log(`${signal}: letting the current batch commit, then stopping`);
    const force = setTimeout(() => {
      log("shutdown took longer than 60 s: exiting anyway");
      process.exit(1);
    }, 60_000);
    force.unref();
    try {
      await stopIndexing();
      await stopDatabase();
      log("stopped");
      process.exit(0);
    } catch (err) {
      console.error(`indexer: error while stopping: ${(err as Error).message}`);
      process.exit(1);
    }
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  // A prefetch of an abandoned processor run may fail after the run ended: expected, and harmless.
  process.on("unhandledRejection", (reason) => {
    if (isLeftoverOfAbandonedRun(reason)) return;
    console.error(`indexer: unhandled rejection: ${(reason as Error)?.stack ?? reason}`);
    process.exit(1);
  });

  const maxOutageMs = config.maxOutageSeconds * 1000;
  const rpcOutage = new Outage({ kind: "rpc", what: `RPC ${settings.rpcUrl}`, maxOutageMs, log });
  const databaseOutage = new Outage({ kind: "database", what: "database", maxOutageMs, log });
  /**
   * Start-up steps that need the database (the chain-mismatch check, which tolerates an RPC that does not answer,
   * and migrations), retried like the processor's runs.
   */
  const retried = async <T>(step: () => Promise<T>): Promise<T> => {
    for (;;) {
      try {
        const result = await step();
        databaseOutage.succeeded();
        return result;
      } catch (err) {
        if (stopping || !isTransientDatabaseError(err)) throw err;
        await new Promise((r) => setTimeout(r, databaseOutage.failed(err)));
      }
    }
  };

  log(
    `contracts (from ${config.addressesFrom}): TEERegistry ${settings.addresses.teeRegistry}, ` +
      `InferenceSettlementRelay ${settings.addresses.settlementRelay}, ${
        settings.addresses.attestationRegistry
          ? `AttestationRegistry ${settings.addresses.attestationRegistry}`
          : "no AttestationRegistry (TEE registry and settlement relay only)"
      }`,
  );
  log(
    `RPC ${settings.rpcUrl}${settings.gatewayUrl ? `, gateway ${settings.gatewayUrl}` : ""}; from block ${settings.startBlock}; ` +
      `${settings.finalityConfirmations} confirmations to finality`,
  );

  const db = await openDatabase(config, { log });
  stopDatabase = () => db.stop();
  log(`database ${redactUrl(db.url)}${db.kind === "embedded" ? " (embedded)" : ""}`);
  if (stopping) return;

  const mismatch = await retried(() => indexChainMismatch(PROJECT_DIR, settings.rpcUrl));
  if (mismatch) {
    if (!config.resetIndexOnChainMismatch) {
      throw new Error(
        `the chain at ${settings.rpcUrl} cannot continue this index: ${mismatch}. Point RPC_URL at the chain it was built from, or empty the database`,
      );
    }
    log(
      `the chain cannot continue this index (${mismatch}): the devnet was restored from an older state; rebuilding the index from scratch`,
    );
    await retried(() => dropIndex(PROJECT_DIR));
  }
  const applied = await retried(() => applyMigrations(PROJECT_DIR));
  if (applied.length > 0) log(`applied migrations: ${applied.join(", ")}`);
  if (stopping) return;

  const poller = new ChainHeadPoller(settings.rpcUrl, log);
  poller.start();
  const progress = new ProgressReporter(() => poller.head, log);
  const database = new ReorgAwareDatabase({
    projectDir: PROJECT_DIR,
    finalityConfirmations: settings.finalityConfirmations,
    chainHead: () => poller.head,
    contracts: settings.addresses,
    log,
  });
  // --exit-at-head (benchmarks): stop once the chain head seen at the first commit is indexed, printing a JSON
  // summary measured like the bare squid's (first batch received to last commit).
  const exitAtHead = process.argv.includes("--exit-at-head");
  let first: { at: number; height: number; cpu: NodeJS.CpuUsage } | undefined;
  let events = 0;
  let target: number | undefined;
  database.onCommit((head) => {
    // A commit is progress: it ends a database outage (a run that merely connects does not).
    databaseOutage.succeeded();
    progress.indexed(head.height);
    if (!exitAtHead || !first || stopping) return;
    target ??= poller.head;
    if (target === undefined || head.height < target) return;
    const seconds = Math.max(0.001, (Date.now() - first.at) / 1000);
    const rss = process.resourceUsage().maxRSS * 1024;
    console.log(
      JSON.stringify({
        bench: "indexer",
        fromBlock: first.height,
        toBlock: head.height,
        events,
        seconds,
        eventsPerSecond: events / seconds,
        blocksPerSecond: (head.height - first.height + 1) / seconds,
        // The process's CPU (every thread) over the same interval, for the bench's CPU-bound ceiling.
        cpuSeconds: cpuSecondsSince(first.cpu),
        peakRssBytes: rss,
      }),
    );
    void shutdown("exit-at-head");
  });
  // The day-end reputation checkpoints for the history export (decision 013), off the batches' transactions; not
  // in a benchmark's run to the head.
  const checkpoints = new CheckpointPass({
    databaseUrl: db.url,
    intervalMs: config.checkpointIntervalSeconds * 1000,
    log,
  });
  if (!exitAtHead) {
    database.onCommit((head) => checkpoints.noteCommit(head));
    checkpoints.start();
  }
  stopIndexing = async () => {
    poller.stop();
    progress.stop();
    await checkpoints.stop();
    await database.stop();
  };

  const handleBatch = makeBatchHandler(settings.addresses, new TransactionInputs());
  progress.start();
  // Each run is a new processor; a run ended by a transient fault is restarted from the database's position
  // (faults/run-processor.ts). Only a fault that is not transient, or an outage longer than MAX_OUTAGE_SECONDS,
  // ends the process (exit 1).
  await superviseProcessor({
    createProcessor: () => createProcessor(settings),
    database,
    handler: database.wrapHandler(async (ctx: ProcessorContext<Store>) => {
      progress.countEvents(ctx.blocks);
      first ??= { at: Date.now(), height: ctx.blocks[0]?.header.height ?? 0, cpu: process.cpuUsage() };
      for (const b of ctx.blocks) events += b.logs.length;
      await handleBatch(ctx);
    }),
    rpcOutage,
    databaseOutage,
    stopping: () => stopping,
    log,
    backoff: DEFAULT_BACKOFF,
  });
  // Only with an end block: the range is indexed.
  await shutdown("end of the block range");
}

main().catch((err) => {
  // What the message alone explains (an outage too long, an embedded Postgres that cannot run here): no stack.
  if (err instanceof OutageTooLong || err instanceof EmbeddedPostgresError)
    console.error(`indexer: ${err.message}`);
  else if (transientFault(err))
    console.error(`indexer: ${describeError(err)}\n${(err as Error).stack ?? ""}`);
  else console.error(`indexer: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
