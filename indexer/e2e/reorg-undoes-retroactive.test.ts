/**
 * A reorg must undo retroactive effects too: a PCRRevoked in an abandoned block had turned old, final inferences
 * and settlements into FAIL (and a VERIFIED inference into a discrepancy), and a TEERegistered in an abandoned
 * block had re-checked an earlier settlement (PASS, node set). After the reorg both must be as before, the database
 * must equal the reference fold of the final chain, and a fresh sync's dump.
 */

import { startDevnetOnly } from "@attestation-explorer/testkit/chain";
import type { Devnet } from "@attestation-explorer/testkit/devnet";
import {
  attestationDocument,
  buildEdgeChain,
  type EdgeChain,
} from "@attestation-explorer/testkit/edge-chain";
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
  readRows,
} from "@attestation-explorer/testkit/reference/compare-db";
import { settlementMessage } from "@attestation-explorer/testkit/reference/crypto";
import { foldChainFromRpc, type Row } from "@attestation-explorer/testkit/reference/fold-chain";
import { contractAbi } from "@attestation-explorer/testkit/reference/read-chain";
import { type Address, encodeFunctionData, type Hex, keccak256, toHex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BlockWriter } from "../../devnet/src/chain/block-writer.ts";
import { signPss } from "../../devnet/src/crypto/pss-sign.ts";
import { createRng } from "../../devnet/src/crypto/rng.ts";
import { generateTeeKey } from "../../devnet/src/crypto/rsa-keygen.ts";

describe("a reorg that abandons a PCR revocation and a TEE registration", () => {
  let pg: TestPostgres;
  let devnet: Devnet;
  let edge: EdgeChain;
  let indexer: IndexerProcess;
  let db: PgClient;
  let lateSettlementTx: Hex;
  const lateTee = generateTeeKey(createRng("reorg-undoes-retroactive").fork("late"));
  let before: { r7: Row; late: Row };
  let during: { r7: Row; late: Row; lateNode: Row | undefined };
  let after: { r7: Row; late: Row; lateNode: Row | undefined };

  const read = async () => {
    const inference = await readRows(db, "inference");
    const settlement = [...(await readRows(db, "settlement")).values()];
    const nodes = await readRows(db, "node");
    return {
      r7: inference.get(edge.requests.r7) as Row,
      late: settlement.find((s) => s.tx === lateSettlementTx) as Row,
      lateNode: nodes.get(lateTee.teeId),
    };
  };

  beforeAll(async () => {
    IndexerProcess.assertBuilt();
    [pg, devnet] = await Promise.all([startTestPostgres(), startDevnetOnly()]);
    edge = await buildEdgeChain(devnet);
    const { teeRegistry, settlementRelay } = devnet.deployment.addresses;
    const [deployer] = await devnet.rpc.call<Address[]>("eth_accounts");
    const teeAbi = contractAbi("TEERegistry");
    const relayAbi = contractAbi("InferenceSettlementRelay");
    const call = (to: Address, abi: typeof teeAbi, functionName: string, args: unknown[]) => ({
      from: deployer,
      to,
      data: encodeFunctionData({ abi, functionName, args }),
    });
    const batch = (tag: string) =>
      call(settlementRelay, relayAbi, "batchSettle", [keccak256(toHex(tag)), 1n, toHex(tag)]);
    let ts = (await chainHead(devnet.anvil.rpcUrl)).timestamp;
    const later = (seconds: number) => {
      ts += seconds;
      return ts;
    };

    // A settlement by a TEE that is not registered (yet).
    const input = keccak256(toHex("late:in"));
    const output = keccak256(toHex("late:out"));
    let writer = new BlockWriter(devnet.rpc);
    writer.add(
      call(settlementRelay, relayAbi, "settleIndividual", [
        lateTee.teeId,
        input,
        output,
        BigInt(ts + 10),
        deployer,
        "0x",
        signPss(lateTee.privateKey, settlementMessage(input, output, BigInt(ts + 10))),
      ]),
    );
    lateSettlementTx = (await writer.mine(later(10))).txHashes[0];

    indexer = new IndexerProcess({
      rpcUrl: devnet.anvil.rpcUrl,
      addresses: devnet.deployment.addresses,
      startBlock: devnet.deployment.deploymentBlock,
      databaseUrl: await pg.createDatabase("undo"),
      finalityConfirmations: 5,
    });
    await indexer.start();
    let head = await chainHead(devnet.anvil.rpcUrl);
    await indexer.waitForHeight(head.number, { hash: head.hash });
    db = await connect(indexer.target.databaseUrl);
    before = await read();

    // The branch that will be abandoned: P3 revoked (U's old VERIFIED r7 becomes a discrepancy), the late TEE
    // registers (its settlement is re-checked).
    const snapshot = await devnet.rpc.call<Hex>("evm_snapshot", []);
    writer.add(call(teeRegistry, teeAbi, "revokePCR", [edge.pcrs.P3.hash, 1]));
    writer.add(
      call(teeRegistry, teeAbi, "registerTEEWithAttestation", [
        attestationDocument(edge.pcrs.P2),
        lateTee.publicKeyDer,
        "0x",
        deployer,
        "https://late.edge.example",
        1,
      ]),
    );
    await writer.mine(later(10));
    writer.add(batch("abandoned"));
    await writer.mine(later(10));
    head = await chainHead(devnet.anvil.rpcUrl);
    await indexer.waitForHeight(head.number, { hash: head.hash });
    during = await read();

    // The canonical branch: three other blocks.
    if (!(await devnet.rpc.call<boolean>("evm_revert", [snapshot]))) throw new Error("evm_revert failed");
    writer = new BlockWriter(devnet.rpc);
    for (const tag of ["canonical-1", "canonical-2", "canonical-3"]) {
      writer.add(batch(tag));
      await writer.mine(later(7));
    }
    head = await chainHead(devnet.anvil.rpcUrl);
    await indexer.waitForHeight(head.number, { hash: head.hash });
    after = await read();
  });

  afterAll(async () => {
    await db?.end().catch(() => {});
    await indexer?.close();
    await devnet?.anvil.stop();
    await pg?.stop();
  });

  it("on the abandoned branch the revocation and the registration had their retroactive effects", () => {
    expect(before.r7).toMatchObject({ pcr_valid_check: "PASS", status: "VERIFIED", discrepancy: false });
    expect(before.late).toMatchObject({ signature_check: "UNKNOWN", node_id: null });
    expect(during.r7).toMatchObject({ pcr_valid_check: "FAIL", discrepancy: true });
    expect(during.late).toMatchObject({ signature_check: "PASS", node_id: lateTee.teeId });
    expect(during.lateNode).toBeDefined();
  });

  it("after the reorg they are undone: as before the abandoned blocks", async () => {
    expect(after.r7).toEqual(before.r7);
    expect(after.late).toEqual(before.late);
    expect(after.lateNode).toBeUndefined();
    const { rows } = await db.query<{ depth: number }>("SELECT depth FROM reorg");
    expect(rows.map((r) => r.depth)).toEqual([2]);
  });

  it("and the database equals the reference fold and a fresh sync of the final chain", async () => {
    const head = await chainHead(devnet.anvil.rpcUrl);
    const expected = await foldChainFromRpc({
      rpcUrl: devnet.anvil.rpcUrl,
      addresses: devnet.deployment.addresses,
      fromBlock: devnet.deployment.deploymentBlock,
      toBlock: head.number,
    });
    const diffs = await compareDb(db, expected);
    expect(diffs.length, formatDifferences(diffs)).toBe(0);

    const fresh = new IndexerProcess({
      ...indexer.target,
      databaseUrl: await pg.createDatabase("undo_fresh"),
    });
    try {
      await fresh.start();
      await fresh.waitForHeight(head.number, { hash: head.hash });
      await fresh.stop();
      const freshDb = await connect(fresh.target.databaseUrl);
      try {
        const d = diffDumps(await dumpTables(freshDb), await dumpTables(db));
        expect(d.length, formatDifferences(d)).toBe(0);
      } finally {
        await freshDb.end();
      }
    } finally {
      await fresh.close();
    }
  });
});
