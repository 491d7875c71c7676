/**
 * The corners of spec/README.md that the simulator does not reach, on a hand-written devnet chain
 * (testkit's edge-chain.ts), indexed from scratch: the database must equal the reference fold, and both must say
 * what the spec says, case by case.
 */

import { RESTATED_AFTER_SQL } from "@attestation-explorer/rep-history";
import { startDevnetOnly } from "@attestation-explorer/testkit/chain";
import type { Devnet } from "@attestation-explorer/testkit/devnet";
import { buildEdgeChain, type EdgeChain } from "@attestation-explorer/testkit/edge-chain";
import { chainHead, IndexerProcess } from "@attestation-explorer/testkit/indexer-process";
import {
  connect,
  type PgClient,
  startTestPostgres,
  type TestPostgres,
} from "@attestation-explorer/testkit/postgres";
import { compareDb, formatDifferences, readRows } from "@attestation-explorer/testkit/reference/compare-db";
import {
  type Expected,
  foldChainFromRpc,
  type Row,
} from "@attestation-explorer/testkit/reference/fold-chain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

describe("spec corners on a hand-written chain", () => {
  let pg: TestPostgres;
  let devnet: Devnet;
  let edge: EdgeChain;
  let indexer: IndexerProcess;
  let db: PgClient;
  let expected: Expected;
  const rows: Record<string, Map<string, Row>> = {};
  const byTx = (table: string, tx: string) => [...rows[table].values()].filter((r) => r.tx === tx);
  const blockTime = async (n: number) => {
    const { rows: r } = await db.query<{ at: Date }>(
      "SELECT at FROM inference_verdict WHERE block = $1 LIMIT 1",
      [n],
    );
    return r[0]?.at.toISOString();
  };

  beforeAll(async () => {
    IndexerProcess.assertBuilt();
    [pg, devnet] = await Promise.all([startTestPostgres(), startDevnetOnly()]);
    edge = await buildEdgeChain(devnet);
    const head = await chainHead(devnet.anvil.rpcUrl);
    indexer = new IndexerProcess({
      rpcUrl: devnet.anvil.rpcUrl,
      addresses: devnet.deployment.addresses,
      startBlock: devnet.deployment.deploymentBlock,
      databaseUrl: await pg.createDatabase("corners"),
      finalityConfirmations: 5,
    });
    await indexer.start();
    await indexer.waitForHeight(head.number, { hash: head.hash });
    expected = await foldChainFromRpc({
      rpcUrl: devnet.anvil.rpcUrl,
      addresses: devnet.deployment.addresses,
      fromBlock: devnet.deployment.deploymentBlock,
      toBlock: head.number,
    });
    db = await connect(indexer.target.databaseUrl);
    for (const t of [
      "node",
      "heartbeat",
      "settlement",
      "inference",
      "inference_verdict",
      "slash",
      "withdrawal",
      "pcr",
      "pcr_event",
    ])
      rows[t] = await readRows(db, t);
  });

  afterAll(async () => {
    await db?.end().catch(() => {});
    await indexer?.close();
    await devnet?.anvil.stop();
    await pg?.stop();
  });

  it("the database equals the reference fold", async () => {
    expect(expected.warnings).toEqual([]);
    const diffs = await compareDb(db, expected);
    expect(diffs.length, formatDifferences(diffs)).toBe(0);
  });

  it("a TEE registered through another contract is learnt with getTEE; its forwarded heartbeat is UNKNOWN and counts", () => {
    const x = rows.node.get(edge.tees.X.teeId) as Row;
    expect(x).toMatchObject({
      key_source: "GET_TEE",
      key_status: "VALID",
      owner: edge.forwarder,
      public_key: edge.tees.X.publicKeyDer.toLowerCase(),
      endpoint: "https://x.edge.example",
      pcr_hash: edge.pcrs.P1.hash,
    });
    const [hb] = byTx("heartbeat", edge.heartbeatTx.viaForwarder);
    expect(hb).toMatchObject({ signature: null, signature_check: "UNKNOWN", counts: true });
    expect(x.last_heartbeat_at).toBe(hb.at);
    const [huge] = byTx("settlement", edge.settlementTx.huge);
    expect(huge).toMatchObject({ signature_check: "PASS", node_id: edge.tees.X.teeId });
  });

  it("a FAIL heartbeat does not count toward lastHeartbeatAt; a PASS one does", () => {
    const [bad] = byTx("heartbeat", edge.heartbeatTx.bad);
    const [good] = byTx("heartbeat", edge.heartbeatTx.good);
    expect(bad).toMatchObject({ signature_check: "FAIL", counts: false });
    expect(good).toMatchObject({ signature_check: "PASS", counts: true });
    expect(rows.node.get(edge.tees.Y.teeId)?.last_heartbeat_at).toBe(good.at);
  });

  it("freshness at its bounds: signed 3600 s before the block or 300 s after it PASS; one second further FAIL", () => {
    const check = (name: string) => byTx("settlement", edge.settlementTx[name])[0]?.freshness_check;
    expect(check("freshPast")).toBe("PASS");
    expect(check("stalePast")).toBe("FAIL");
    expect(check("freshFuture")).toBe("PASS");
    expect(check("staleFuture")).toBe("FAIL");
    for (const name of ["freshPast", "stalePast", "freshFuture", "staleFuture"]) {
      expect(byTx("settlement", edge.settlementTx[name])[0]?.signature_check, name).toBe("PASS");
    }
  });

  it("a settlement timestamp beyond 9999-12-31 has a null timestamp and fails freshness; empty bytes are 0x", () => {
    const [huge] = byTx("settlement", edge.settlementTx.huge);
    expect(huge).toMatchObject({
      timestamp: null,
      timestamp_seconds: edge.huge.toString(),
      freshness_check: "FAIL",
    });
    const [empty] = byTx("settlement", edge.settlementTx.empty);
    expect(empty).toMatchObject({ signature: "0x", walrus_blob_id: "0x", signature_check: "FAIL" });
    const [forged] = byTx("settlement", edge.settlementTx.r1Forged);
    expect(forged).toMatchObject({ walrus_blob_id: "0x", signature_check: "FAIL" });
  });

  it("when several settlements match an inference the earliest counts (here a forged one: a discrepancy)", () => {
    const [forged] = byTx("settlement", edge.settlementTx.r1Forged);
    const [good] = byTx("settlement", edge.settlementTx.r1Good);
    expect(good.signature_check).toBe("PASS");
    expect(rows.inference.get(edge.requests.r1)).toMatchObject({
      settlement_id: forged.id,
      tee_signature_check: "FAIL",
      status: "VERIFIED",
      discrepancy: true,
    });
  });

  it("a re-verification: the latest InferenceVerified sets status, outcome and settled block; counts follow", async () => {
    const r2 = rows.inference.get(edge.requests.r2) as Row;
    expect(r2).toMatchObject({
      status: "FAILED",
      outcome: "FAILED",
      settled_block: edge.blocks.B9,
      discrepancy: false,
    });
    expect(r2.settled_at).toBe(await blockTime(edge.blocks.B9));
    const verdicts = [...rows.inference_verdict.values()].filter((v) => v.inference_id === edge.requests.r2);
    expect(verdicts.map((v) => v.outcome).sort()).toEqual(["FAILED", "VERIFIED"]);
    expect(rows.node.get(edge.tees.Y.teeId)).toMatchObject({
      verified: 1,
      failed: 1,
      expired: 1,
      discrepancies: 1,
    });
  });

  it("slashes: no request id or an unknown one leave the inference null; a slash takes at most the stake", () => {
    const [zero] = byTx("slash", edge.slashTx.zeroRequest);
    expect(zero).toMatchObject({
      inference_id: null,
      request_id: `0x${"0".repeat(64)}`,
      reason: "INVALID_PROOF",
    });
    const [unknown] = byTx("slash", edge.slashTx.unknownRequest);
    expect(unknown).toMatchObject({
      inference_id: null,
      amount: "10000000000000000000",
      remaining_stake: "0",
      reason: "EQUIVOCATION",
    });
    const timeout = [...rows.slash.values()].find((s) => s.inference_id === edge.requests.r4);
    expect(timeout).toMatchObject({ reason: "REVEAL_TIMEOUT", amount: "0", remaining_stake: "0" });
    expect(rows.inference.get(edge.requests.r4)).toMatchObject({
      status: "EXPIRED",
      reveal_on_time_check: "FAIL",
      commitment_check: "NOT_APPLICABLE",
      tee_signature_check: "NOT_APPLICABLE",
    });
  });

  it("a withdrawal completed after a slash emptied the stake pays 0 and stops being pending", () => {
    expect(rows.withdrawal.get("1")).toMatchObject({
      amount: "5000000000000000000",
      paid: "0",
      completed_block: edge.blocks.B9,
    });
    expect(rows.node.get(edge.tees.Y.teeId)).toMatchObject({
      stake: "0",
      pending_withdrawals: "0",
      total_slashed: "10000000000000000000",
    });
  });

  it("teeEnabled fails for a settlement while the TEE is disabled", () => {
    const [s] = byTx("settlement", edge.settlementTx.whileDisabled);
    expect(s).toMatchObject({ tee_enabled_check: "FAIL", signature_check: "PASS" });
  });

  it("PCRRevoked(hash, type) taints that type; the one-argument PCRRevoked(hash) revokes the hash for every type", () => {
    for (const k of ["r1", "r2", "r4"] as const)
      expect(rows.inference.get(edge.requests[k])?.pcr_valid_check).toBe("FAIL");
    for (const k of ["huge", "r1Forged", "r1Good", "r2", "empty"])
      expect(byTx("settlement", edge.settlementTx[k])[0]?.pcr_valid_check, k).toBe("FAIL");
    const p2 = edge.pcrs.P2.hash;
    expect(rows.pcr.get(`${p2}-1`)).toMatchObject({
      approved: false,
      ever_revoked: true,
      last_revoked_block: edge.blocks.B10,
    });
    expect(rows.pcr.get(`${p2}-2`)).toMatchObject({
      approved: false,
      ever_revoked: true,
      last_revoked_block: edge.blocks.B10,
    });
    const legacy = [...rows.pcr_event.values()].find((e) => e.block === edge.blocks.B10);
    expect(legacy).toMatchObject({ kind: "REVOKED", tee_type: null, pcr_hash: p2 });
    // W runs P2 as type 2: its VERIFIED inference is now a discrepancy.
    expect(rows.inference.get(edge.requests.r5)).toMatchObject({
      pcr_valid_check: "FAIL",
      status: "VERIFIED",
      discrepancy: true,
    });
    expect(byTx("settlement", edge.settlementTx.r5)[0]?.pcr_valid_check).toBe("FAIL");
  });

  it("a TEE-mode inference of a node that registers later: pcrValid UNKNOWN, its settlement re-checked to PASS", () => {
    expect(rows.inference.get(edge.requests.r6)).toMatchObject({
      status: "VERIFIED",
      pcr_valid_check: "UNKNOWN",
      pcr_hash: null,
      tee_signature_check: "PASS",
      discrepancy: false,
    });
    const [s] = byTx("settlement", edge.settlementTx.r6BeforeRegistration);
    expect(s).toMatchObject({
      signature_check: "PASS",
      node_id: edge.tees.V.teeId,
      tee_enabled_check: "FAIL",
      pcr_valid_check: "UNKNOWN",
      pcr_hash: null,
    });
    expect(rows.inference.get(edge.requests.r6)?.settlement_id).toBe(s.id);
    expect(rows.node.get(edge.tees.V.teeId)).toMatchObject({
      settlements: 1,
      key_source: "CALLDATA",
      enabled: true,
    });
  });

  it("restatements for the day-end checkpoints (rep-history): each revocation, and V registering after it settled", async () => {
    const restatedAfter = async (block: number) =>
      (await db.query<{ restated: boolean }>(RESTATED_AFTER_SQL, [block])).rows[0].restated;
    const revocations = [...rows.pcr_event.values()]
      .filter((e) => e.kind === "REVOKED")
      .map((e) => e.block as number);
    const registration = rows.node.get(edge.tees.V.teeId)?.registered_block as number;
    expect(revocations.length).toBeGreaterThan(0);
    const last = Math.max(registration, ...revocations);
    expect(await restatedAfter(last)).toBe(false);
    for (const block of [...revocations, registration])
      expect(await restatedAfter(block - 1), `${block}`).toBe(true);
    // Without the revocations (rolled back): V's registration alone counts, from its block on.
    await db.query("BEGIN");
    try {
      await db.query("DELETE FROM pcr_event WHERE kind = 'REVOKED'");
      expect(await restatedAfter(registration - 1)).toBe(true);
      expect(await restatedAfter(registration)).toBe(false);
      expect(await restatedAfter(0)).toBe(true);
    } finally {
      await db.query("ROLLBACK");
    }
    expect(await restatedAfter(last - 1)).toBe(true);
  });

  it("a key that is not RSA SPKI, or RSA below 2048 bits, is MALFORMED: its signatures are UNKNOWN, heartbeats count", () => {
    expect(rows.node.get(edge.badKeys.malformed)).toMatchObject({
      key_status: "MALFORMED",
      key_source: "CALLDATA",
    });
    expect(rows.node.get(edge.badKeys.short)).toMatchObject({
      key_status: "MALFORMED",
      key_source: "CALLDATA",
    });
    for (const k of ["malformedKey", "shortKey"])
      expect(byTx("heartbeat", edge.heartbeatTx[k])[0], k).toMatchObject({
        signature_check: "UNKNOWN",
        counts: true,
      });
    expect(byTx("settlement", edge.settlementTx.shortKey)[0]).toMatchObject({
      signature_check: "UNKNOWN",
      node_id: edge.badKeys.short,
    });
  });

  it("a node that only stakes is created with nulls; VANILLA inferences have no TEE checks", () => {
    expect(rows.node.get(edge.Z)).toMatchObject({
      owner: null,
      key_source: "NONE",
      key_status: "UNKNOWN",
      enabled: false,
      public_key: null,
      registered_block: null,
      first_seen_block: edge.blocks.B2,
      stake: "500000000000000000",
    });
    expect(rows.inference.get(edge.requests.r3)).toMatchObject({
      mode: "VANILLA",
      status: "VERIFIED",
      tee_signature_check: "NOT_APPLICABLE",
      pcr_valid_check: "NOT_APPLICABLE",
      discrepancy: false,
    });
  });
});
