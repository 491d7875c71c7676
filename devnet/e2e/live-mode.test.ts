import { type Devnet, startDevnet } from "@attestation-explorer/testkit/devnet";
import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimulationSummary, Simulator, type StepReport } from "../src/simulator/simulator.ts";

describe("live mode", () => {
  let devnet: Devnet;
  let summary: SimulationSummary;
  const reports: StepReport[] = [];
  let started: number;

  beforeAll(async () => {
    devnet = await startDevnet();
    started = Math.floor(Date.now() / 1000);
    summary = await new Simulator({
      rpcUrl: devnet.anvil.rpcUrl,
      addresses: devnet.deployment.addresses,
      seed: "live",
      nodes: 5,
      rate: 10,
      blockTime: 1,
      maxSteps: 5,
    }).run((r) => reports.push(r));
  });
  afterAll(async () => {
    await devnet?.anvil.stop();
  });

  it("mines about one block per second with wall-clock timestamps and commits at the requested rate", () => {
    expect(reports).toHaveLength(5);
    const ended = Math.floor(Date.now() / 1000);
    for (const r of reports) {
      expect(r.timestamp).toBeGreaterThanOrEqual(started - 1);
      expect(r.timestamp).toBeLessThanOrEqual(ended + 1);
    }
    for (let i = 1; i < reports.length; i++)
      expect(reports[i].timestamp).toBeGreaterThan(reports[i - 1].timestamp);
    // 10/s over 5 blocks of 1 s: Poisson, so allow a wide band.
    expect(summary.committed).toBeGreaterThan(15);
    expect(summary.committed).toBeLessThan(100);
  });

  it("moves inferences along their lifecycle in later blocks", async () => {
    const logs = await devnet.rpc.call<{ topics: Hex[] }[]>("eth_getLogs", [
      { fromBlock: "0x0", toBlock: "latest", address: devnet.deployment.addresses.attestationRegistry },
    ]);
    const count = (sig: string) => logs.filter((l) => l.topics[0] === sig).length;
    const { keccak256, toHex } = await import("viem");
    const committed = keccak256(
      toHex("InferenceCommitted(bytes32,bytes32,bytes32,uint8,bytes32,bytes32,uint64)"),
    );
    const revealed = keccak256(toHex("InferenceRevealed(bytes32,bytes32,bytes32,bytes32,bytes)"));
    expect(count(committed)).toBe(summary.committed);
    expect(count(revealed)).toBeGreaterThan(0);
  });
});
