import {
  CHECKPOINTS_READABLE_SQL,
  type CheckpointRow,
  checkpointsAnswer,
  checkpointsSql,
  DAY_BLOCKS_SQL,
  decayedSumsSeries,
  type EventRow,
  readCheckpointState,
  reputationEventsSql,
  type SubjectEvent,
  subjectEvent,
  TIMES_BLOCKS_SQL,
} from "@attestation-explorer/rep-history";
import {
  type DecayedSums,
  FORMULA_VERSION,
  reputationFromSums,
  stateFromRow,
  sumsAt,
  uptime7dSorted,
} from "@attestation-explorer/rep-v1";
import type { Db } from "../db/database.ts";
import { bucketStart, INTERVAL_SECONDS, type Interval } from "../history/buckets.ts";
import { COLUMNS } from "./format.ts";
import { BadParameter, type ExportRequest } from "./params.ts";
import type { Resolved } from "./sql.ts";

// GET /export/reputation-history.{csv,ndjson,parquet} (README "For analysts"): one row per node per bucket
// end, rep-v1 as `node(id) { reputation(asOf: bucket end) }` answers it (resolvers/reputation.ts's reputationAt:
// the stored decayed state at or after the latest indexed block, else the replay of classify.ts's eventsAsOf
// through rep-v1's decayedSumsAsOf / reputationFromSums, which is reputationAsOf split to keep S, N and D; here
// classify.ts's decayedSumsSeries, the same floats at every bucket end in one pass over a node's events).
// Every input is read in one statement per export, through a cursor ordered by node, beside a cursor over the
// node list in the same order (ByNode): the nodes, their buckets' counts, stake changes, counting heartbeats,
// and either every node's events (events-sql.ts, one node after another, each in chain order) or, when the
// indexer's day-end checkpoints cover every closed bucket end (DAY and WEEK buckets as of the latest block,
// rep-history's checkpointsAnswer; docs/decisions/013), its checkpoints: the same floats, computed once by the
// indexer's checkpoint pass with decayedSumsSeries. One statement per chunk of nodes read the same table pages
// again and again (the rows of a node are spread over its tables). Each cursor's next FETCH is sent as soon as a
// batch arrives, so Postgres and the API work at the same time. Rows are handed out about YIELD_ROWS at a time
// (whole nodes), small enough to die young: memory is bounded by two batches of each cursor, one node's events
// and YIELD_ROWS rows.

/** The names of the values of a row that historyRows yields, in order: the export's columns. */
export const HISTORY_FIELDS: readonly string[] = COLUMNS["reputation-history"].map((c) => c.name);

/** At most this many buckets per request (a longer range is a 400 naming from). */
export const MAX_HISTORY_BUCKETS = 10_000;
const EVENT_BATCH = 10_000;
/**
 * Rows per FETCH of the nodes', buckets', stake changes', heartbeats' and checkpoints' cursors: two batches of each
 * are held. 2,000 peaked at 177-184 MB RSS (the bench's history CSV after the inference Parquet export in one
 * process) against 196-211 MB for 10,000, at the same CPU.
 */
const ROW_BATCH = 2_000;
/**
 * Rows handed out at a time: at least one node's buckets. 512 took the bench's 310,000 CSV rows at 2.2-2.3 API
 * CPU s against 2.9-3.0 for 4,096 (rows held across young collections are promoted, then collected old).
 */
const YIELD_ROWS = 512;
/** statement_timeout of the export's transaction (SET LOCAL), for its sort of every event. */
const HISTORY_STATEMENT_TIMEOUT = "10min";
/** work_mem of the export's transaction (SET LOCAL): Postgres's memory for that sort, not the API's. */
const HISTORY_WORK_MEM = "128MB";

interface BucketEnd {
  start: number;
  /** The bucket's end, or the latest indexed block's time for the open bucket (unix seconds). */
  end: number;
  /**
   * The latest indexed block for the open bucket, else the latest block with an indexed event at or before `end`
   * (set by setClosedBlocks).
   */
  block: number;
  /** start and end as the rows' ISO text (the same for every node). */
  startIso: string;
  endIso: string;
}

const isoSeconds = (t: number) => new Date(t * 1000).toISOString();

/** A promise that is awaited later: its rejection is not unhandled if the export ends first. */
function prefetch<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

interface NodeRow {
  id: string;
  rep_ref_time: number;
  rep_s: string;
  rep_n: string;
  rep_d: string;
}

interface Counts {
  committed: number;
  verified: number;
  failed: number;
  expired: number;
  slashes: number;
  slashed_wei: bigint;
}

const ZERO: Counts = { committed: 0, verified: 0, failed: 0, expired: 0, slashes: 0, slashed_wei: 0n };
/** A node's sums where it has no checkpoint: no event counted yet (the replay's are exactly 0 too). */
const ZERO_SUMS: DecayedSums = { s: 0, n: 0, d: 0 };

/**
 * The buckets of the request: from (default: the earliest registration; of the node for one node, unless it never
 * registered) to `to` (default: the latest block).
 */
async function bucketEnds(db: Db, request: ExportRequest, r: Resolved): Promise<BucketEnd[]> {
  const interval = request.interval ?? "DAY";
  const size = INTERVAL_SECONDS[interval];
  let fromT = request.from ? request.from.getTime() / 1000 : undefined;
  if (fromT === undefined) {
    // One node's from its registration; a node that never registered (a node of stakes or inferences only), as
    // every node's.
    const earliest = (where: string) =>
      `SELECT min(registered_at) FROM node WHERE registered_at IS NOT NULL ${where}`;
    const rows = await db.query<{ t: number | null }>(
      `SELECT extract(epoch FROM ${request.node ? `COALESCE((${earliest("AND id = $1")}), (${earliest("")}))` : `(${earliest("")})`})::float8 AS t`,
      request.node ? [request.node] : [],
    );
    fromT = rows[0]?.t ?? r.t;
  }
  const toT = Math.min(request.to ? request.to.getTime() / 1000 : r.t, r.t);
  if (fromT > toT) return [];
  const first = bucketStart(fromT, interval);
  const last = bucketStart(toT, interval);
  const count = (last - first) / size + 1;
  if (count > MAX_HISTORY_BUCKETS) {
    throw new BadParameter(
      "from",
      `got ${new Date(fromT * 1000).toISOString()} to ${new Date(toT * 1000).toISOString()}: ${count} ${interval} buckets, expected at most ${MAX_HISTORY_BUCKETS} (narrow the range or use a longer interval)`,
    );
  }
  const out: BucketEnd[] = [];
  for (let start = first; start <= last; start += size) {
    const end = Math.min(start + size, r.t);
    out.push({ start, end, block: r.block, startIso: isoSeconds(start), endIso: isoSeconds(end) });
  }
  return out;
}

/**
 * Sets the closed buckets' blocks (the open one's is the latest block): those the checkpoint pass stored when the
 * checkpoints answer (DAY_BLOCKS_SQL), the others (all of them otherwise) in one TIMES_BLOCKS_SQL.
 */
async function setClosedBlocks(db: Db, buckets: BucketEnd[], r: Resolved, stored: boolean): Promise<void> {
  let closed = buckets.filter((b) => b.end !== r.t);
  if (stored && closed.length > 0) {
    const rows = await db.query<{ block: number | null; none: boolean | null }>(DAY_BLOCKS_SQL, [
      closed.map((b) => b.end),
    ]);
    closed.forEach((b, i) => {
      if (rows[i]?.block != null) b.block = rows[i].block as number;
      else if (rows[i]?.none) b.block = 0;
    });
    closed = closed.filter((_, i) => rows[i]?.block == null && !rows[i]?.none);
  }
  if (closed.length === 0) return;
  const blocks = await db.query<{ block: number | null }>(TIMES_BLOCKS_SQL, [
    closed.map((b) => new Date(b.end * 1000)),
  ]);
  closed.forEach((b, i) => {
    b.block = blocks[i]?.block ?? 0;
  });
}

/**
 * The rows of a cursor declared in the export's transaction, a FETCH of `batch` rows at a time; the next FETCH
 * is sent as soon as a batch arrives, so Postgres reads on while the batch is used.
 */
async function* cursorRows<R>(db: Db, cursor: string, batch: number): AsyncGenerator<R[]> {
  const fetchBatch = () => prefetch(db.query<R>(`FETCH ${batch} FROM ${cursor}`));
  let next = fetchBatch();
  for (;;) {
    const rows = await next;
    if (rows.length === batch) next = fetchBatch();
    if (rows.length > 0) yield rows;
    if (rows.length < batch) return;
  }
}

/** A cursor's rows (ordered by node as the node list is) grouped by node: `node` names a row's node. */
async function* groupsByNode<R, T>(
  rows: AsyncGenerator<R[]>,
  node: (row: R) => string,
  map: (row: R) => T,
): AsyncGenerator<{ node: string; rows: T[] }> {
  let current: string | undefined;
  let group: T[] = [];
  for await (const batch of rows) {
    for (const row of batch) {
      const id = node(row);
      if (id !== current) {
        if (current !== undefined) yield { node: current, rows: group };
        current = id;
        group = [];
      }
      group.push(map(row));
    }
  }
  if (current !== undefined) yield { node: current, rows: group };
}

/**
 * A node-ordered cursor read beside the node list: `take(id)` for each node in the list's order gives that node's
 * rows (none when the cursor's next node is another). Every row's node is a node (a foreign key, or an event's
 * subject), and both orders are Postgres's for the same ids, so a row left after the last node is an error.
 */
class ByNode<T> {
  private pending: Promise<IteratorResult<{ node: string; rows: T[] }>>;

  constructor(
    private readonly what: string,
    private readonly groups: AsyncGenerator<{ node: string; rows: T[] }>,
  ) {
    this.pending = prefetch(groups.next());
  }

  async take(id: string): Promise<T[]> {
    const next = await this.pending;
    if (next.done || next.value.node !== id) return [];
    this.pending = prefetch(this.groups.next());
    return next.value.rows;
  }

  /** Throws if rows are left (their node was not in the list). */
  async end(): Promise<void> {
    const next = await this.pending;
    if (!next.done) throw new Error(`reputation-history: ${this.what} of ${next.value.node} matched no node`);
  }
}

/** Rows of no node (the checkpoints answer instead of the events, or the replay instead of the checkpoints). */
async function* noRows<T>(): AsyncGenerator<{ node: string; rows: T[] }> {}

const NODE_BATCH = 1_000;

/** The statements of the export's cursors (`AND node_id = $k` for one node). */
const BUCKETS_SQL = (oneNode: string) =>
  `SELECT node_id, extract(epoch FROM start)::float8 AS start, committed, verified, failed, expired, slashes,
          slashed_amount::text AS slashed_amount
     FROM node_bucket
    WHERE node_id IS NOT NULL AND interval = $1 AND start >= to_timestamp($2::float8) AND start < to_timestamp($3::float8)
          ${oneNode}
    ORDER BY node_id`;
const STAKES_SQL = (oneNode: string) =>
  `SELECT node_id, block, stake_after::text AS stake FROM stake_change
    WHERE node_id IS NOT NULL AND block <= $1 ${oneNode} ORDER BY node_id, block, log_index`;
/**
 * The counting heartbeats' times in (first end - 7 d, last end], by node then time: uptime7d at each end. Rows,
 * not an array per node: the aggregate sorted every row before the first (about 0.2 s on the bench database),
 * the index gives them in order.
 */
const HEARTBEATS_SQL = (oneNode: string) =>
  `SELECT node_id, extract(epoch FROM at)::float8 AS t
     FROM heartbeat
    WHERE node_id IS NOT NULL AND counts AND at > to_timestamp($1::float8 - 604800) AND at <= to_timestamp($2::float8)
          ${oneNode}
    ORDER BY node_id, at`;
const NODES_SQL = (oneNode: string) =>
  `SELECT id, rep_ref_time, rep_s::text AS rep_s, rep_n::text AS rep_n, rep_d::text AS rep_d FROM node
    WHERE true ${oneNode} ORDER BY id`;

interface BucketRow {
  node_id: string;
  start: number;
  committed: number;
  verified: number;
  failed: number;
  expired: number;
  slashes: number;
  slashed_amount: string;
}

/** A node's counts per bucket start (HOUR rows, or DAY rows summed into DAY / WEEK buckets). */
function countsByStart(rows: readonly BucketRow[], interval: Interval): Map<number, Counts> {
  const out = new Map<number, Counts>();
  for (const row of rows) {
    const s = bucketStart(row.start, interval);
    const c = out.get(s) ?? ZERO;
    out.set(s, {
      committed: c.committed + row.committed,
      verified: c.verified + row.verified,
      failed: c.failed + row.failed,
      expired: c.expired + row.expired,
      slashes: c.slashes + row.slashes,
      slashed_wei: c.slashed_wei + BigInt(row.slashed_amount),
    });
  }
  return out;
}

/**
 * The rows of the export in batches of about YIELD_ROWS (whole nodes), nodes by id, buckets oldest first, each row
 * its values in HISTORY_FIELDS' order (no object per row: the writers take arrays, as pg's rows). Throws
 * BadParameter (before any row) for too many buckets.
 */
export async function* historyRows(db: Db, request: ExportRequest, r: Resolved): AsyncGenerator<unknown[][]> {
  const interval = request.interval ?? "DAY";
  const buckets = await bucketEnds(db, request, r);
  if (buckets.length === 0) return;
  const until = buckets[buckets.length - 1].end;
  // Every node's events (or the one node's), one node after another; nodes without events have none there.
  // The first FETCH sorts every event (a few seconds on the bench database, more under load): this export's
  // statements may take up to HISTORY_STATEMENT_TIMEOUT (unless there is no limit), with room to sort in memory.
  await db.query(
    `SELECT set_config('statement_timeout', $1, true) WHERE current_setting('statement_timeout') <> '0'`,
    [HISTORY_STATEMENT_TIMEOUT],
  );
  await db.query(`SELECT set_config('work_mem', $1, true)`, [HISTORY_WORK_MEM]);
  const ends = buckets.map((b) => b.end);
  /** The bucket ends before the latest block's time (the others are answered by the stored decayed state). */
  const closedEnds = ends.filter((t) => t < r.t);
  let fromCheckpoints = false;
  if (r.latest && interval !== "HOUR") {
    const [access] = await db.query<{ readable: boolean }>(CHECKPOINTS_READABLE_SQL);
    const state = access?.readable
      ? await readCheckpointState((sql, params) => db.query(sql, params))
      : undefined;
    // The open buckets come from each node's stored decayed state, which answers from its reference time on: a
    // node whose state is ahead of the latest block (not expected) needs the replay for them too.
    const [ahead] = await db.query<{ ahead: boolean }>(
      "SELECT EXISTS (SELECT 1 FROM node WHERE rep_ref_time > $1) AS ahead",
      [r.t],
    );
    fromCheckpoints = !ahead?.ahead && checkpointsAnswer(state, ends, r.t);
  }
  await setClosedBlocks(db, buckets, r, fromCheckpoints);
  const untilBlock = buckets[buckets.length - 1].block;
  // Every cursor reads every node's rows (or the one node's) in node order, beside the node list: one statement
  // each, instead of one per chunk of nodes (whose rows are spread over their tables' pages).
  const one = request.node;
  const declare = (cursor: string, sql: (oneNode: string) => string, values: unknown[]) =>
    db.query(
      `DECLARE ${cursor} NO SCROLL CURSOR FOR ${sql(one ? `AND node_id = $${values.length + 1}` : "")}`,
      [...values, ...(one ? [one] : [])],
    );
  await db.query(
    `DECLARE history_nodes NO SCROLL CURSOR FOR ${NODES_SQL(one ? "AND id = $1" : "")}`,
    one ? [one] : [],
  );
  const size = INTERVAL_SECONDS[interval];
  await declare("history_buckets", BUCKETS_SQL, [
    interval === "HOUR" ? "HOUR" : "DAY",
    buckets[0].start,
    buckets[buckets.length - 1].start + size,
  ]);
  await declare("history_stakes", STAKES_SQL, [untilBlock]);
  await declare("history_heartbeats", HEARTBEATS_SQL, [ends[0], ends[ends.length - 1]]);
  if (fromCheckpoints) {
    const closed = [closedEnds[0] ?? 0, closedEnds[closedEnds.length - 1] ?? 0];
    await db.query(`DECLARE history_checkpoints NO SCROLL CURSOR FOR ${checkpointsSql(!!one)}`, [
      ...closed,
      ...(one ? [one] : []),
    ]);
  } else {
    await db.query(
      `DECLARE history_events NO SCROLL CURSOR FOR ${reputationEventsSql("node", { all: !one, bySubject: true })}`,
      one ? [[one], until] : [until],
    );
  }
  const nodeId = (row: { node_id: string }) => row.node_id;
  const same = <T>(row: T) => row;
  const events = new ByNode(
    "events",
    fromCheckpoints
      ? noRows<SubjectEvent>()
      : groupsByNode(
          cursorRows<EventRow>(db, "history_events", EVENT_BATCH),
          (row) => row.subject,
          subjectEvent,
        ),
  );
  const checkpoints = new ByNode(
    "checkpoints",
    fromCheckpoints
      ? groupsByNode(cursorRows<CheckpointRow>(db, "history_checkpoints", ROW_BATCH), nodeId, same)
      : noRows<CheckpointRow>(),
  );
  const bucketRows = new ByNode(
    "node buckets",
    groupsByNode(cursorRows<BucketRow>(db, "history_buckets", ROW_BATCH), nodeId, same),
  );
  const stakeRows = new ByNode(
    "stake changes",
    groupsByNode(
      cursorRows<{ node_id: string; block: number; stake: string }>(db, "history_stakes", ROW_BATCH),
      nodeId,
      same,
    ),
  );
  const heartbeats = new ByNode(
    "heartbeats",
    groupsByNode(
      cursorRows<{ node_id: string; t: number }>(db, "history_heartbeats", ROW_BATCH),
      nodeId,
      (row) => row.t,
    ),
  );
  let rows: unknown[][] = [];
  for await (const nodes of cursorRows<NodeRow>(db, "history_nodes", NODE_BATCH)) {
    for (const node of nodes) {
      if (rows.length >= YIELD_ROWS) {
        yield rows;
        rows = [];
      }
      let series: DecayedSums[];
      if (fromCheckpoints) {
        const byTime = new Map<number, DecayedSums>();
        for (const c of await checkpoints.take(node.id)) byTime.set(c.t, { s: c.s, n: c.n, d: c.d });
        series = ends.map((t) => byTime.get(t) ?? ZERO_SUMS);
      } else {
        series = decayedSumsSeries(await events.take(node.id), ends, "node");
      }
      // Buckets ending at the latest block (the open one, and the one before when the latest block is on a
      // bucket boundary): the stored decayed state, as reputationAt answers there.
      const state = stateFromRow({
        ref_time: node.rep_ref_time,
        s: node.rep_s,
        n: node.rep_n,
        d: node.rep_d,
      });
      for (let i = ends.length - 1; i >= 0 && ends[i] >= r.t; i--) {
        if (ends[i] >= state.refTime) series[i] = sumsAt(state, ends[i], "node");
      }
      const times = await heartbeats.take(node.id);
      const counts = countsByStart(await bucketRows.take(node.id), interval);
      const changes = await stakeRows.take(node.id);
      let k = 0;
      let stake = "0";
      for (let i = 0; i < buckets.length; i++) {
        const b = buckets[i];
        while (k < changes.length && changes[k].block <= b.block) stake = changes[k++].stake;
        const sums = series[i];
        const rep = reputationFromSums(sums);
        const c = counts.get(b.start) ?? ZERO;
        // In HISTORY_FIELDS' order.
        rows.push([
          node.id,
          b.startIso,
          b.endIso,
          b.block,
          rep.score,
          rep.lowerBound,
          rep.upperBound,
          sums.s,
          rep.effectiveSamples - sums.s,
          rep.effectiveSamples,
          rep.decayedSlashes,
          rep.slashFactor,
          rep.provisional,
          times.length > 0 ? uptime7dSorted(times, b.end) : 0,
          stake,
          c.committed,
          c.verified,
          c.failed,
          c.expired,
          c.slashes,
          c.slashed_wei.toString(),
          FORMULA_VERSION,
        ]);
      }
    }
  }
  if (rows.length > 0) yield rows;
  for (const cursor of [events, checkpoints, bucketRows, stakeRows, heartbeats]) await cursor.end();
}
