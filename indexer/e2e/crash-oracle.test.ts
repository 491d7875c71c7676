/**
 * Crash oracle: a finished bulk chain (3,000 inferences) is indexed from scratch while the indexer is killed with
 * SIGKILL at 10 seeded random moments (one during start-up, nine in the middle of the sync, at random delays after
 * random heights) and restarted after each. The database it ends with must be identical, table by table, row by
 * row, to a clean sync's; and the clean sync must equal the reference fold.
 */

import { type SimulatedChain, simulatedChain } from "@attestation-explorer/testkit/chain";
import { chainHead, IndexerProcess, type IndexerTarget } from "@attestation-explorer/testkit/indexer-process";
import {
  connect,
  type PgClient,
  startTestPostgres,
  type TestPostgres,
} from "@attestation-explorer/testkit/postgres";
import {
  compareDb,
  type Dump,
  diffDumps,
  dumpTables,
  formatDifferences,
} from "@attestation-explorer/testkit/reference/compare-db";
import { type Expected, foldChainFromRpc } from "@attestation-explorer/testkit/reference/fold-chain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const KILLS = 10;
const SEED = 20_261_126;

/** mulberry32: a small seeded generator, so the kill moments are the same on every run. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Kill {
  afterHeight: number | null;
  delayMs: number;
  /** indexer_state.height right after the kill (undefined: no batch committed yet) */
  heightAtKill: number | undefined;
  signal: string | null;
}

describe("SIGKILL during the sync", () => {
  let pg: TestPostgres;
  let chain: SimulatedChain;
  let head: { number: number; hash: string };
  let clean: IndexerProcess;
  let crashed: IndexerProcess;
  let cleanDb: PgClient;
  let crashedDb: PgClient;
  let expected: Expected;
  let cleanDump: Dump;
  let crashedDump: Dump;
  const kills: Kill[] = [];

  beforeAll(async () => {
    IndexerProcess.assertBuilt();
    [pg, chain] = await Promise.all([
      startTestPostgres(),
      simulatedChain({ seed: "crash-oracle", nodes: 8, inferences: 3_000, perBlock: 30 }),
    ]);
    head = await chainHead(chain.devnet.anvil.rpcUrl);
    const start = chain.devnet.deployment.deploymentBlock;
    const target = (databaseUrl: string): IndexerTarget => ({
      rpcUrl: chain.devnet.anvil.rpcUrl,
      addresses: chain.devnet.deployment.addresses,
      startBlock: start,
      databaseUrl,
      finalityConfirmations: 5,
    });

    clean = new IndexerProcess(target(await pg.createDatabase("clean")));
    await clean.start();
    await clean.waitForHeight(head.number, { hash: head.hash });
    await clean.stop();

    // Kill moments: one at a random time after the first start, then one after each of nine random heights
    // spread over the chain (one per tenth of it), each after a random delay.
    const random = seededRandom(SEED);
    const span = head.number - start;
    const plan: { afterHeight: number | null; delayMs: number }[] = [
      { afterHeight: null, delayMs: Math.floor(500 + random() * 2_000) },
    ];
    for (let k = 1; k < KILLS; k++) {
      plan.push({
        afterHeight: start + Math.floor(((k - 1 + random()) * span * 0.9) / (KILLS - 1)),
        delayMs: Math.floor(random() * 400),
      });
    }
    crashed = new IndexerProcess(target(await pg.createDatabase("crashed")));
    for (const p of plan) {
      await crashed.start();
      if (p.afterHeight !== null) await crashed.waitForHeight(p.afterHeight);
      await sleep(p.delayMs);
      const exit = await crashed.stop("SIGKILL");
      kills.push({ ...p, heightAtKill: (await crashed.state())?.height, signal: exit.signal });
    }
    await crashed.start();
    await crashed.waitForHeight(head.number, { hash: head.hash });
    await crashed.stop();

    expected = await foldChainFromRpc({
      rpcUrl: chain.devnet.anvil.rpcUrl,
      addresses: chain.devnet.deployment.addresses,
      fromBlock: start,
      toBlock: head.number,
    });
    cleanDb = await connect(clean.target.databaseUrl);
    crashedDb = await connect(crashed.target.databaseUrl);
    [cleanDump, crashedDump] = await Promise.all([dumpTables(cleanDb), dumpTables(crashedDb)]);
  });

  afterAll(async () => {
    await cleanDb?.end().catch(() => {});
    await crashedDb?.end().catch(() => {});
    await clean?.close();
    await crashed?.close();
    await chain?.devnet.anvil.stop();
    await pg?.stop();
  });

  it("was killed 10 times, most of them in the middle of the sync", () => {
    if (process.env.INDEXER_E2E_VERBOSE) console.log(JSON.stringify(kills), head.number);
    expect(kills.length).toBe(KILLS);
    for (const k of kills) expect(k.signal).toBe("SIGKILL");
    const midSync = kills.filter((k) => k.heightAtKill !== undefined && k.heightAtKill < head.number);
    expect(midSync.length, JSON.stringify(kills)).toBeGreaterThanOrEqual(7);
    expect(crashed.starts).toBe(KILLS + 1);
  });

  it("ends with exactly the database a clean sync builds, table by table, row by row", () => {
    expect(Object.keys(cleanDump).length).toBeGreaterThan(15);
    expect(cleanDump.inference.rows.length).toBe(3_000);
    const diffs = diffDumps(cleanDump, crashedDump);
    expect(diffs.length, formatDifferences(diffs)).toBe(0);
  });

  it("and the clean sync equals the reference fold", async () => {
    expect(expected.warnings).toEqual([]);
    const diffs = await compareDb(cleanDb, expected);
    expect(diffs.length, formatDifferences(diffs)).toBe(0);
  });
});
