/** A devnet for tests: a real anvil on a free port with the three contracts deployed, and its ground truth. */
import { readFileSync } from "node:fs";
import type { Address } from "viem";
import { type RunningAnvil, startAnvil } from "../../../devnet/src/chain/anvil.ts";
import { type Deployment, deployContracts } from "../../../devnet/src/chain/deploy.ts";
import { JsonRpc } from "../../../devnet/src/chain/rpc.ts";
import type { TruthLine } from "../../../devnet/src/simulator/ground-truth.ts";
import { freePort } from "./net.ts";

// The devnet's parts, for tests that assemble a chain of their own (the explorer's stack: more accounts, a genesis
// in the past): a program that cannot reach the devnet's sources by path imports them from here.
export { type Deployment, deployContracts, JsonRpc, type RunningAnvil, startAnvil };

export interface Devnet {
  anvil: RunningAnvil;
  rpc: JsonRpc;
  deployment: Deployment;
}

/** A real anvil that mines on demand, with the three contracts deployed. */
export async function startDevnet(genesisTimestamp?: number): Promise<Devnet> {
  const anvil = await startAnvil({ port: await freePort(), noMining: true, accounts: 40, genesisTimestamp });
  const rpc = new JsonRpc(anvil.rpcUrl);
  const accounts = await rpc.call<Address[]>("eth_accounts");
  // A fixed genesis asks for a reproducible chain: the deployment's blocks then do not follow the clock either.
  const deployment = await deployContracts(rpc, accounts[0], true, {
    fixedTimes: genesisTimestamp !== undefined,
  });
  return { anvil, rpc, deployment };
}

export function readTruth(path: string): TruthLine[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as TruthLine);
}
