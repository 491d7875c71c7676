/**
 * A real stack for the API's end-to-end tests: a devnet (anvil + the three contracts) with the simulator's
 * traffic, the compiled indexer writing into a fresh database of the api project's test Postgres, and the API as
 * a process reading it. Reuses the shared test support (packages/testkit) and its reference fold.
 */
import { randomBytes } from "node:crypto";
import { type ApiProcess, startApiProcess } from "@attestation-explorer/testkit/api-process";
import { type SimOptions, simulate, startDevnetOnly } from "@attestation-explorer/testkit/chain";
import type { Devnet } from "@attestation-explorer/testkit/devnet";
import { chainHead, IndexerProcess } from "@attestation-explorer/testkit/indexer-process";
import { type Expected, foldChainFromRpc } from "@attestation-explorer/testkit/reference/fold-chain";
import pg from "pg";
import { inject } from "vitest";
import type { TruthLine } from "../../../devnet/src/simulator/ground-truth.ts";
import type { Simulator, StepReport } from "../../../devnet/src/simulator/simulator.ts";

export interface TestDatabaseUrl {
  name: string;
  /** Superuser URL of the database (the indexer writes with it). */
  url: string;
  drop(): Promise<void>;
}

/** A new, empty database on the api project's Postgres (vitest globalSetup); the indexer migrates it. */
export async function createEmptyDatabase(prefix: string): Promise<TestDatabaseUrl> {
  const { adminUrl } = inject("apiTestPostgres");
  const name = `${prefix}_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    name,
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

export interface Stack {
  devnet: Devnet;
  database: TestDatabaseUrl;
  indexer: IndexerProcess;
  api: ApiProcess;
  /** A superuser pool on the indexer's database (for the tests' own reads). */
  pool: pg.Pool;
  finality: number;
  close(): Promise<void>;
}

async function closeAll(parts: {
  api?: ApiProcess;
  indexer?: IndexerProcess;
  devnet?: Devnet;
  pool?: pg.Pool;
  database?: TestDatabaseUrl;
}): Promise<void> {
  await parts.api?.stop().catch(() => {});
  await parts.indexer?.close().catch(() => {});
  await parts.devnet?.anvil.stop().catch(() => {});
  await parts.pool?.end().catch(() => {});
  await parts.database?.drop().catch(() => {});
}

export interface BulkStack extends Stack {
  truth: TruthLine[];
  expected: Expected;
  head: { number: number; hash: string; timestamp: number };
  timings: Record<string, number>;
}

/** Simulates a bulk run (fixed genesis and seed), indexes it to the head, folds it, then starts the API. */
export async function startBulkStack(
  sim: SimOptions,
  opts: {
    finality?: number;
    apiEnv?: Record<string, string>;
    /** Index the TEE registry and the settlement relay only (OpenGradient's network), and fold the same. */
    twoContracts?: boolean;
    /** Extra environment of the indexer process. */
    indexerEnv?: Record<string, string>;
    /** The API connects as the read-only role (explorer_reader), as under npm start. */
    apiAsReader?: boolean;
  } = {},
): Promise<BulkStack> {
  IndexerProcess.assertBuilt();
  const finality = opts.finality ?? 5;
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    timings[name] = Math.round(now - t);
    t = now;
  };
  const parts: Parameters<typeof closeAll>[0] = {};
  try {
    const [devnet, database] = await Promise.all([startDevnetOnly(false), createEmptyDatabase("real")]);
    parts.devnet = devnet;
    parts.database = database;
    lap("devnet");
    const { attestationRegistry, ...twoContracts } = devnet.deployment.addresses;
    const addresses = opts.twoContracts ? twoContracts : { ...twoContracts, attestationRegistry };
    const indexer = new IndexerProcess({
      rpcUrl: devnet.anvil.rpcUrl,
      addresses,
      startBlock: devnet.deployment.deploymentBlock,
      databaseUrl: database.url,
      finalityConfirmations: finality,
      env: opts.indexerEnv,
    });
    parts.indexer = indexer;
    // The indexer follows the simulation as it is mined.
    await indexer.start();
    const run = await simulate(devnet, sim);
    lap("simulate");
    const head = await chainHead(devnet.anvil.rpcUrl);
    const [expected] = await Promise.all([
      foldChainFromRpc({
        rpcUrl: devnet.anvil.rpcUrl,
        addresses,
        fromBlock: devnet.deployment.deploymentBlock,
        toBlock: head.number,
      }),
      indexer.waitForHeight(head.number, { hash: head.hash, timeoutMs: 120_000 }),
    ]);
    lap("index+fold");
    const readerUrl = inject("apiTestPostgres").readerUrlTemplate.replace("/DATABASE", `/${database.name}`);
    const api = await startApiProcess({
      DATABASE_URL: opts.apiAsReader ? readerUrl : database.url,
      ...opts.apiEnv,
    });
    parts.api = api;
    lap("api");
    const pool = new pg.Pool({ connectionString: database.url, max: 3 });
    parts.pool = pool;
    return {
      devnet,
      database,
      indexer,
      api,
      pool,
      finality,
      truth: run.truth,
      expected,
      head,
      timings,
      close: () => closeAll(parts),
    };
  } catch (err) {
    await closeAll(parts);
    throw err;
  }
}

export interface LiveStack extends Stack {
  /** Starts the simulator in the background; resolves when it stops (after maxSteps, or at close). */
  startSimulation(): Promise<{ truth: TruthLine[] }>;
  simulator(): Simulator | undefined;
}

/**
 * A live chain (wall-clock genesis): the indexer and the API start first, then the simulator runs in the
 * background (`rate` inferences per second, a block every `blockTime` seconds, `maxSteps` steps).
 */
export async function startLiveStack(
  sim: SimOptions,
  opts: { finality?: number; onStep?: (r: StepReport) => void; apiEnv?: Record<string, string> } = {},
): Promise<LiveStack> {
  IndexerProcess.assertBuilt();
  const finality = opts.finality ?? 3;
  const parts: Parameters<typeof closeAll>[0] = {};
  try {
    const [devnet, database] = await Promise.all([startDevnetOnly(true), createEmptyDatabase("live")]);
    parts.devnet = devnet;
    parts.database = database;
    const indexer = new IndexerProcess({
      rpcUrl: devnet.anvil.rpcUrl,
      addresses: devnet.deployment.addresses,
      startBlock: devnet.deployment.deploymentBlock,
      databaseUrl: database.url,
      finalityConfirmations: finality,
      headPollIntervalMs: 50,
    });
    parts.indexer = indexer;
    await indexer.start();
    const head = await chainHead(devnet.anvil.rpcUrl);
    await indexer.waitForHeight(head.number, { timeoutMs: 60_000 });
    const api = await startApiProcess({ DATABASE_URL: database.url, ...opts.apiEnv });
    parts.api = api;
    const pool = new pg.Pool({ connectionString: database.url, max: 3 });
    parts.pool = pool;
    let simulator: Simulator | undefined;
    let running: Promise<unknown> | undefined;
    return {
      devnet,
      database,
      indexer,
      api,
      pool,
      finality,
      simulator: () => simulator,
      startSimulation() {
        const p = simulate(devnet, sim, {
          onStep: opts.onStep,
          onSimulator: (s) => {
            simulator = s;
          },
        });
        running = p.catch(() => {});
        return p;
      },
      close: async () => {
        simulator?.stop();
        await running;
        await closeAll(parts);
      },
    };
  } catch (err) {
    await closeAll(parts);
    throw err;
  }
}
