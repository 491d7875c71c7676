/**
 * The parts of the stack the browser tests start, from the shared test support (packages/testkit): free ports,
 * the devnet's anvil, deployment and simulator, embedded Postgres, and the indexer and API processes.
 */
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type ApiProcess, startApiProcess } from "@attestation-explorer/testkit/api-process";
import { accountsNeeded, Simulator } from "@attestation-explorer/testkit/chain";
import {
  type Deployment,
  deployContracts,
  JsonRpc,
  type RunningAnvil,
  startAnvil,
} from "@attestation-explorer/testkit/devnet";
import { chainHead, IndexerProcess } from "@attestation-explorer/testkit/indexer-process";
import { freePort } from "@attestation-explorer/testkit/net";
import { startTestPostgres, type TestPostgres } from "@attestation-explorer/testkit/postgres";

export { type ApiProcess, type Deployment, IndexerProcess, JsonRpc, type RunningAnvil, type TestPostgres };

export const REPO_ROOT = resolve(fileURLToPath(new URL("../../..", import.meta.url)));
export const WEB_ROOT = join(REPO_ROOT, "web");

/** The starters, in one object so that the stack reads as the list of parts it starts. */
export const harness = {
  freePort,
  startAnvil,
  JsonRpc,
  deployContracts,
  Simulator,
  accountsNeeded,
  startTestPostgres,
  IndexerProcess,
  chainHead,
  startApiProcess,
};
