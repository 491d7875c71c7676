import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Devnet, readTruth, startDevnet } from "@attestation-explorer/testkit/devnet";
import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TruthLine } from "../src/simulator/ground-truth.ts";
import { type SimulationSummary, Simulator } from "../src/simulator/simulator.ts";

describe("reorg injection", () => {
  let devnet: Devnet;
  let truth: TruthLine[];
  let summary: SimulationSummary;

  beforeAll(async () => {
    devnet = await startDevnet();
    const path = join(mkdtempSync(join(tmpdir(), "sim-reorg-")), "truth.ndjson");
    summary = await new Simulator({
      rpcUrl: devnet.anvil.rpcUrl,
      addresses: devnet.deployment.addresses,
      seed: "reorgs",
      nodes: 6,
      inferences: 300,
      perBlock: 15,
      reorgEvery: 6,
      reorgDepth: 4,
      groundTruthPath: path,
    }).run();
    truth = readTruth(path);
  });
  afterAll(async () => {
    await devnet?.anvil.stop();
  });

  it("replaces the last 1..k blocks several times and records each reorg in the ground truth", () => {
    expect(summary.reorgs.length).toBeGreaterThanOrEqual(3);
    for (const r of summary.reorgs) {
      expect(r.depth).toBeGreaterThanOrEqual(1);
      expect(r.depth).toBeLessThanOrEqual(4);
      expect(r.toBlock - r.fromBlock + 1).toBe(r.depth);
    }
    const markers = truth.filter((l) => l.kind === "reorg");
    expect(markers.map((m) => [m.fromBlock, m.toBlock, m.depth])).toEqual(
      summary.reorgs.map((r) => [r.fromBlock, r.toBlock, r.depth]),
    );
  });

  it("every transaction not marked reorged is on the canonical chain in the block the ground truth names", async () => {
    const kept = truth.filter((l) => l.kind !== "reorg" && !l.reorged);
    const receipts = await devnet.rpc.batch<{ blockHash: Hex; status: Hex } | null>(
      kept.map((l) => ({ method: "eth_getTransactionReceipt", params: [l.tx] })),
    );
    receipts.forEach((r, i) => {
      expect(r, kept[i].tx).not.toBeNull();
      expect(r?.blockHash).toBe(kept[i].blockHash);
      expect(r?.status).toBe("0x1");
    });
  });

  it("transactions marked reorged are not in the canonical block they were mined in", async () => {
    const dropped = truth.filter((l) => l.reorged);
    expect(dropped.length).toBeGreaterThan(0);
    const receipts = await devnet.rpc.batch<{ blockHash: Hex } | null>(
      dropped.map((l) => ({ method: "eth_getTransactionReceipt", params: [l.tx] })),
    );
    receipts.forEach((r, i) => {
      if (r !== null) expect(r.blockHash).not.toBe(dropped[i].blockHash);
    });
    // Most replaced transactions are gone altogether: the new branch carries different traffic.
    expect(receipts.filter((r) => r === null).length).toBeGreaterThan(dropped.length / 2);
  });

  it("each replacement block differs from the block it replaced, and the final chain outgrew every abandoned head", async () => {
    const abandoned = new Map<number, string>();
    for (const l of truth) if (l.reorged && l.blockHash) abandoned.set(l.block, l.blockHash);
    const blocks = await devnet.rpc.batch<{ hash: Hex }>(
      [...abandoned.keys()].map((n) => ({
        method: "eth_getBlockByNumber",
        params: [`0x${n.toString(16)}`, false],
      })),
    );
    for (const [i, hash] of [...abandoned.values()].entries()) expect(blocks[i].hash).not.toBe(hash);
    const maxAbandoned = Math.max(...summary.reorgs.map((r) => r.toBlock));
    expect(summary.lastBlock).toBeGreaterThan(maxAbandoned);
  });
});
