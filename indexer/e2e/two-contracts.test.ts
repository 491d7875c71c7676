/**
 * OpenGradient's network has the TEE registry and the settlement relay only. The indexer started with those two
 * addresses (no ATTESTATION_REGISTRY_ADDRESS) on a simulator run that uses all three contracts must read exactly
 * what the two contracts emitted: the database equals the reference fold of the same chain read without the
 * attestation registry, and nothing of the third contract (stake, models, inferences, slashes) appears.
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
import { type Expected, foldChainFromRpc } from "@attestation-explorer/testkit/reference/fold-chain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

describe("indexing the TEE registry and the settlement relay only", () => {
  let pg: TestPostgres;
  let devnet: Devnet;
  let indexer: IndexerProcess;
  let client: PgClient;
  let expected: Expected;
  let startLog = "";

  beforeAll(async () => {
    IndexerProcess.assertBuilt();
    [pg, devnet] = await Promise.all([startTestPostgres(), startDevnetOnly()]);
    const databaseUrl = await pg.createDatabase("two_contracts");
    const { teeRegistry, settlementRelay } = devnet.deployment.addresses;
    await simulate(devnet, { seed: "two-contracts", nodes: 6, inferences: 400, perBlock: 50 });
    const head = await chainHead(devnet.anvil.rpcUrl);
    indexer = new IndexerProcess({
      rpcUrl: devnet.anvil.rpcUrl,
      addresses: { teeRegistry, settlementRelay },
      startBlock: devnet.deployment.deploymentBlock,
      databaseUrl,
      finalityConfirmations: 5,
    });
    await indexer.start();
    await indexer.waitForHeight(head.number, { hash: head.hash });
    startLog = indexer.log;
    expected = await foldChainFromRpc({
      rpcUrl: devnet.anvil.rpcUrl,
      addresses: { teeRegistry, settlementRelay },
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

  it("starts without ATTESTATION_REGISTRY_ADDRESS and says it reads two contracts", () => {
    expect(startLog).toContain("no AttestationRegistry (TEE registry and settlement relay only)");
  });

  it("the database equals the two-contract fold of the chain in every table", async () => {
    expect(expected.warnings).toEqual([]);
    const diffs = await compareDb(client, expected);
    expect(diffs.length, formatDifferences(diffs)).toBe(0);
    expect(await unmodelledColumns(client, expected)).toEqual([]);
  });

  it("registrations, heartbeats and settlements are there; stake, models, inferences and slashes are not", async () => {
    const count = async (table: string) =>
      Number((await client.query(`SELECT count(*)::int AS n FROM "${table}"`)).rows[0].n);
    expect(await count("node")).toBeGreaterThanOrEqual(6);
    expect(await count("settlement")).toBeGreaterThan(0);
    expect(await count("heartbeat")).toBeGreaterThan(0);
    expect(await count("tee_attestation")).toBeGreaterThanOrEqual(6);
    for (const table of ["inference", "model", "slash", "stake_change", "challenge", "withdrawal"])
      expect(await count(table), table).toBe(0);
    const nodes = [...(await readRows(client, "node")).values()];
    expect(nodes.every((n) => n.stake === "0" && n.committed === 0)).toBe(true);
    // The third contract's logs were never asked for, so none was kept as undecodable either.
    expect(await count("undecoded_log")).toBe(0);
    const { rows } = await client.query(
      "SELECT tee_registry, settlement_relay, attestation_registry FROM indexer_state WHERE id = 'indexer'",
    );
    expect(rows[0]).toEqual({
      tee_registry: devnet.deployment.addresses.teeRegistry.toLowerCase(),
      settlement_relay: devnet.deployment.addresses.settlementRelay.toLowerCase(),
      attestation_registry: null,
    });
  });
});
