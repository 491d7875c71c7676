import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import {
  connect,
  type PgClient,
  startTestPostgres,
  type TestPostgres,
} from "@attestation-explorer/testkit/postgres";
import { type Store, TypeormDatabase } from "@subsquid/typeorm-store";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { useDatabaseUrl } from "../db/connection.ts";
import { applyMigrations } from "../db/migrations.ts";
import { bulkWrite } from "./bulk-write.ts";

// bulkWrite against a real Postgres with the real migrations, through typeorm-store as the processor drives it:
// what COPY stores must read back exactly, and a rolled-back hot block must restore every column.

const PROJECT_DIR = resolve(__dirname, "../..");

// TypeormDatabase loads the model from lib/model (compiled): build it when missing, and use the same classes.
if (!existsSync(join(PROJECT_DIR, "lib", "model", "index.js"))) {
  const r = spawnSync("npx", ["tsc", "-b", PROJECT_DIR], { stdio: "inherit" });
  if (r.status !== 0) throw new Error("building the indexer failed");
}
const { NetworkStats, TeeAttestation, UndecodedLog, AttestationFormat, Check } = createRequire(__filename)(
  join(PROJECT_DIR, "lib", "model"),
) as typeof import("../model");

const ref = (height: number, branch = "a") => ({
  height,
  hash: `0x${branch}${String(height).padStart(63, "0")}`,
});

/** Text a chain can put in a string field, with every character COPY's text format treats specially. */
const AWKWARD = 'tab\there, newline\nand\r\nreturn, back\\slash, \\N, \\., "quotes", ünïcödé 🦀, end\\';

function stats(id: string, stake: bigint, slashed: bigint) {
  return new NetworkStats({
    id,
    nodes: 3,
    enabledNodes: 2,
    models: 1,
    inferences: 10,
    verified: 4,
    failed: 1,
    expired: 0,
    pending: 5,
    slashes: 1,
    totalStake: stake,
    totalSlashed: slashed,
    settlements: 7,
    settlementSignatureFailures: 1,
    discrepancies: 0,
    inferencesVanilla: 2,
    inferencesZkml: 3,
    inferencesTee: 5,
  });
}

function attestation(id: string, certificates: unknown, reason: string | null) {
  return new TeeAttestation({
    id,
    format: AttestationFormat.NITRO,
    status: Check.PASS,
    reason,
    moduleId: null,
    timestamp: new Date("2026-12-04T11:00:00.123Z"),
    pcr0: "0xaa",
    pcr1: null,
    pcr2: null,
    pcrHash: null,
    certificates,
    userData: null,
    document: "0x",
    tlsCertificate: null,
    block: 1,
    blockHash: ref(1).hash,
    at: new Date("2026-12-04T11:00:01Z"),
    tx: "0xt",
    logIndex: 0,
  });
}

function undecoded(id: string, error: string) {
  return new UndecodedLog({
    id,
    address: "0xabc",
    topic0: null,
    data: "0x01",
    error,
    block: 2,
    blockHash: ref(2).hash,
    at: new Date("2026-12-04T11:00:02Z"),
    tx: "0xu",
    logIndex: 1,
  });
}

let server: TestPostgres;
let db: TypeormDatabase;
let pg: PgClient;

beforeAll(async () => {
  server = await startTestPostgres();
  const url = await server.createDatabase("bulk_write");
  useDatabaseUrl(url);
  await applyMigrations(PROJECT_DIR);
  db = new TypeormDatabase({ supportHotBlocks: true, projectDir: PROJECT_DIR });
  await db.connect();
  pg = await connect(url);
});

afterAll(async () => {
  await pg?.end();
  await db?.disconnect();
  await server?.stop();
});

const BIG = 123456789012345678901234567890n;

describe("bulkWrite", () => {
  test("inserts and upserts read back exactly: awkward text, JSON, numbers beyond 2^53, dates, nulls", async () => {
    await db.transact({ prevHead: { height: -1, hash: "0x" }, nextHead: ref(1) }, async (store: Store) => {
      await bulkWrite(store, [stats("network", BIG, 1n)], "upsert");
      await bulkWrite(store, [attestation("t1", [{ subject: AWKWARD, notBefore: 1 }], AWKWARD)], "insert");
      // The same row twice in one transaction: the second upsert sees the first one's row, not its staged copy.
      await bulkWrite(store, [stats("network", BIG + 1n, 2n)], "upsert");
      await bulkWrite(
        store,
        [attestation("t1", { nested: { tab: "\t" } }, null), attestation("t2", "a JSON string", "x")],
        "upsert",
      );
    });
    const s = await pg.query(
      "SELECT total_stake::text, total_slashed::text, inferences_tee FROM network_stats",
    );
    expect(s.rows).toEqual([{ total_stake: (BIG + 1n).toString(), total_slashed: "2", inferences_tee: 5 }]);
    const a = await pg.query(
      "SELECT id, reason, certificates, timestamp, document FROM tee_attestation ORDER BY id",
    );
    expect(a.rows).toEqual([
      {
        id: "t1",
        reason: null,
        certificates: { nested: { tab: "\t" } },
        timestamp: new Date("2026-12-04T11:00:00.123Z"),
        document: "0x",
      },
      {
        id: "t2",
        reason: "x",
        certificates: "a JSON string",
        timestamp: new Date("2026-12-04T11:00:00.123Z"),
        document: "0x",
      },
    ]);
    await db.transact({ prevHead: ref(1), nextHead: ref(2) }, async (store: Store) => {
      await bulkWrite(store, [undecoded("u1", AWKWARD)], "insert");
      await bulkWrite(store, [attestation("t3", [AWKWARD, 1.5, null], AWKWARD)], "upsert");
    });
    const u = await pg.query("SELECT error FROM undecoded_log WHERE id = 'u1'");
    expect(u.rows).toEqual([{ error: AWKWARD }]);
    const t3 = await pg.query("SELECT reason, certificates FROM tee_attestation WHERE id = 't3'");
    expect(t3.rows).toEqual([{ reason: AWKWARD, certificates: [AWKWARD, 1.5, null] }]);
  });

  test("rolling back a hot block restores upserted rows to every column's previous value and removes inserted rows", async () => {
    const snapshot = async () => ({
      stats: (await pg.query("SELECT * FROM network_stats ORDER BY id")).rows,
      attestations: (await pg.query("SELECT * FROM tee_attestation ORDER BY id")).rows,
      undecoded: (await pg.query("SELECT * FROM undecoded_log ORDER BY id")).rows,
    });
    const before = await snapshot();
    expect(before.attestations.length).toBe(3);
    // Two hot blocks in one transaction, as the processor writes them near the head.
    await db.transactHot2(
      { baseHead: ref(2), finalizedHead: ref(2), newBlocks: [ref(3), ref(4)] },
      async (store: Store, from: number, to: number) => {
        for (let i = from; i < to; i++) {
          await bulkWrite(store, [stats("network", BIG * BigInt(i + 2), BIG)], "upsert");
          await bulkWrite(
            store,
            [attestation("t1", [`block ${i}`], `changed ${i}`), attestation(`new${i}`, null, AWKWARD)],
            "upsert",
          );
          await bulkWrite(store, [undecoded(`u-hot${i}`, AWKWARD)], "insert");
        }
      },
    );
    const during = await snapshot();
    expect(during.stats[0].total_stake).toBe((BIG * 3n).toString());
    expect(during.attestations.map((r) => r.id)).toEqual(["new0", "new1", "t1", "t2", "t3"]);
    expect(during.attestations[2].certificates).toEqual(["block 1"]);
    expect(during.undecoded.length).toBe(3);
    // The branch is replaced from block 3 on: both blocks are rolled back.
    await db.transactHot2(
      { baseHead: ref(2), finalizedHead: ref(2), newBlocks: [ref(3, "b")] },
      async () => {},
    );
    expect(await snapshot()).toEqual(before);
  });
});
