import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ensureEmbeddedPostgres, type PostgresHandle } from "@attestation-explorer/embedded-postgres";
import { freePort } from "@attestation-explorer/testkit/net";
import type { Store } from "@subsquid/typeorm-store";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { useDatabaseUrl } from "../src/db/connection.ts";
import { applyMigrations } from "../src/db/migrations.ts";
import { NOTIFY_CHANNEL, ReorgAwareDatabase, type Rollback } from "../src/db/reorg-aware-database.ts";

// Drives ReorgAwareDatabase the way the processor does (transact for final blocks, transactHot2 for hot ones,
// with rollbacks) against a real Postgres with the real migrations, and checks what the API will read.

const PROJECT_DIR = resolve(__dirname, "..");

// TypeormDatabase loads the model from lib/model (compiled): build it when missing, and use the same module.
if (!existsSync(join(PROJECT_DIR, "lib", "model", "index.js"))) {
  const r = spawnSync("npx", ["tsc", "-b", PROJECT_DIR], { stdio: "inherit" });
  if (r.status !== 0) throw new Error("building the indexer failed");
}
const { TeeType } = createRequire(__filename)(
  join(PROJECT_DIR, "lib", "model"),
) as typeof import("../src/model");

type Ref = { height: number; hash: string };
const ref = (height: number, branch: string): Ref => ({
  height,
  hash: `0x${branch}${String(height).padStart(63, "0")}`,
});

let root: string;
let pg: PostgresHandle;
let listener: Client;
const notifications: Record<string, unknown>[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "reorg-db-"));
  chmodSync(root, 0o755);
  pg = await ensureEmbeddedPostgres({ dataDir: join(root, "pg"), port: await freePort(), log: () => {} });
  useDatabaseUrl(pg.url);
  await applyMigrations(PROJECT_DIR);
  listener = new Client({ connectionString: pg.readerUrl });
  await listener.connect();
  listener.on("notification", (n) => notifications.push(JSON.parse(n.payload ?? "null")));
  await listener.query(`LISTEN ${NOTIFY_CHANNEL}`);
});

afterAll(async () => {
  await listener?.end().catch(() => {});
  await pg?.stop();
  rmSync(root, { recursive: true, force: true });
});

async function rows<T>(sql: string): Promise<T[]> {
  const c = new Client({ connectionString: pg.readerUrl });
  await c.connect();
  try {
    return (await c.query(sql)).rows as T[];
  } finally {
    await c.end();
  }
}

/** A handler that records, per block, a TeeType row named after the block's hash (through the change log). */
function blocksHandler(db: ReorgAwareDatabase, blocks: Ref[]) {
  const handle = db.wrapHandler(
    async (ctx: {
      store: Store;
      blocks: { header: { height: number; hash: string; timestamp: number } }[];
    }) => {
      await ctx.store.insert(
        ctx.blocks.map(
          (b) =>
            new TeeType({
              id: String(b.header.height),
              typeId: b.header.height,
              name: b.header.hash,
              addedBlock: b.header.height,
              addedAt: new Date(b.header.timestamp),
              addedTx: "0x",
            }),
        ),
      );
    },
  );
  return (store: Store, begin: number, end: number) =>
    handle({
      store,
      blocks: blocks.slice(begin, end).map((b) => ({ header: { ...b, timestamp: b.height * 1000 } })),
    });
}

describe("ReorgAwareDatabase", () => {
  test("records each reorg once, outside the change log, and keeps indexer_state and NOTIFY in step", async () => {
    let chainHead: number | undefined = 7;
    const db = new ReorgAwareDatabase({
      projectDir: PROJECT_DIR,
      finalityConfirmations: 2,
      chainHead: () => chainHead,
      log: () => {},
    });
    const rollbacks: Rollback[] = [];
    db.onRollback((r) => {
      rollbacks.push(r);
    });
    await db.connect();

    // Final blocks 0..1, then hot blocks 2..4 of branch a.
    const final = [ref(0, "a"), ref(1, "a")];
    await db.transact({ prevHead: { height: -1, hash: "0x" }, nextHead: final[1] }, (store) =>
      blocksHandler(db, final)(store, 0, 2),
    );
    const a = [ref(2, "a"), ref(3, "a"), ref(4, "a")];
    await db.transactHot2(
      { baseHead: final[1], finalizedHead: final[1], newBlocks: a },
      blocksHandler(db, a),
    );
    expect(await rows("SELECT * FROM reorg")).toEqual([]);

    // Branch b replaces 3..4 and grows to 5.
    const b = [ref(3, "b"), ref(4, "b"), ref(5, "b")];
    await db.transactHot2({ baseHead: a[0], finalizedHead: final[1], newBlocks: b }, blocksHandler(db, b));
    // Branch c replaces 2..5 and grows to 6.
    const c = [ref(2, "c"), ref(3, "c"), ref(4, "c"), ref(5, "c"), ref(6, "c")];
    chainHead = undefined; // the poll failed: the head seen is then the indexed one
    await db.transactHot2(
      { baseHead: final[1], finalizedHead: final[1], newBlocks: c },
      blocksHandler(db, c),
    );

    const reorgs = await rows<{ from_block: number; to_block: number; depth: number }>(
      "SELECT from_block, to_block, depth FROM reorg ORDER BY detected_at, from_block",
    );
    expect(reorgs).toEqual([
      { from_block: 3, to_block: 4, depth: 2 },
      { from_block: 2, to_block: 5, depth: 4 },
    ]);
    expect(rollbacks.map((r) => [r.fromBlock, r.toBlock, r.reorg?.depth])).toEqual([
      [3, 4, 2],
      [2, 5, 4],
    ]);
    // The mapped rows are those of the canonical branch.
    const names = await rows<{ id: string; name: string }>("SELECT id, name FROM tee_type ORDER BY type_id");
    expect(names.map((n) => n.name)).toEqual([...final, ...c].map((r) => r.hash));

    const [state] = await rows<Record<string, unknown>>("SELECT * FROM indexer_state");
    expect(state).toMatchObject({
      id: "indexer",
      height: 6,
      hash: c[4].hash,
      chain_height: 6,
      finalized_height: 4,
      reorged_blocks: 6,
    });
    expect(state.timestamp).toEqual(new Date(6000));

    await new Promise((r) => setTimeout(r, 200)); // notifications arrive asynchronously
    expect(notifications.map((n) => n.height)).toEqual([1, 4, 5, 6]);
    expect(notifications[2]).toMatchObject({ height: 5, reorg: { fromBlock: 3, toBlock: 4, depth: 2 } });
    expect(notifications[3]).toMatchObject({
      height: 6,
      chainHeight: 6,
      finalizedHeight: 4,
      reorg: { fromBlock: 2, toBlock: 5, depth: 4 },
    });
    await db.disconnect();

    // A restart at the head: the processor rolls back and re-applies the unchanged head block. Not a reorg.
    const again = new ReorgAwareDatabase({
      projectDir: PROJECT_DIR,
      finalityConfirmations: 2,
      log: () => {},
    });
    const restartRollbacks: Rollback[] = [];
    again.onRollback((r) => {
      restartRollbacks.push(r);
    });
    const state2 = await again.connect();
    expect(state2.top.map((t) => t.height)).toEqual([2, 3, 4, 5, 6]);
    await again.transactHot2(
      { baseHead: c[3], finalizedHead: final[1], newBlocks: [c[4]] },
      blocksHandler(again, [c[4]]),
    );
    expect(restartRollbacks).toEqual([{ fromBlock: 6, toBlock: 6, reorg: undefined }]);
    expect(await rows("SELECT * FROM reorg")).toHaveLength(2);
    await again.disconnect();
  });

  test("stop() lets the transaction in flight commit and parks the next one", async () => {
    const db = new ReorgAwareDatabase({ projectDir: PROJECT_DIR, finalityConfirmations: 2, log: () => {} });
    const state = await db.connect();
    const head = state.top[state.top.length - 1] ?? state;
    const next = ref(head.height + 1, "d");
    let release: () => void = () => {};
    const slow = db.transactHot2(
      { baseHead: head, finalizedHead: { height: state.height, hash: state.hash }, newBlocks: [next] },
      async (store, b, e) => {
        await new Promise<void>((r) => {
          release = r;
        });
        await blocksHandler(db, [next])(store, b, e);
      },
    );
    await new Promise((r) => setTimeout(r, 100));
    const stopped = db.stop();
    release();
    await slow;
    await stopped;
    const [s] = await rows<{ height: number }>("SELECT height FROM indexer_state");
    expect(s.height).toBe(next.height);
    let parkedSettled = false;
    void db
      .transactHot2({ baseHead: next, finalizedHead: next, newBlocks: [] }, async () => {})
      .finally(() => {
        parkedSettled = true;
      });
    await new Promise((r) => setTimeout(r, 100));
    expect(parkedSettled).toBe(false);
  });
});
