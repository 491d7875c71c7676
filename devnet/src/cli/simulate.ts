// `npm run simulate -- [flags]`: the simulator alone, against a running chain that mines on demand (e.g. the
// devnet's anvil). Addresses come from the environment or .data/devnet.json.
import { readDevnetFile } from "../chain/devnet-file.ts";
import { Simulator } from "../simulator/simulator.ts";
import { parseSimulatorFlags, SIMULATOR_FLAGS_HELP } from "./args.ts";
import { progressPrinter } from "./progress.ts";

async function main(): Promise<void> {
  const flags = parseSimulatorFlags(process.argv.slice(2));
  if (flags.help) {
    console.log(`npm run simulate -- [--rpc URL] [simulator flags]\n\n${SIMULATOR_FLAGS_HELP}`);
    return;
  }
  const devnet = readDevnetFile();
  const env = process.env;
  const addresses = {
    teeRegistry: env.TEE_REGISTRY_ADDRESS ?? devnet?.addresses.teeRegistry ?? "",
    settlementRelay: env.SETTLEMENT_RELAY_ADDRESS ?? devnet?.addresses.settlementRelay ?? "",
    attestationRegistry: env.ATTESTATION_REGISTRY_ADDRESS ?? devnet?.addresses.attestationRegistry ?? "",
  };
  const sim = new Simulator({
    ...flags.sim,
    rpcUrl: flags.rpc ?? env.RPC_URL ?? devnet?.rpcUrl ?? "http://127.0.0.1:8545",
    addresses: addresses as never,
    resume: true,
  });
  process.on("SIGINT", () => sim.stop());
  const summary = await sim.run(progressPrinter("simulator"));
  console.log(JSON.stringify(summary));
}

main().catch((err: Error) => {
  console.error(`simulate: ${err.message}`);
  process.exit(1);
});
