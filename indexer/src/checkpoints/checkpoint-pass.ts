import {
  DAY_SECONDS,
  dayEnds,
  decayedSumsSeries,
  type EventRow,
  FIRST_BLOCK_TIME_SQL,
  FIRST_EVENT_SQL,
  firstDayEndFrom,
  INSERT_DAY_BLOCKS_SQL,
  latestDayEndBefore,
  RESTATED_AFTER_SQL,
  readCheckpointState,
  reputationEventsSql,
  type SubjectEvent,
  subjectEvent,
  TIMES_BLOCKS_SQL,
} from "@attestation-explorer/rep-history";
import pg from "pg";
import type { IndexedHead } from "../db/reorg-aware-database.ts";
import { backoffDelay } from "../faults/outage.ts";
import { describeError } from "../faults/transient.ts";

// The day-end reputation checkpoints (docs/decisions/013, rules in @attestation-explorer/rep-history's
// checkpoints.ts), computed in the indexer process but outside its batches: on a connection of its own, in one
// REPEATABLE READ transaction that reads the events and writes the checkpoints, so the batches' transactions and
// their speed are untouched, and a crash or a stop leaves the previous checkpoints whole. It runs while the
// indexer follows the chain head (not during a catch-up, whose final blocks move every few seconds), when a day
// has ended before the finalized block's time, or when a restatement made the stored checkpoints stale.

/** Events fetched at a time from the pass's cursor. */
const EVENT_BATCH = 10_000;
/** Checkpoint rows written per statement. */
const WRITE_BATCH = 10_000;

const INSERT_SQL = `
  INSERT INTO rep_checkpoints.node_day (node_id, day_end, s, n, d)
  SELECT u.node_id, to_timestamp(u.t), u.s, u.n, u.d
    FROM unnest($1::text[], $2::float8[], $3::float8[], $4::float8[], $5::float8[]) AS u(node_id, t, s, n, d)`;

/** The state row: what the rows cover, the block they were computed from, node_day's row count, the pass's time. */
const SAVE_STATE_SQL = `
  INSERT INTO rep_checkpoints.state (id, first_day_end, through, basis_block, computed_at, rows, seconds)
  VALUES ('reputation', to_timestamp($1::float8), to_timestamp($2::float8), $3, now(), $4, $5)
  ON CONFLICT (id) DO UPDATE SET first_day_end = EXCLUDED.first_day_end, through = EXCLUDED.through,
    basis_block = EXCLUDED.basis_block, computed_at = EXCLUDED.computed_at, rows = EXCLUDED.rows,
    seconds = EXCLUDED.seconds`;

export interface CheckpointPassOptions {
  databaseUrl: string;
  /** How often to look for work while following the head, ms. */
  intervalMs: number;
  log: (message: string) => void;
}

/** What one run did. */
export type PassOutcome =
  | { kind: "idle"; why: string }
  /** rows: the rows this pass wrote. */
  | { kind: "computed"; full: boolean; through: number; rows: number; seconds: number };

export class CheckpointPass {
  /** Times (unix seconds) of heads this process committed that are not final yet, by height. */
  private readonly hotTimes = new Map<number, number>();
  /** The time of the latest final block seen committed: every block at or before it is indexed and final. */
  private finalTime: number | undefined;
  private following = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private client: pg.Client | undefined;
  private stopped = false;
  private failures = 0;

  constructor(private readonly options: CheckpointPassOptions) {}

  /** Called after every commit of the indexer's batches (ReorgAwareDatabase.onCommit). */
  noteCommit(head: IndexedHead): void {
    // Heads of an abandoned branch: above the new head, or replaced by a reorg (a longer branch may replace them).
    const abandonedFrom = Math.min(head.height + 1, head.reorg?.fromBlock ?? Number.POSITIVE_INFINITY);
    for (const h of [...this.hotTimes.keys()]) if (h >= abandonedFrom) this.hotTimes.delete(h);
    if (head.timestamp !== undefined) this.hotTimes.set(head.height, Math.floor(head.timestamp / 1000));
    const final = Math.min(head.height, head.finalizedHeight);
    for (const [h, t] of this.hotTimes) {
      if (h > final) continue;
      this.finalTime = Math.max(this.finalTime ?? t, t);
      this.hotTimes.delete(h);
    }
    // Past the finalized height: the indexer is following the head, not catching up.
    this.following = head.height >= head.finalizedHeight;
  }

  /** The time of the latest final block seen committed (unix seconds), if any yet. */
  get finalBlockTime(): number | undefined {
    return this.finalTime;
  }

  /** Whether the last commit was past the finalized height (following the head): only then does the pass run. */
  get followingHead(): boolean {
    return this.following;
  }

  start(): void {
    this.schedule(this.options.intervalMs);
  }

  /** Stops the loop; a run in progress is abandoned (its transaction rolls back). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
    await this.running?.catch(() => {});
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    let next = this.options.intervalMs;
    if (this.following && this.finalTime !== undefined) {
      const run = this.runOnce(this.finalTime);
      this.running = run;
      try {
        const outcome = await run;
        if (this.failures > 0) this.options.log("checkpoints: the pass runs again");
        this.failures = 0;
        if (outcome.kind === "computed") {
          this.options.log(
            `checkpoints: ${outcome.full ? "every" : "new"} day end through ${new Date(outcome.through * 1000).toISOString()}: ${outcome.rows} rows in ${outcome.seconds.toFixed(1)} s`,
          );
        }
      } catch (err) {
        if (this.stopped) return;
        this.failures++;
        next = Math.max(next, backoffDelay(this.failures, { baseMs: 1000, capMs: 5 * 60_000 }));
        // Only an optimization fails here (exports replay the events meanwhile): logged, retried, never fatal.
        if (this.failures === 1 || this.failures % 10 === 0)
          this.options.log(
            `checkpoints: the pass failed (${describeError(err)}); retrying in ${Math.round(next / 1000)} s`,
          );
      } finally {
        this.running = undefined;
      }
    }
    this.schedule(next);
  }

  /**
   * One pass: checkpoints at every day end before `finalTime` that the stored ones lack (all of them again after
   * a restatement). Exported for tests, which call it with a chosen time.
   */
  async runOnce(finalTime: number): Promise<PassOutcome> {
    const started = performance.now();
    const client = new pg.Client({
      connectionString: this.options.databaseUrl,
      application_name: "explorer-checkpoints",
    });
    this.client = client;
    client.on("error", () => {}); // a lost connection fails the pending query, which is what reports it
    await client.connect();
    try {
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
      await client.query("SET LOCAL statement_timeout = 0");
      const outcome = await this.compute(client, finalTime, started);
      await client.query(outcome.kind === "computed" ? "COMMIT" : "ROLLBACK");
      // Planner statistics for the export's reads by node and day (a seq scan otherwise, measured 7x slower).
      // After the commit: an ANALYZE beside autovacuum's may fail ("tuple concurrently updated"), which must not
      // undo the checkpoints; autovacuum analyzes the table later anyway.
      if (outcome.kind === "computed") await client.query("ANALYZE rep_checkpoints.node_day").catch(() => {});
      return outcome;
    } finally {
      if (this.client === client) this.client = undefined;
      await client.end().catch(() => {});
    }
  }

  private async compute(client: pg.Client, finalTime: number, started: number): Promise<PassOutcome> {
    const target = latestDayEndBefore(finalTime);
    const state = await readCheckpointState(
      async (sql, params) => (await client.query(sql, params as unknown[])).rows,
    );
    const [indexed] = (
      await client.query<{ height: number; finalized_height: number | null }>(
        "SELECT height, finalized_height FROM indexer_state WHERE id = 'indexer'",
      )
    ).rows;
    if (!indexed) return { kind: "idle", why: "nothing indexed" };
    const basis = Math.min(indexed.height, indexed.finalized_height ?? indexed.height);
    const [hot] = (await client.query<{ restated: boolean }>(RESTATED_AFTER_SQL, [basis])).rows;
    if (hot?.restated) return { kind: "idle", why: "a restatement is not final yet" };
    const full = !state || state.restated;
    if (!full && state.through >= target) return { kind: "idle", why: "up to date" };

    // Read by every pass, incremental ones too: a pass that ran before the first event's day end was final saved
    // an earlier first day end (without rows), which the next pass corrects.
    const [first] = (await client.query<{ t: number | null }>(FIRST_EVENT_SQL)).rows;
    const firstEnd = first?.t == null ? target : Math.min(firstDayEndFrom(first.t), target);
    const ends = full ? dayEnds(firstEnd, target) : dayEnds(state.through + DAY_SECONDS, target);
    await client.query(
      full
        ? "DELETE FROM rep_checkpoints.node_day"
        : "DELETE FROM rep_checkpoints.node_day WHERE day_end >= $1",
      full ? [] : [new Date(ends[0] * 1000)],
    );
    const rows = await this.writeCheckpoints(client, ends, target);
    await this.writeDayBlocks(client, full ? undefined : ends, target);
    const [stored] = (
      await client.query<{ n: number }>("SELECT count(*)::int AS n FROM rep_checkpoints.node_day")
    ).rows;
    const seconds = (performance.now() - started) / 1000;
    await client.query(SAVE_STATE_SQL, [firstEnd, target, basis, stored.n, seconds]);
    return { kind: "computed", full, through: target, rows, seconds };
  }

  /**
   * The blocks of day ends (rep-history's DAY_BLOCKS_SQL): of `ends` (an incremental pass), else of every day end
   * from the first at or after the earliest event through `target`. A day end with no event at or before it has no
   * row (TIMES_BLOCKS_SQL's null; only before the first).
   */
  private async writeDayBlocks(client: pg.Client, ends: number[] | undefined, target: number): Promise<void> {
    let times = ends;
    if (!times) {
      await client.query("DELETE FROM rep_checkpoints.day_block");
      const [first] = (await client.query<{ t: number | null }>(FIRST_BLOCK_TIME_SQL)).rows;
      times = first?.t == null ? [] : dayEnds(firstDayEndFrom(first.t), target);
    } else if (times.length > 0) {
      await client.query("DELETE FROM rep_checkpoints.day_block WHERE day_end >= $1", [
        new Date(times[0] * 1000),
      ]);
    }
    if (times.length === 0) return;
    const { rows } = await client.query<{ block: number | null }>(TIMES_BLOCKS_SQL, [
      times.map((t) => new Date(t * 1000)),
    ]);
    const stored = times.map((t, i) => ({ t, block: rows[i]?.block })).filter((d) => d.block != null);
    await client.query(INSERT_DAY_BLOCKS_SQL, [stored.map((d) => d.t), stored.map((d) => d.block)]);
  }

  /** Every node's sums at `ends` from its events up to `until`, one node at a time; rows that are not all zero. */
  private async writeCheckpoints(client: pg.Client, ends: number[], until: number): Promise<number> {
    await client.query(
      `DECLARE checkpoint_events NO SCROLL CURSOR FOR ${reputationEventsSql("node", { all: true, bySubject: true })}`,
      [until],
    );
    const buffer = {
      node: [] as string[],
      t: [] as number[],
      s: [] as number[],
      n: [] as number[],
      d: [] as number[],
    };
    let written = 0;
    const flush = async () => {
      if (buffer.node.length === 0) return;
      await client.query(INSERT_SQL, [buffer.node, buffer.t, buffer.s, buffer.n, buffer.d]);
      written += buffer.node.length;
      for (const list of Object.values(buffer)) list.length = 0;
    };
    const addNode = async (node: string, events: SubjectEvent[]) => {
      const series = decayedSumsSeries(events, ends, "node");
      for (let i = 0; i < ends.length; i++) {
        const { s, n, d } = series[i];
        if (s === 0 && n === 0 && d === 0) continue;
        buffer.node.push(node);
        buffer.t.push(ends[i]);
        buffer.s.push(s);
        buffer.n.push(n);
        buffer.d.push(d);
      }
      if (buffer.node.length >= WRITE_BATCH) await flush();
    };
    let node: string | undefined;
    let events: SubjectEvent[] = [];
    for (;;) {
      const { rows } = await client.query<EventRow>(`FETCH ${EVENT_BATCH} FROM checkpoint_events`);
      for (const row of rows) {
        if (row.subject !== node) {
          if (node !== undefined) await addNode(node, events);
          node = row.subject;
          events = [];
        }
        events.push(subjectEvent(row));
      }
      if (rows.length < EVENT_BATCH) break;
    }
    if (node !== undefined) await addNode(node, events);
    await flush();
    await client.query("CLOSE checkpoint_events");
    return written;
  }
}
