/**
 * The indexer follows a live devnet (the simulator mines a block a second with wall-clock timestamps, ~20
 * inferences a second) from its first block, staying near the head, and ends with the reference fold's state.
 */

import { simulate, startDevnetOnly } from "@attestation-explorer/testkit/chain";
import type { Devnet } from "@attestation-explorer/testkit/devnet";
import { chainHead, IndexerProcess, type IndexerState } from "@attestation-explorer/testkit/indexer-process";
import {
  connect,
  type PgClient,
  startTestPostgres,
  type TestPostgres,
} from "@attestation-explorer/testkit/postgres";
import { compareDb, formatDifferences, readRows } from "@attestation-explorer/testkit/reference/compare-db";
import { type Expected, foldChainFromRpc } from "@attestation-explorer/testkit/reference/fold-chain";
import { truthMismatches } from "@attestation-explorer/testkit/reference/truth-checks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TruthLine } from "../../devnet/src/simulator/ground-truth.ts";
import type { StepReport } from "../../devnet/src/simulator/simulator.ts";

const BLOCKS = 40;

describe("following a live devnet", () => {
  let pg: TestPostgres;
  let devnet: Devnet;
  let indexer: IndexerProcess;
  let client: PgClient;
  let truth: TruthLine[];
  let expected: Expected;
  /** Blocks the indexer was behind the head when each block was mined (after the first ten). */
  const lags: number[] = [];

  beforeAll(async () => {
    IndexerProcess.assertBuilt();
    [pg, devnet] = await Promise.all([startTestPostgres(), startDevnetOnly(true)]);
    const databaseUrl = await pg.createDatabase("live");
    indexer = new IndexerProcess({
      rpcUrl: devnet.anvil.rpcUrl,
      addresses: devnet.deployment.addresses,
      startBlock: devnet.deployment.deploymentBlock,
      databaseUrl,
      finalityConfirmations: 5,
    });
    await indexer.start();
    await indexer.waitForHeight((await chainHead(devnet.anvil.rpcUrl)).number);
    const pending: Promise<void>[] = [];
    const onStep = (r: StepReport) => {
      if (r.step <= 10) return;
      pending.push(
        indexer.state().then((s: IndexerState | undefined) => {
          lags.push(r.block - (s?.height ?? 0));
        }),
      );
    };
    const run = await simulate(
      devnet,
      { seed: "live-sync", nodes: 8, rate: 20, blockTime: 1, maxSteps: BLOCKS },
      { onStep },
    );
    await Promise.all(pending);
    truth = run.truth;
    const head = await chainHead(devnet.anvil.rpcUrl);
    await indexer.waitForHeight(head.number, { hash: head.hash, timeoutMs: 60_000 });
    expected = await foldChainFromRpc({
      rpcUrl: devnet.anvil.rpcUrl,
      addresses: devnet.deployment.addresses,
      fromBlock: devnet.deployment.deploymentBlock,
      toBlock: head.number,
    });
    client = await connect(databaseUrl);
  });

  afterAll(async () => {
    await client?.end().catch(() => {});
    await indexer?.close();
    await devnet?.anvil.stop();
    await pg?.stop();
  });

  it("keeps up with the head while the chain grows (the median lag is at most 5 blocks)", () => {
    expect(lags.length).toBeGreaterThan(20);
    const sorted = [...lags].sort((a, b) => a - b);
    // The block just mined is not indexed yet; the indexer should be within a few blocks of it.
    expect(sorted[Math.floor(sorted.length / 2)], `lags: ${lags.join(",")}`).toBeLessThanOrEqual(5);
  });

  it("ends with the database equal to the reference fold", async () => {
    expect(expected.inferences.size).toBeGreaterThan(300);
    expect(expected.warnings).toEqual([]);
    const diffs = await compareDb(client, expected);
    expect(diffs.length, formatDifferences(diffs)).toBe(0);
  });

  it("agrees with the simulator's ground truth", async () => {
    const mismatches = truthMismatches(
      {
        inference: await readRows(client, "inference"),
        settlement: (await readRows(client, "settlement")).values(),
        heartbeat: (await readRows(client, "heartbeat")).values(),
      },
      truth,
    );
    expect(mismatches.slice(0, 20), `${mismatches.length} mismatches`).toEqual([]);
  });
});
