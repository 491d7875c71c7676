/**
 * The parts of the stack the browser tests start: the shared test support's starters (packages/testkit: free
 * ports, embedded Postgres, the indexer and API processes), imported by name, and the devnet's sources (anvil,
 * deployment, simulator), loaded at run time. web/tsconfig.json is a composite project rooted at web/, so a static
 * import (even `import type`) of a devnet file would pull it into this program; the devnet shapes used here are
 * declared below instead, and vitest transforms the TypeScript sources it loads.
 */
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type ApiProcess, startApiProcess } from "@attestation-explorer/testkit/api-process";
import { chainHead, IndexerProcess } from "@attestation-explorer/testkit/indexer-process";
import { freePort } from "@attestation-explorer/testkit/net";
import { startTestPostgres, type TestPostgres } from "@attestation-explorer/testkit/postgres";

export { type ApiProcess, IndexerProcess, type TestPostgres };

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

export interface Harness {
  freePort: typeof freePort;
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
  startTestPostgres: typeof startTestPostgres;
  IndexerProcess: typeof IndexerProcess;
  chainHead: typeof chainHead;
  startApiProcess: typeof startApiProcess;
}

// biome-ignore lint/suspicious/noExplicitAny: modules loaded by path are untyped until cast to Harness
async function load(path: string): Promise<any> {
  return import(/* @vite-ignore */ pathToFileURL(join(REPO_ROOT, path)).href);
}

let loaded: Promise<Harness> | undefined;

export function harness(): Promise<Harness> {
  loaded ??= (async () => {
    const [anvil, rpc, deploy, simulator, world] = await Promise.all([
      load("devnet/src/chain/anvil.ts"),
      load("devnet/src/chain/rpc.ts"),
      load("devnet/src/chain/deploy.ts"),
      load("devnet/src/simulator/simulator.ts"),
      load("devnet/src/simulator/world.ts"),
    ]);
    return {
      freePort,
      startAnvil: anvil.startAnvil,
      JsonRpc: rpc.JsonRpc,
      deployContracts: deploy.deployContracts,
      Simulator: simulator.Simulator,
      accountsNeeded: world.accountsNeeded,
      startTestPostgres,
      IndexerProcess,
      chainHead,
      startApiProcess,
    };
  })();
  return loaded;
}
