import { startDevnet } from "@attestation-explorer/testkit/devnet";
import { describe, expect, it } from "vitest";
import { Simulator } from "../src/simulator/simulator.ts";

describe("resuming a devnet", () => {
  it("a live run continues a chain a bulk run set up, without reverts and without reusing request ids", async () => {
    const devnet = await startDevnet();
    try {
      const common = {
        rpcUrl: devnet.anvil.rpcUrl,
        addresses: devnet.deployment.addresses,
        seed: "resume",
        nodes: 5,
      };
      const bulk = await new Simulator({ ...common, inferences: 300, perBlock: 50 }).run();
      // Live timing differs from bulk timing (reveal window, unlock delay): the resumed run must set it again, or
      // its expiries and withdrawals would revert against the bulk run's windows.
      const live = await new Simulator({
        ...common,
        rate: 15,
        blockTime: 1,
        maxSteps: 30,
        resume: true,
      }).run();
      expect(bulk.committed).toBe(300);
      expect(live.committed).toBeGreaterThan(100);
      expect(live.firstBlock).toBeGreaterThan(bulk.lastBlock);
    } finally {
      await devnet.anvil.stop();
    }
  });
});
