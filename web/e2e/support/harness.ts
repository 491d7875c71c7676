/**
 * The other workspaces' test harnesses (devnet, simulator, indexer process, embedded Postgres, API process), loaded
 * at run time. web/tsconfig.json is a composite project rooted at web/, so a static import (even `import type`) of
 * a file outside web/ would pull it into this program; the shapes used here are declared below instead, and vitest
 * transforms the TypeScript sources it loads.
 */
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const REPO_ROOT = resolve(fileURLToPath(new URL("../../..", import.meta.url)));
export const WEB_ROOT = join(REPO_ROOT, "web");

type Hex = `0x${string}`;

export interface ContractAddresses {
  teeRegistry: Hex;
  settlementRelay: Hex;
  attestationRegistry: Hex;
}

export interface RunningAnvil {
  rpcUrl: string;
  process: { pid?: number };
  stop(): Promise<void>;
}

export interface JsonRpc {
  url: string;
  call<T = unknown>(method: string, params?: unknown[]): Promise<T>;
}

export interface Deployment {
  chainId: number;
  deploymentBlock: number;
  addresses: ContractAddresses;
}

export interface SimulationSummary {
  steps: number;
  blocks: number;
  transactions: number;
  committed: number;
  firstBlock: number;
  lastBlock: number;
}

export interface SimulatorOptions {
  rpcUrl: string;
  addresses: ContractAddresses;
  seed?: string;
  nodes?: number;
  rate?: number;
  blockTime?: number;
  maxSteps?: number;
  inferences?: number;
  perBlock?: number;
  blockInterval?: number;
  startTime?: number;
  reorgEvery?: number;
  reorgDepth?: number;
  groundTruthPath?: string;
  resume?: boolean;
}

export interface Simulator {
  run(): Promise<SimulationSummary>;
  stop(): void;
}

export interface IndexerState {
  height: number;
  hash: string | null;
  chainHeight: number | null;
  finalizedHeight: number | null;
}

export interface IndexerProcess {
  readonly log: string;
  readonly pid: number | undefined;
  start(): Promise<void>;
  waitForHeight(block: number, opts?: { hash?: string; timeoutMs?: number }): Promise<IndexerState>;
  close(): Promise<void>;
}

export interface IndexerTarget {
  rpcUrl: string;
  /** Without attestationRegistry the indexer reads the TEE registry and the settlement relay only. */
  addresses: Omit<ContractAddresses, "attestationRegistry"> & { attestationRegistry?: Hex };
  startBlock: number;
  databaseUrl: string;
  finalityConfirmations?: number;
  headPollIntervalMs?: number;
  env?: Record<string, string>;
}

export interface TestPostgres {
  port: number;
  createDatabase(prefix?: string): Promise<string>;
  stop(): Promise<void>;
}

export interface ApiProcess {
  /** http://127.0.0.1:<port>/graphql */
  url: string;
  /** http://127.0.0.1:<port> */
  base: string;
  pid: number | undefined;
  readonly log: string;
  stop(): Promise<void>;
}

export interface Harness {
  freePort(): Promise<number>;
  startAnvil(opts: {
    port: number;
    noMining: boolean;
    accounts: number;
    genesisTimestamp?: number;
  }): Promise<RunningAnvil>;
  JsonRpc: new (url: string) => JsonRpc;
  deployContracts(rpc: JsonRpc, deployer: Hex, mine: boolean): Promise<Deployment>;
  Simulator: new (options: SimulatorOptions) => Simulator;
  accountsNeeded(nodes: number): number;
  startTestPostgres(): Promise<TestPostgres>;
  IndexerProcess: { new (target: IndexerTarget): IndexerProcess; assertBuilt(): void };
  chainHead(rpcUrl: string): Promise<{ number: number; hash: string; timestamp: number }>;
  startApiProcess(env: Record<string, string>): Promise<ApiProcess>;
}

// biome-ignore lint/suspicious/noExplicitAny: modules loaded by path are untyped until cast to Harness
async function load(path: string): Promise<any> {
  return import(/* @vite-ignore */ pathToFileURL(join(REPO_ROOT, path)).href);
}

let loaded: Promise<Harness> | undefined;

export function harness(): Promise<Harness> {
  loaded ??= (async () => {
    const [support, anvil, rpc, deploy, simulator, world, postgres, indexer, api] = await Promise.all([
      load("devnet/e2e/support.ts"),
      load("devnet/src/chain/anvil.ts"),
      load("devnet/src/chain/rpc.ts"),
      load("devnet/src/chain/deploy.ts"),
      load("devnet/src/simulator/simulator.ts"),
      load("devnet/src/simulator/world.ts"),
      load("indexer/e2e/support/postgres.ts"),
      load("indexer/e2e/support/indexer-process.ts"),
      load("indexer/e2e/support/api-process.ts"),
    ]);
    return {
      freePort: support.freePort,
      startAnvil: anvil.startAnvil,
      JsonRpc: rpc.JsonRpc,
      deployContracts: deploy.deployContracts,
      Simulator: simulator.Simulator,
      accountsNeeded: world.accountsNeeded,
      startTestPostgres: postgres.startTestPostgres,
      IndexerProcess: indexer.IndexerProcess,
      chainHead: indexer.chainHead,
      startApiProcess: api.startApiProcess,
    };
  })();
  return loaded;
}
