import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDevnet } from "@attestation-explorer/testkit/devnet";
import type { Hex } from "viem";
import { describe, expect, it } from "vitest";
import { Simulator } from "../src/simulator/simulator.ts";

const GENESIS = 1_780_000_000;

/** A bulk run on a fresh chain with a fixed genesis time; returns its ground truth and every log on the chain. */
async function bulkRun(seed: string): Promise<{ truth: string; logs: unknown[]; head: Hex }> {
  const devnet = await startDevnet(GENESIS);
  try {
    const path = join(mkdtempSync(join(tmpdir(), "sim-repro-")), "truth.ndjson");
    await new Simulator({
      rpcUrl: devnet.anvil.rpcUrl,
      addresses: devnet.deployment.addresses,
      seed,
      nodes: 6,
      inferences: 200,
      perBlock: 40,
      groundTruthPath: path,
    }).run();
    const logs = await devnet.rpc.call<unknown[]>("eth_getLogs", [{ fromBlock: "0x0", toBlock: "latest" }]);
    const head = await devnet.rpc.call<{ hash: Hex }>("eth_getBlockByNumber", ["latest", false]);
    return { truth: readFileSync(path, "utf8"), logs, head: head.hash };
  } finally {
    await devnet.anvil.stop();
  }
}

describe("simulator determinism", () => {
  it("a bulk run with the same seed on the same genesis reproduces the chain byte for byte", async () => {
    const a = await bulkRun("repro");
    const b = await bulkRun("repro");
    expect(a.truth.length).toBeGreaterThan(1000);
    expect(b.truth).toBe(a.truth);
    expect(b.logs).toEqual(a.logs);
    expect(b.head).toBe(a.head);
  });

  it("another seed gives another chain", async () => {
    const a = await bulkRun("repro");
    const c = await bulkRun("another seed");
    expect(c.head).not.toBe(a.head);
    expect(c.truth).not.toBe(a.truth);
  });
});
