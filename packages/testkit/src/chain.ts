/**
 * Devnet chains for the indexer's end-to-end tests: an anvil with the three contracts and the simulator's traffic,
 * with its ground truth.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { TruthLine } from "../../../devnet/src/simulator/ground-truth.ts";
import type { SimulatorOptions } from "../../../devnet/src/simulator/options.ts";
import {
  type SimulationSummary,
  Simulator,
  type StepReport,
} from "../../../devnet/src/simulator/simulator.ts";
import { accountsNeeded } from "../../../devnet/src/simulator/world.ts";
import { type Devnet, readTruth, startDevnet } from "./devnet.ts";

// The simulator itself, for tests that drive it on a chain of their own (the explorer's stack).
export { accountsNeeded, type SimulationSummary, Simulator, type SimulatorOptions };

/** Fixed genesis time: runs with the same seed reproduce the same chain. */
export const GENESIS = 1_780_000_000;

export interface SimulatedChain {
  devnet: Devnet;
  summary: SimulationSummary;
  truth: TruthLine[];
}

export type SimOptions = Omit<SimulatorOptions, "rpcUrl" | "addresses" | "groundTruthPath">;

/** Starts a devnet (fixed genesis unless live) and runs the simulator on it, through `rpcUrl` if given. */
export async function startDevnetOnly(live = false): Promise<Devnet> {
  return startDevnet(live ? undefined : GENESIS);
}

export async function simulate(
  devnet: Devnet,
  options: SimOptions,
  run: { rpcUrl?: string; onStep?: (r: StepReport) => void; onSimulator?: (s: Simulator) => void } = {},
): Promise<Omit<SimulatedChain, "devnet">> {
  const truthPath = join(mkdtempSync(join(tmpdir(), "indexer-e2e-truth-")), "truth.ndjson");
  const sim = new Simulator({
    ...options,
    rpcUrl: run.rpcUrl ?? devnet.anvil.rpcUrl,
    addresses: devnet.deployment.addresses,
    groundTruthPath: truthPath,
  });
  run.onSimulator?.(sim);
  try {
    const summary = await sim.run(run.onStep);
    return { summary, truth: readTruth(truthPath) };
  } finally {
    rmSync(dirname(truthPath), { recursive: true, force: true });
  }
}

export async function simulatedChain(options: SimOptions): Promise<SimulatedChain> {
  const devnet = await startDevnetOnly(options.inferences === undefined);
  try {
    return { devnet, ...(await simulate(devnet, options)) };
  } catch (err) {
    await devnet.anvil.stop();
    throw err;
  }
}
