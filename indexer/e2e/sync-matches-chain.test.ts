/**
 * The indexer follows a bulk simulator run block by block (the simulator mines each block only once the indexer
 * has indexed the previous one, so the test can look at the database between blocks), then:
 * - the database equals the reference fold (testkit's reference/fold-chain.ts) in every table it models;
 * - statuses and checks agree with the simulator's ground truth;
 * - every check kind takes PASS and FAIL (and UNKNOWN where the spec gives it);
 * - a PCR revocation turns earlier PASS results into FAIL in the database (retroactive taint);
 * - a settlement made before its TEE registered is re-checked (PASS) and gets its node once the TEE registers.
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
  formatDifferences,
  readRows,
  unmodelledColumns,
} from "@attestation-explorer/testkit/reference/compare-db";
import {
  type Expected,
  foldChainFromRpc,
  type Row,
} from "@attestation-explorer/testkit/reference/fold-chain";
import {
  canonicalTruth,
  truthMismatches,
  valuesOf,
} from "@attestation-explorer/testkit/reference/truth-checks";
import { type RpcGate, startRpcGate } from "@attestation-explorer/testkit/rpc-gate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TruthLine } from "../../devnet/src/simulator/ground-truth.ts";

const FINALITY = 5;

interface Snapshot {
  height: number;
  inference: Map<string, Row>;
  settlement: Map<string, Row>;
}

describe("indexing a bulk simulator run", () => {
  let pg: TestPostgres;
  let devnet: Devnet;
  let gate: RpcGate;
  let indexer: IndexerProcess;
  let client: PgClient;
  let watcher: PgClient;
  let truth: TruthLine[];
  let expected: Expected;
  const snapshots: Snapshot[] = [];

  beforeAll(async () => {
    IndexerProcess.assertBuilt();
    [pg, devnet] = await Promise.all([startTestPostgres(), startDevnetOnly()]);
    const databaseUrl = await pg.createDatabase("sync");
    indexer = new IndexerProcess({
      rpcUrl: devnet.anvil.rpcUrl,
      addresses: devnet.deployment.addresses,
      startBlock: devnet.deployment.deploymentBlock,
      databaseUrl,
      finalityConfirmations: FINALITY,
    });
    await indexer.start();
    watcher = await connect(databaseUrl);
    // Before each block is mined: wait until the indexer has the head, then keep what it says.
    gate = await startRpcGate(devnet.anvil.rpcUrl, ["evm_mine"], async () => {
      const head = await chainHead(devnet.anvil.rpcUrl);
      const state = await indexer.waitForHeight(head.number, { hash: head.hash, timeoutMs: 120_000 });
      snapshots.push({
        height: state.height,
        inference: await readRows(watcher, "inference", "WHERE mode = 'TEE'"),
        settlement: await readRows(watcher, "settlement"),
      });
    });
    const run = await simulate(
      devnet,
      { seed: "sync-matches-chain", nodes: 8, inferences: 1_500, perBlock: 100 },
      { rpcUrl: gate.url },
    );
    truth = run.truth;
    const head = await chainHead(devnet.anvil.rpcUrl);
    await indexer.waitForHeight(head.number, { hash: head.hash });
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
    await watcher?.end().catch(() => {});
    await indexer?.close();
    await gate?.close();
    await devnet?.anvil.stop();
    await pg?.stop();
  });

  it("the database equals the reference fold in every table (counts, checks, stake, reputation)", async () => {
    expect(expected.warnings).toEqual([]);
    const diffs = await compareDb(client, expected);
    expect(diffs.length, formatDifferences(diffs)).toBe(0);
    // ... and the fold models every column of the schema (reputation through what it evaluates to).
    expect(await unmodelledColumns(client, expected)).toEqual([]);
  });

  it("statuses and checks agree with the simulator's ground truth", async () => {
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

  it("every check kind is exercised with PASS and FAIL, and UNKNOWN for a settlement by an unregistered TEE", async () => {
    const inf = [...(await readRows(client, "inference")).values()];
    const tee = (r: Row) => r.mode === "TEE";
    expect(valuesOf(inf, "commitment_check")).toEqual(new Set(["PASS", "FAIL", "NOT_APPLICABLE"]));
    expect(valuesOf(inf, "reveal_on_time_check")).toEqual(new Set(["PASS", "FAIL"]));
    expect(valuesOf(inf, "tee_signature_check", tee)).toEqual(new Set(["PASS", "FAIL", "NOT_APPLICABLE"]));
    expect(valuesOf(inf, "pcr_valid_check", tee)).toEqual(new Set(["PASS", "FAIL"]));
    expect(valuesOf(inf, "discrepancy")).toEqual(new Set([true, false]));
    const st = [...(await readRows(client, "settlement")).values()];
    expect(valuesOf(st, "signature_check")).toEqual(new Set(["PASS", "FAIL", "UNKNOWN"]));
    expect(valuesOf(st, "freshness_check")).toEqual(new Set(["PASS", "FAIL"]));
    expect(valuesOf(st, "tee_enabled_check")).toEqual(new Set(["PASS", "FAIL"]));
    expect(valuesOf(st, "pcr_valid_check")).toEqual(new Set(["PASS", "FAIL", "UNKNOWN"]));
    expect(valuesOf((await readRows(client, "heartbeat")).values(), "signature_check")).toEqual(
      new Set(["PASS", "FAIL"]),
    );
  });

  it("a PCR revocation turns the earlier PASS results on that PCR into FAIL, and counts follow", async () => {
    const revoke = canonicalTruth(truth).find((l) => l.kind === "revokePCR") as TruthLine;
    const pcr = String(revoke.pcrHash);
    const before = snapshots.find((s) => s.height === revoke.block - 1);
    expect(before, `no snapshot of the database at block ${revoke.block - 1}`).toBeDefined();
    const snap = before as Snapshot;
    const now = await readRows(client, "inference");
    const wasPass = [...snap.inference.values()].filter(
      (r) => r.pcr_hash === pcr && r.pcr_valid_check === "PASS",
    );
    expect(wasPass.length).toBeGreaterThan(5);
    for (const r of wasPass)
      expect(now.get(r.id as string)?.pcr_valid_check, `inference ${r.id}`).toBe("FAIL");
    const verifiedThen = wasPass.filter((r) => now.get(r.id as string)?.status === "VERIFIED");
    expect(verifiedThen.length).toBeGreaterThan(0);
    for (const r of verifiedThen)
      expect(now.get(r.id as string)?.discrepancy, `inference ${r.id}`).toBe(true);

    const settlementsNow = await readRows(client, "settlement");
    const settledPass = [...snap.settlement.values()].filter(
      (r) => r.pcr_hash === pcr && r.pcr_valid_check === "PASS",
    );
    expect(settledPass.length).toBeGreaterThan(5);
    for (const r of settledPass)
      expect(settlementsNow.get(r.id as string)?.pcr_valid_check, `settlement ${r.id}`).toBe("FAIL");
  });

  it("a settlement made before its TEE registered is re-checked (PASS) and gets its node when the TEE registers", async () => {
    const lines = canonicalTruth(truth);
    const registered = new Map(
      lines.filter((l) => l.kind === "registerTEE").map((l) => [String(l.node), l.block]),
    );
    const early = lines.filter(
      (l) =>
        l.kind === "settleIndividual" &&
        registered.has(String(l.teeId)) &&
        l.block < (registered.get(String(l.teeId)) as number),
    );
    expect(early.length).toBeGreaterThan(0);
    const now = await readRows(client, "settlement");
    for (const l of early) {
      const regBlock = registered.get(String(l.teeId)) as number;
      const snap = snapshots.find((s) => s.height === regBlock - 1) as Snapshot;
      expect(snap, `no snapshot at block ${regBlock - 1}`).toBeDefined();
      const then = [...snap.settlement.values()].find((r) => r.tx === l.tx);
      expect(then).toMatchObject({ signature_check: "UNKNOWN", node_id: null, tee_enabled_check: "FAIL" });
      const after = [...now.values()].find((r) => r.tx === l.tx);
      expect(after).toMatchObject({
        signature_check: "PASS",
        node_id: String(l.teeId),
        tee_enabled_check: "FAIL",
        pcr_valid_check: "UNKNOWN",
      });
    }
  });

  it("the comparison itself notices a changed cell, a missing row and a stale reputation (meta-test)", async () => {
    const node = [...expected.nodes.values()].find((n) => n.committed > 0) as { id: string };
    await client.query("BEGIN");
    try {
      await client.query("UPDATE node SET committed = committed + 1, rep_n = rep_n * 2 WHERE id = $1", [
        node.id,
      ]);
      await client.query("DELETE FROM heartbeat WHERE id IN (SELECT id FROM heartbeat LIMIT 1)");
      const diffs = await compareDb(client, expected, ["node", "heartbeat"]);
      const kinds = new Set(diffs.map((d) => `${d.table}.${d.column}`));
      expect(kinds).toContain("node.committed");
      expect(kinds).toContain("node.reputation.effectiveSamples");
      expect(kinds).toContain("heartbeat.(row)");
    } finally {
      await client.query("ROLLBACK");
    }
    expect(await compareDb(client, expected, ["node", "heartbeat"])).toEqual([]);
  });

  it("records its position: height at the head, finalized height = head - confirmations, no reorgs", async () => {
    const head = await chainHead(devnet.anvil.rpcUrl);
    const state = await indexer.state();
    expect(state).toMatchObject({ height: head.number, hash: head.hash, reorgedBlocks: 0 });
    expect(state?.finalizedHeight).toBe((state?.chainHeight as number) - FINALITY);
    const { rows } = await client.query("SELECT * FROM reorg");
    expect(rows).toEqual([]);
  });
});
