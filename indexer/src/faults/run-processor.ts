import { createRequire } from "node:module";
import { type BackoffOptions, DEFAULT_BACKOFF, type Outage } from "./outage.ts";
import { installRpcFaultPolicy, processorRpcClient } from "./rpc-client.ts";
import {
  describeError,
  type FaultKind,
  isTransientDatabaseError,
  isTransientRpcError,
  transientFault,
} from "./transient.ts";

// EvmBatchProcessor.run() runs its Runner inside runProgram, which calls process.exit(1) on any error: a
// Postgres restart under the store's transaction ends the process. This runs the same Runner (the body of run()
// in @subsquid/evm-processor 1.27, lib/processor.js) without runProgram, so a transient fault ends one *run*: the
// supervisor disconnects the store, waits (capped exponential backoff with jitter) and starts a new run on a new
// processor. A new run starts where the database says the index is (TypeormDatabase.connect() reads the status
// row and the hot blocks), so nothing is skipped or applied twice: a batch either committed with its status, or
// not at all. (docs/decisions/006-riding-out-transient-faults.md)

type Processor = object;

interface Database {
  connect(): Promise<unknown>;
  disconnect(): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: the batch context's type belongs to the caller
type Handler = (ctx: any) => Promise<void>;

interface ProcessorInternals {
  running: boolean;
  archive: unknown;
  rpcEndpoint: unknown;
  rpcIngestSettings?: { disabled?: boolean };
  finalityConfirmation?: number;
  getLogger(): { child(ns: string): unknown };
  getChain(): unknown;
  getBatchRequests(): unknown;
  getArchiveDataSource(): unknown;
  getHotDataSource(): unknown;
  getPrometheusServer(): PrometheusLike;
}

interface PrometheusLike {
  setPort?(port: number): void;
  addRunnerMetrics(metrics: object): void;
  addChainRpcMetrics(collect: () => unknown): void;
  serve(): Promise<unknown>;
}

type RunnerClass = new (config: Record<string, unknown>) => { run(): Promise<void> };

/** The Runner the processor itself uses (resolved from @subsquid/evm-processor, so the versions match). */
function loadRunner(): RunnerClass {
  const fromProcessor = createRequire(require.resolve("@subsquid/evm-processor"));
  const tools = fromProcessor("@subsquid/util-internal-processor-tools") as { Runner?: RunnerClass };
  if (typeof tools.Runner !== "function") {
    throw new Error(
      "@subsquid/util-internal-processor-tools has no Runner: re-check faults/run-processor.ts",
    );
  }
  return tools.Runner;
}

/**
 * One Prometheus server for every run: each processor (and each Runner) registers its gauges on its server's
 * registry, which would fail the second time with the same names, and serve() would find its port taken.
 * The first processor's server is kept; its gauges read the current run's metrics.
 */
class SharedPrometheus {
  private server: PrometheusLike | undefined;
  private runnerMetrics: Record<string, () => unknown> | undefined;
  private rpcMetrics: (() => unknown) | undefined;
  private served: Promise<unknown> | undefined;

  adopt(processor: ProcessorInternals): void {
    this.server ??= processor.getPrometheusServer();
    const server = this.server;
    const facade: PrometheusLike = {
      addRunnerMetrics: (metrics) => {
        const first = this.runnerMetrics === undefined;
        this.runnerMetrics = metrics as Record<string, () => unknown>;
        if (!first) return;
        const current = () => this.runnerMetrics as Record<string, (...a: unknown[]) => unknown>;
        server.addRunnerMetrics(
          new Proxy(
            {},
            {
              get:
                (_, key: string) =>
                (...a: unknown[]) =>
                  current()[key]?.(...a),
            },
          ),
        );
      },
      addChainRpcMetrics: (collect) => {
        const first = this.rpcMetrics === undefined;
        this.rpcMetrics = collect;
        if (first) server.addChainRpcMetrics(() => (this.rpcMetrics as () => unknown)());
      },
      serve: () => {
        this.served ??= server.serve();
        return this.served;
      },
    };
    (processor as unknown as { getPrometheusServer: () => PrometheusLike }).getPrometheusServer = () =>
      facade;
  }
}

/** The body of EvmBatchProcessor.run(), returning the Runner's promise instead of exiting the process. */
function runOnce(RunnerCtor: RunnerClass, processor: Processor, database: Database, handler: Handler) {
  const p = processor as ProcessorInternals;
  p.running = true;
  const log = p.getLogger();
  const chain = p.getChain();
  const mappingLog = log.child("mapping");
  return new RunnerCtor({
    database,
    requests: p.getBatchRequests(),
    archive: p.archive ? p.getArchiveDataSource() : undefined,
    hotDataSource: p.rpcEndpoint && !p.rpcIngestSettings?.disabled ? p.getHotDataSource() : undefined,
    allBlocksAreFinal: p.finalityConfirmation === 0,
    prometheus: p.getPrometheusServer(),
    log,
    process(store: unknown, batch: { blocks: unknown[]; isHead: boolean }) {
      return handler({ _chain: chain, log: mappingLog, store, blocks: batch.blocks, isHead: batch.isHead });
    },
  }).run();
}

export interface SuperviseOptions {
  /** A new, configured processor for each run (its RPC client, data sources and requests are per instance). */
  createProcessor: () => Processor;
  database: Database;
  handler: Handler;
  rpcOutage: Outage;
  /**
   * Ended by the caller on the next commit, not when a run connects: a run that connects and then fails the same
   * way every time must not reset the clock, or it would be retried forever.
   */
  databaseOutage: Outage;
  /** True once the process is shutting down: a failing run is then not restarted. */
  stopping: () => boolean;
  log: (message: string) => void;
  backoff?: BackoffOptions;
}

/**
 * Runs the processor until its block range ends (never, without an end block), restarting it after a transient
 * fault. Rejects with the error of a fault that is not transient, or with OutageTooLong.
 */
export async function superviseProcessor(options: SuperviseOptions): Promise<void> {
  const { database, rpcOutage, databaseOutage } = options;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const RunnerCtor = loadRunner();
  const prometheus = new SharedPrometheus();
  const classify = faultOrigins(database);
  const handler: Handler = async (ctx) => {
    try {
      await options.handler(ctx);
    } catch (err) {
      classify.thrownByHandler(err);
      throw err;
    }
  };
  for (let run = 1; ; run++) {
    const processor = options.createProcessor();
    prometheus.adopt(processor as ProcessorInternals);
    const client = processorRpcClient(processor);
    installRpcFaultPolicy(client, rpcOutage, backoff);
    try {
      await runOnce(RunnerCtor, processor, database, handler);
      return;
    } catch (err) {
      // The abandoned run's prefetches and retries stop here (they reject with "RpcClient was closed").
      client.close();
      if (options.stopping()) return new Promise<void>(() => {});
      const kind = classify.kind(err);
      if (!kind) throw err;
      // Logs the first failure of an outage; throws OutageTooLong when it has lasted too long.
      const pause = (kind === "rpc" ? rpcOutage : databaseOutage).failed(err);
      if (process.env.SQD_DEBUG)
        options.log(`run ${run} failed (${describeError(err)}); restarting in ${pause} ms`);
      await database.disconnect().catch(() => {});
      await new Promise((r) => setTimeout(r, pause));
      if (options.stopping()) return new Promise<void>(() => {});
    }
  }
}

/**
 * Where a run's error came from decides its kind: a socket error (ECONNREFUSED…) looks the same from pg and from
 * the RPC client. The store's methods are wrapped on the instance to mark what they throw; the batch handler's
 * errors (its own queries, and the mapping's eth_call) pass through the store too, so they are marked first and
 * classified by their shape.
 */
function faultOrigins(database: Database) {
  const fromHandler = new WeakSet<object>();
  const fromDatabase = new WeakSet<object>();
  const db = database as unknown as Record<string, unknown>;
  for (const method of ["connect", "transact", "transactHot", "transactHot2"]) {
    const original = db[method];
    if (typeof original !== "function") continue;
    db[method] = (...args: unknown[]) =>
      (original as (...a: unknown[]) => Promise<unknown>).apply(database, args).catch((err: unknown) => {
        if (err && typeof err === "object" && !fromHandler.has(err)) fromDatabase.add(err);
        throw err;
      });
  }
  return {
    thrownByHandler(err: unknown) {
      if (err && typeof err === "object") fromHandler.add(err);
    },
    kind(err: unknown): FaultKind | undefined {
      if (err && typeof err === "object" && fromDatabase.has(err)) {
        return isTransientDatabaseError(err) ? "database" : undefined;
      }
      if (err && typeof err === "object" && fromHandler.has(err)) return transientFault(err);
      // Neither: the data source, i.e. the RPC endpoint.
      return isTransientRpcError(err) ? "rpc" : transientFault(err);
    },
  };
}

/**
 * For process.on("unhandledRejection"): a rejection left behind by an abandoned run (a prefetch that failed after
 * its run had ended) is expected; anything else is a bug and still ends the process.
 */
export function isLeftoverOfAbandonedRun(reason: unknown): boolean {
  if (transientFault(reason)) return true;
  return reason instanceof Error && /RpcClient was closed/.test(reason.message);
}
