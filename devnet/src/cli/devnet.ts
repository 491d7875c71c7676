// `npm run devnet`: anvil on 127.0.0.1, the three contracts deployed, .data/devnet.json written, and the simulator
// driving traffic (live by default, bulk with --inferences). Ctrl-C stops the simulator after its current block,
// then anvil, which saves the chain to .data/anvil-state.json so the next start resumes it (--fresh starts over).
// Anvil listens on --port, else on the port of RPC_URL (which must then be this machine's, as `npm start` passes it
// on to the indexer), else on 8545.
import { mkdirSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import type { Address, Hex } from "viem";
import { startAnvil } from "../chain/anvil.ts";
import { deployContracts } from "../chain/deploy.ts";
import { DATA_DIR, DEVNET_FILE, readDevnetFile, writeDevnetFile } from "../chain/devnet-file.ts";
import { JsonRpc } from "../chain/rpc.ts";
import { Simulator } from "../simulator/simulator.ts";
import { accountsNeeded } from "../simulator/world.ts";
import { parseSimulatorFlags, SIMULATOR_FLAGS_HELP } from "./args.ts";
import { progressPrinter } from "./progress.ts";

async function main(): Promise<void> {
  const flags = parseSimulatorFlags(process.argv.slice(2));
  if (flags.help) {
    console.log(`npm run devnet -- [--port 8545] [--fresh] [simulator flags]\n\n${SIMULATOR_FLAGS_HELP}`);
    return;
  }
  let port: number;
  try {
    port = flags.port ?? anvilPortFromEnv(process.env.RPC_URL);
  } catch (err) {
    console.error(`devnet: ${(err as Error).message}`);
    process.exit(1);
  }
  const statePath = resolve(DATA_DIR, "anvil-state.json");
  mkdirSync(DATA_DIR, { recursive: true });
  if (flags.fresh) {
    rmSync(statePath, { force: true });
    rmSync(DEVNET_FILE, { force: true });
  }
  const nodes = flags.sim.nodes ?? 12;
  const bulk = flags.sim.inferences !== undefined;
  const previous = readDevnetFile();
  // A fresh bulk chain starts in the past, so its simulated history ends about now.
  const steps = bulk ? Math.ceil((flags.sim.inferences as number) / (flags.sim.perBlock ?? 250)) + 40 : 0;
  const genesis =
    bulk && !previous ? Math.floor(Date.now() / 1000) - steps * (flags.sim.blockInterval ?? 300) : undefined;
  const anvil = await startAnvil({
    port,
    noMining: true,
    accounts: Math.max(40, accountsNeeded(nodes)),
    statePath,
    genesisTimestamp: genesis,
  });
  const rpc = new JsonRpc(anvil.rpcUrl);
  let stopping = false;
  let sim: Simulator | undefined;
  const shutdown = async (code: number) => {
    await anvil.stop();
    process.exit(code);
  };
  process.on("SIGINT", () => {
    if (stopping) return;
    stopping = true;
    console.log("devnet: stopping (finishing the current block)…");
    if (sim) sim.stop();
    else void shutdown(0);
  });
  process.on("SIGTERM", () => process.emit("SIGINT"));

  try {
    let deployment = previous;
    const resumed =
      deployment !== undefined && (await hasCode(rpc, deployment.addresses.attestationRegistry));
    if (!resumed || !deployment) {
      const accounts = await rpc.call<Address[]>("eth_accounts");
      deployment = await deployContracts(rpc, accounts[0], true);
      writeDevnetFile({ ...deployment, rpcUrl: anvil.rpcUrl });
    }
    // On a resumed chain, the block it resumes at (its saved head), not the contracts' deployment block.
    const at = resumed
      ? `resumed at block ${Number(await rpc.call<string>("eth_blockNumber"))} (deployed at block ${deployment.deploymentBlock})`
      : `deployed at block ${deployment.deploymentBlock}`;
    console.log(
      `devnet: anvil ${anvil.rpcUrl} (chain ${deployment.chainId}), contracts ${at}; addresses in ${DEVNET_FILE}`,
    );
    console.log(`  TEERegistry              ${deployment.addresses.teeRegistry}`);
    console.log(`  InferenceSettlementRelay ${deployment.addresses.settlementRelay}`);
    console.log(`  AttestationRegistry      ${deployment.addresses.attestationRegistry}`);
    sim = new Simulator({
      ...flags.sim,
      rpcUrl: anvil.rpcUrl,
      addresses: deployment.addresses,
      resume: resumed,
    });
    const summary = await sim.run(progressPrinter("simulator"));
    console.log(
      `simulator: ${summary.committed} inferences, ${summary.transactions} transactions in ${summary.blocks} blocks (${summary.firstBlock}..${summary.lastBlock}), ${summary.reorgs.length} reorgs, ${summary.seconds.toFixed(1)} s`,
    );
    if (bulk && !stopping) {
      console.log("devnet: bulk run done; anvil keeps serving the chain until Ctrl-C");
      await new Promise<void>((r) => process.once("SIGINT", () => r()));
    }
    await shutdown(0);
  } catch (err) {
    console.error(`devnet: ${(err as Error).message}`);
    await shutdown(1);
  }
}

/** The port of RPC_URL when set (http://127.0.0.1:<port>, as anvil listens on 127.0.0.1); 8545 when unset. */
function anvilPortFromEnv(rpcUrl: string | undefined): number {
  const value = rpcUrl?.trim();
  if (!value) return 8545;
  const match = /^http:\/\/127\.0\.0\.1:(\d{1,5})\/?$/.exec(value);
  const port = Number(match?.[1]);
  if (!match || port < 1 || port > 65_535) {
    throw new Error(
      `RPC_URL: got ${JSON.stringify(value)}, expected http://127.0.0.1:<port> (the devnet's anvil listens there; unset it for 8545, or pass --port)`,
    );
  }
  return port;
}

async function hasCode(rpc: JsonRpc, address: Address): Promise<boolean> {
  const code = await rpc.call<Hex>("eth_getCode", [address, "latest"]);
  return code !== "0x";
}

void main();
