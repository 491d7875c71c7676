/**
 * Reorg oracle: the indexer follows a chain on which the simulator replaces the last 1..10 blocks again and again
 * (anvil snapshots and reverts, different transactions on the new branch). The simulator mines each block only
 * once the indexer has the head, and reverts only once it has indexed the blocks about to be abandoned, so the
 * indexer sees every reorg. Afterwards a second database synced from scratch on the final chain must be identical
 * to the first, table by table, row by row, and the first must equal the reference fold.
 */

import { simulate, startDevnetOnly } from "@attestation-explorer/testkit/chain";
import type { Devnet } from "@attestation-explorer/testkit/devnet";
import { chainHead, IndexerProcess } from "@attestation-explorer/testkit/indexer-process";
import {
  connect,
  type PgClient,
  startTestPostgres,
  type TestPostgres,
} from "@attestation-explorer/testkit/postgres";
import {
  compareDb,
  diffDumps,
  dumpTables,
  formatDifferences,
} from "@attestation-explorer/testkit/reference/compare-db";
import { type Expected, foldChainFromRpc } from "@attestation-explorer/testkit/reference/fold-chain";
import { type RpcGate, startRpcGate } from "@attestation-explorer/testkit/rpc-gate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TruthLine } from "../../devnet/src/simulator/ground-truth.ts";
import type { SimulationSummary } from "../../devnet/src/simulator/simulator.ts";

const REORG_DEPTH = 10;
/** More than the deepest reorg: the replaced blocks are still hot (not final) when the indexer sees the reorg. */
const FINALITY = REORG_DEPTH + 2;

describe("reorgs while following the head", () => {
  let pg: TestPostgres;
  let devnet: Devnet;
  let gate: RpcGate;
  let live: IndexerProcess;
  let fresh: IndexerProcess;
  let liveDb: PgClient;
  let freshDb: PgClient;
  let summary: SimulationSummary;
  let truth: TruthLine[];
  let expected: Expected;

  beforeAll(async () => {
    IndexerProcess.assertBuilt();
    [pg, devnet] = await Promise.all([startTestPostgres(), startDevnetOnly()]);
    const target = {
      rpcUrl: devnet.anvil.rpcUrl,
      addresses: devnet.deployment.addresses,
      startBlock: devnet.deployment.deploymentBlock,
      finalityConfirmations: FINALITY,
    };
    live = new IndexerProcess({ ...target, databaseUrl: await pg.createDatabase("reorg_live") });
    await live.start();
    gate = await startRpcGate(devnet.anvil.rpcUrl, ["evm_mine", "evm_revert"], async (method) => {
      const head = await chainHead(devnet.anvil.rpcUrl);
      // Before a revert: the indexer must hold the blocks about to be abandoned. Before a block: the indexer has
      // the head, or is still on a longer abandoned branch (it sees the reorg once the new branch outgrows it).
      await live.waitForHeight(head.number, {
        hash: method === "evm_revert" ? head.hash : undefined,
        timeoutMs: 120_000,
      });
    });
    const run = await simulate(
      devnet,
      {
        seed: "reorg-oracle",
        nodes: 6,
        inferences: 700,
        perBlock: 4,
        reorgEvery: 12,
        reorgDepth: REORG_DEPTH,
      },
      { rpcUrl: gate.url },
    );
    summary = run.summary;
    truth = run.truth;
    const head = await chainHead(devnet.anvil.rpcUrl);
    await live.waitForHeight(head.number, { hash: head.hash });
    await live.stop();

    fresh = new IndexerProcess({ ...target, databaseUrl: await pg.createDatabase("reorg_fresh") });
    await fresh.start();
    await fresh.waitForHeight(head.number, { hash: head.hash });
    await fresh.stop();

    expected = await foldChainFromRpc({
      rpcUrl: devnet.anvil.rpcUrl,
      addresses: devnet.deployment.addresses,
      fromBlock: devnet.deployment.deploymentBlock,
      toBlock: head.number,
    });
    liveDb = await connect(live.target.databaseUrl);
    freshDb = await connect(fresh.target.databaseUrl);
  });

  afterAll(async () => {
    await liveDb?.end().catch(() => {});
    await freshDb?.end().catch(() => {});
    await live?.close();
    await fresh?.close();
    await gate?.close();
    await devnet?.anvil.stop();
    await pg?.stop();
  });

  it("saw every reorg the simulator injected (at least 20, depth 1-10), each recorded once", async () => {
    expect(summary.reorgs.length).toBeGreaterThanOrEqual(20);
    expect(Math.max(...summary.reorgs.map((r) => r.depth))).toBeGreaterThan(5);
    const { rows } = await liveDb.query<{ from_block: number; to_block: number; depth: number }>(
      "SELECT from_block, to_block, depth FROM reorg ORDER BY detected_at, from_block",
    );
    expect(rows.map((r) => [r.from_block, r.to_block, r.depth])).toEqual(
      summary.reorgs.map((r) => [r.fromBlock, r.toBlock, r.depth]),
    );
    const { rows: state } = await liveDb.query<{ reorged_blocks: number }>(
      "SELECT reorged_blocks FROM indexer_state",
    );
    expect(state[0].reorged_blocks).toBe(summary.reorgs.reduce((a, r) => a + r.depth, 0));
    const { rows: none } = await freshDb.query("SELECT * FROM reorg");
    expect(none).toEqual([]);
  });

  it("the abandoned branches held state changes the rollback had to undo", () => {
    const abandoned = new Set(truth.filter((l) => l.reorged).map((l) => l.kind));
    // a TEE registration (settlements re-checked), a PCR re-approval, an enable, commits, verdicts, slashes...
    for (const kind of [
      "registerTEE",
      "approvePCR",
      "enableTEE",
      "commit",
      "reveal",
      "verify",
      "settleIndividual",
      "slash",
      "heartbeat",
    ])
      expect(abandoned, kind).toContain(kind);
  });

  it("ends with exactly the database a fresh sync of the final chain builds, table by table, row by row", async () => {
    const [a, b] = await Promise.all([dumpTables(freshDb), dumpTables(liveDb)]);
    expect(Object.keys(a).length).toBeGreaterThan(15);
    expect(a.inference.rows.length).toBe(expected.inferences.size);
    const diffs = diffDumps(a, b);
    expect(diffs.length, formatDifferences(diffs)).toBe(0);
  });

  it("and that database equals the reference fold of the final chain", async () => {
    expect(expected.warnings).toEqual([]);
    const diffs = await compareDb(liveDb, expected);
    expect(diffs.length, formatDifferences(diffs)).toBe(0);
  });
});
