// biome-ignore-all lint/suspicious/noExplicitAny: the tests read untyped JSON answers
/**
 * The day-end reputation checkpoints (docs/decisions/013) on real indexed devnet data: a bulk simulation spread over
 * several days of chain time, the compiled indexer (its checkpoint pass every second) and the API as its own
 * process, connected as the read-only role. The reputation-history export reads the checkpoints when they cover
 * its bucket ends, and then:
 * - every row equals `node(id) { reputation(asOf: bucket end) }`, and the CSV is byte for byte the replay's;
 * - the rows really come from the checkpoints (a changed checkpoint changes exactly its row);
 * - a day end that becomes final is added by the next pass alone;
 * - a role without access to them gets the replay;
 * - a restatement after the checkpoints' block (a PCR revocation) makes the export replay the events, and once that
 *   restatement is final the pass computes every checkpoint again.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { expectAgreesWithReputationAsOf } from "./real/reputation-as-of.ts";
import { type BulkStack, startBulkStack } from "./real/stack.ts";

let s: BulkStack;

interface StateRow {
  first: number;
  through: number;
  basis_block: number;
  computed_at: Date;
  rows: number;
}

const DAY = 86_400;

async function checkpointState(): Promise<StateRow | undefined> {
  const { rows } = await s.pool.query<StateRow>(
    `SELECT extract(epoch FROM first_day_end)::float8 AS first, extract(epoch FROM through)::float8 AS through,
            basis_block, computed_at, rows FROM rep_checkpoints.state`,
  );
  return rows[0];
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}:\n${s.indexer.log.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The checkpoint state once no pass has run for 3 s (the pass looks for work every second). */
async function settled(): Promise<StateRow> {
  let last = await checkpointState();
  return waitFor("the checkpoint pass to settle", async () => {
    await new Promise((r) => setTimeout(r, 3_000));
    const now = await checkpointState();
    const quiet = now && last && now.computed_at.getTime() === last.computed_at.getTime();
    last = now;
    return quiet ? now : undefined;
  });
}

/** The stored day ends' blocks, in day order. */
async function dayBlocks(): Promise<unknown[]> {
  return (await s.pool.query("SELECT day_end, block FROM rep_checkpoints.day_block ORDER BY day_end")).rows;
}

/** The checkpoint state once a pass after `before` has committed. */
function nextPass(before: StateRow): Promise<StateRow> {
  return waitFor("the next pass", async () => {
    const st = await checkpointState();
    return st && st.computed_at > before.computed_at ? st : undefined;
  });
}

/** The indexer's log lines about checkpoint passes. */
const passLines = () => s.indexer.log.split("\n").filter((l) => l.includes("checkpoints: "));

async function get(path: string): Promise<string> {
  const res = await fetch(`${s.api.base}${path}`);
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return text;
}

/** DAY buckets up to the checkpoints' last day end (the days after it end in blocks that are not final yet). */
let csvPath: string;
let first: StateRow;
let fromCheckpoints: string;

beforeAll(async () => {
  // Six hours between blocks: the lifecycles spread over several days of chain time.
  s = await startBulkStack(
    { seed: "api-rep-checkpoints", nodes: 5, inferences: 300, perBlock: 20, blockInterval: 6 * 3600 },
    { indexerEnv: { CHECKPOINT_INTERVAL_SECONDS: "1" }, apiAsReader: true },
  );
  // The pass runs while the indexer follows the simulation: wait until it has caught up with the final blocks.
  await waitFor("the first checkpoint pass", checkpointState);
  first = await settled();
  csvPath = `/export/reputation-history.csv?interval=DAY&to=${new Date((first.through - 1) * 1000).toISOString()}`;
  fromCheckpoints = await get(csvPath);
}, 240_000);
afterAll(async () => {
  await s?.close();
});

describe("reputation-history from the day-end checkpoints", () => {
  test("the pass covered every day end before the finalized block, from the first event's day", async () => {
    const { rows } = await s.pool.query<{ t: number }>(
      `SELECT extract(epoch FROM (SELECT at FROM inference_verdict ORDER BY at LIMIT 1))::float8 AS t`,
    );
    expect(first.first).toBe(Math.ceil(rows[0].t / DAY) * DAY);
    // The chain spans several days, its last blocks (the finality window) are not final.
    expect(first.through).toBeGreaterThanOrEqual(first.first + DAY);
    expect(first.through).toBeLessThan(s.head.timestamp);
    expect(first.basis_block).toBeLessThanOrEqual(s.head.number - s.finality);
    const { rows: count } = await s.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM rep_checkpoints.node_day",
    );
    expect(count[0].n).toBe(first.rows);
    expect(first.rows).toBeGreaterThan(0);
    expect(s.indexer.log).toMatch(/checkpoints: every day end through \S+: \d+ rows in/);
    // No pass failed on the way (nothing here is a fault to ride out).
    expect(passLines().filter((l) => l.includes("failed"))).toEqual([]);
  });

  test("DAY and WEEK rows equal reputation(asOf:); the CSV is byte for byte the replay's", async () => {
    const day = (await get(csvPath.replace(".csv", ".ndjson")))
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    // Every bucket ends at a day end the checkpoints cover.
    expect(day.every((r) => Date.parse(r.bucket_end) / 1000 <= first.through)).toBe(true);
    const nodes = await expectAgreesWithReputationAsOf(s.api, day);
    const { rows } = await s.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM node");
    expect(nodes.size).toBe(rows[0].n);
    expect(day.length).toBeGreaterThanOrEqual(2 * rows[0].n);
    const week = (await get("/export/reputation-history.ndjson?interval=WEEK"))
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    await expectAgreesWithReputationAsOf(s.api, week);

    // One node's export (node=) is that node's lines of the whole export, read from the checkpoints as replayed.
    // A node that never registered (a node of stakes and inferences only) starts where every node's export does.
    const { rows: unregistered } = await s.pool.query<{ id: string }>(
      "SELECT id FROM node WHERE registered_at IS NULL ORDER BY id",
    );
    const node = unregistered
      .map((n) => n.id)
      .find((id) => day.some((r) => r.node === id && r.s > 0)) as string;
    expect(node).toBeDefined();
    const linesOf = (csv: string) => csv.split("\r\n").filter((l) => l.startsWith(`${node},`));
    const mine = linesOf(fromCheckpoints);
    expect(mine.length).toBeGreaterThanOrEqual(2);
    expect(linesOf(await get(`${csvPath}&node=${node}`))).toEqual(mine);

    // From days before the first event: bucket ends before the first stored block have none (block 0).
    const { rows: firstDay } = await s.pool.query<{ t: number }>(
      "SELECT extract(epoch FROM min(day_end))::float8 AS t FROM rep_checkpoints.day_block",
    );
    const early = `${csvPath}&from=${new Date((firstDay[0].t - 3 * DAY) * 1000).toISOString()}`;
    const earlyCsv = await get(early);
    expect(earlyCsv.split("\r\n").filter((l) => /,[^,]*Z,[^,]*Z,0,/.test(l)).length).toBeGreaterThan(0);

    // The same requests with the checkpoints out of reach (a restatement in a block that is not final: the pass
    // waits, the export replays every event and looks every block up).
    await withUnfinalRevocation(async () => {
      expect(await get(csvPath)).toBe(fromCheckpoints);
      expect(linesOf(await get(`${csvPath}&node=${node}`))).toEqual(mine);
      expect(await get(early)).toBe(earlyCsv);
    });
  });

  test("a day end that became final after the last pass is added by the next pass alone (the earlier rows kept)", async () => {
    const before = await settled();
    const incremental = passLines().filter((l) => l.includes("new day end")).length;
    const { rows: kept } = await s.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM rep_checkpoints.node_day WHERE day_end < (SELECT through FROM rep_checkpoints.state)",
    );
    const blocksBefore = await dayBlocks();
    // As if the pass had last run a day earlier: its last day's rows not there yet.
    await s.pool.query(
      "DELETE FROM rep_checkpoints.node_day WHERE day_end = (SELECT through FROM rep_checkpoints.state)",
    );
    await s.pool.query(
      "DELETE FROM rep_checkpoints.day_block WHERE day_end = (SELECT through FROM rep_checkpoints.state)",
    );
    await s.pool.query("UPDATE rep_checkpoints.state SET through = through - interval '1 day'");
    const after = await nextPass(before);
    expect(after.through).toBe(before.through);
    expect(after.rows).toBe(before.rows);
    expect(after.rows).toBeGreaterThan(kept[0].n);
    expect(await dayBlocks()).toEqual(blocksBefore);
    // Logged once the pass has committed.
    const newDay = () => passLines().filter((l) => l.includes("new day end")).length;
    await waitFor("the pass's log line", async () => (newDay() > incremental ? true : undefined), 10_000);
    expect(newDay(), passLines().join("\n")).toBe(incremental + 1);
    expect(await get(csvPath)).toBe(fromCheckpoints);
  });

  test("a pass that ran before the first event's day end was final saved an earlier first day end: the next pass corrects it", async () => {
    const before = await settled();
    const blocksBefore = await dayBlocks();
    // As if the only pass so far had run while the last final day end was the one before the first event's: it
    // stored no rows and the blocks of the day ends up to that one, and saved that day end as the first and the
    // last (this happened in a CI run, by timing).
    const early = new Date((before.first - DAY) * 1000);
    await s.pool.query("DELETE FROM rep_checkpoints.node_day");
    await s.pool.query("DELETE FROM rep_checkpoints.day_block WHERE day_end > $1", [early]);
    await s.pool.query("UPDATE rep_checkpoints.state SET first_day_end = $1, through = $1, rows = 0", [
      early,
    ]);
    const after = await nextPass(before);
    expect(after.first).toBe(before.first);
    expect(after.through).toBe(before.through);
    expect(after.rows).toBe(before.rows);
    expect(await dayBlocks()).toEqual(blocksBefore);
    expect(await get(csvPath)).toBe(fromCheckpoints);
  });

  test("a role without access to the checkpoints (created after their migration) gets the replay, not an error", async () => {
    await s.pool.query("REVOKE USAGE ON SCHEMA rep_checkpoints FROM explorer_reader");
    try {
      expect(await get(csvPath)).toBe(fromCheckpoints);
    } finally {
      await s.pool.query("GRANT USAGE ON SCHEMA rep_checkpoints TO explorer_reader");
    }
  });

  test("the rows come from the checkpoints; a revocation after them makes the export replay, then the pass recomputes", async () => {
    const current = await settled();
    const { rows } = await s.pool.query<{ node_id: string; t: number; s: number }>(
      `SELECT node_id, extract(epoch FROM day_end)::float8 AS t, s FROM rep_checkpoints.node_day
        WHERE s > 0 ORDER BY day_end DESC, node_id LIMIT 1`,
    );
    const cell = rows[0];
    const where = "node_id = $1 AND day_end = to_timestamp($2)";
    await s.pool.query(`UPDATE rep_checkpoints.node_day SET s = s / 2 WHERE ${where}`, [
      cell.node_id,
      cell.t,
    ]);
    const changed = await get(csvPath);
    const differing = diffLines(fromCheckpoints, changed);
    const bucketEnd = new Date(cell.t * 1000).toISOString();
    expect(differing).toHaveLength(1);
    expect(differing[0]).toContain(cell.node_id);
    expect(differing[0]).toContain(`,${bucketEnd},`);

    // The bucket ends' blocks come from the pass too: a changed stored block changes that bucket end's rows alone;
    // a day end without a stored block is looked up in the event tables, as the replay does.
    const { rows: days } = await s.pool.query<{ t: number; block: number }>(
      "SELECT extract(epoch FROM day_end)::float8 AS t, block FROM rep_checkpoints.day_block ORDER BY day_end DESC",
    );
    expect(days[0].t).toBe(current.through);
    const dayEnd = new Date(days[0].t * 1000).toISOString();
    await s.pool.query(
      "UPDATE rep_checkpoints.day_block SET block = block + 1000000 WHERE day_end = to_timestamp($1)",
      [days[0].t],
    );
    try {
      const moved = diffLines(changed, await get(csvPath));
      const atEnd = changed.split("\r\n").filter((l) => l.includes(`,${dayEnd},`));
      expect(moved.length).toBe(atEnd.length);
      expect(moved.every((l) => l.includes(`,${dayEnd},${days[0].block + 1_000_000},`))).toBe(true);
      await s.pool.query("DELETE FROM rep_checkpoints.day_block WHERE day_end = to_timestamp($1)", [
        days[0].t,
      ]);
      expect(await get(csvPath)).toBe(changed);
    } finally {
      await s.pool.query(
        "INSERT INTO rep_checkpoints.day_block (day_end, block) VALUES (to_timestamp($1), $2) ON CONFLICT (day_end) DO UPDATE SET block = EXCLUDED.block",
        [days[0].t, days[0].block],
      );
    }

    // A node whose stored state is ahead of the latest block (not expected): the export replays every node.
    await s.pool.query("UPDATE node SET rep_ref_time = rep_ref_time + 864000 WHERE id = $1", [cell.node_id]);
    try {
      expect(await get(csvPath)).toBe(fromCheckpoints);
    } finally {
      await s.pool.query("UPDATE node SET rep_ref_time = rep_ref_time - 864000 WHERE id = $1", [
        cell.node_id,
      ]);
    }
    expect(await get(csvPath)).toBe(changed);

    // Stale checkpoints are not read: the export replays the events (the halved sum is ignored).
    await withUnfinalRevocation(async () => {
      expect(await get(csvPath)).toBe(fromCheckpoints);
      // The pass waits for the revocation to be final.
      await new Promise((r) => setTimeout(r, 2_500));
      expect((await checkpointState())?.computed_at).toEqual(current.computed_at);
    });

    // A final revocation after the checkpoints' block: every checkpoint is computed again.
    const basis = current.basis_block;
    await s.pool.query("UPDATE rep_checkpoints.state SET basis_block = $1", [basis - 1]);
    await insertRevocation(basis);
    try {
      const again = await waitFor("the pass after the revocation", async () => {
        const st = await checkpointState();
        return st && st.basis_block === basis && st.computed_at > current.computed_at ? st : undefined;
      });
      expect(again.rows).toBe(current.rows);
      const { rows: restored } = await s.pool.query<{ s: number }>(
        `SELECT s FROM rep_checkpoints.node_day WHERE ${where}`,
        [cell.node_id, cell.t],
      );
      expect(restored[0].s).toBe(cell.s);
      expect(await get(csvPath)).toBe(fromCheckpoints);
    } finally {
      await s.pool.query("DELETE FROM pcr_event WHERE id = 'test-revocation'");
    }
  });
});

/** A PCR revocation row in block `block` (what the indexer writes for a PCRRevoked log). */
async function insertRevocation(block: number): Promise<void> {
  await s.pool.query(
    `INSERT INTO pcr_event (id, pcr_hash, tee_type, kind, version, effective_at, grace_period, block, block_hash, at,
                            tx, log_index)
     VALUES ('test-revocation', $1, NULL, 'REVOKED', NULL, now(), NULL, $2, $1, now(), $1, 0)`,
    [`0x${"ab".repeat(32)}`, block],
  );
}

/** Runs `fn` while a revocation is recorded in the head block, which is not final. */
async function withUnfinalRevocation(fn: () => Promise<void>): Promise<void> {
  await insertRevocation(s.head.number);
  try {
    await fn();
  } finally {
    await s.pool.query("DELETE FROM pcr_event WHERE id = 'test-revocation'");
  }
}

/** Lines of b that a does not have. */
function diffLines(a: string, b: string): string[] {
  const mine = new Set(a.split("\r\n"));
  return b.split("\r\n").filter((l) => !mine.has(l));
}
