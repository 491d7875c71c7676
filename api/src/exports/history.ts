import {
  CHECKPOINT_STATE_SQL,
  CHECKPOINTS_READABLE_SQL,
  CHECKPOINTS_SQL,
  type CheckpointRow,
  type CheckpointState,
  checkpointsAnswer,
  decayedSumsSeries,
  type EventRow,
  reputationEventsSql,
  type SubjectEvent,
  subjectEvent,
} from "@attestation-explorer/rep-history";
import {
  type DecayedSums,
  FORMULA_VERSION,
  reputationFromSums,
  stateFromRow,
  sumsAt,
} from "@attestation-explorer/rep-v1";
import { uptimeSeries } from "../data/node-extras.ts";
import type { Db } from "../db/database.ts";
import { bucketStart, INTERVAL_SECONDS, type Interval } from "../history/buckets.ts";
import { COLUMNS } from "./format.ts";
import { BadParameter, type ExportRequest } from "./params.ts";
import { type Resolved, TIMES_BLOCKS_SQL } from "./sql.ts";

// GET /export/reputation-history.{csv,ndjson,parquet} (README "For analysts"): one row per node per bucket
// end, rep-v1 as `node(id) { reputation(asOf: bucket end) }` answers it (resolvers/reputation.ts's reputationAt:
// the stored decayed state at or after the latest indexed block, else the replay of classify.ts's eventsAsOf
// through rep-v1's decayedSumsAsOf / reputationFromSums, which is reputationAsOf split to keep S, N and D; here
// classify.ts's decayedSumsSeries, the same floats at every bucket end in one pass over a node's events).
// The events of every node are read in one statement (events-sql.ts, one node after another, each in chain
// order) through a cursor, EVENT_BATCH rows at a time: a statement per chunk of nodes read most of the
// inference tables each time (their rows are not stored by node). Nodes are read NODE_CHUNK at a time (stake
// changes, buckets and heartbeats of that chunk, one statement each), each chunk's statements sent while the
// chunk before is computed, and each FETCH sent while the batch before is turned into events, so Postgres and
// the API work at the same time. Rows are handed out about YIELD_ROWS at a time (whole nodes), so memory is
// bounded by two batches of events, one node's events, two chunks' buckets and YIELD_ROWS rows.
// When the indexer's day-end checkpoints cover every closed bucket end (DAY and WEEK buckets as of the latest
// block, rep-history's checkpointsAnswer; docs/decisions/013), they are read per chunk instead of the events: the
// same floats, computed once by the indexer's checkpoint pass with decayedSumsSeries.

/** The names of the values of a row that historyRows yields, in order: the export's columns. */
export const HISTORY_FIELDS: readonly string[] = COLUMNS["reputation-history"].map((c) => c.name);

/** At most this many buckets per request (a longer range is a 400 naming from). */
export const MAX_HISTORY_BUCKETS = 10_000;
/** Nodes per chunk: 100 peaked at 264 MB RSS on the bench database against 308 MB for 500, at the same speed. */
const NODE_CHUNK = 100;
/**
 * Nodes per chunk read from checkpoints (no events held): fewer round trips. 400 streamed the bench's 310,000 CSV
 * rows at 53,104-53,629 rows/s against 48,016-48,019 for 100, back to back, with 7-8 MB more RSS.
 */
const CHECKPOINT_NODE_CHUNK = 400;
const EVENT_BATCH = 10_000;
/** Rows handed out at a time (one write to the response): at least one node's buckets. */
const YIELD_ROWS = 4_096;
/** statement_timeout of the export's transaction (SET LOCAL), for its sort of every event. */
const HISTORY_STATEMENT_TIMEOUT = "10min";
/** work_mem of the export's transaction (SET LOCAL): Postgres's memory for that sort, not the API's. */
const HISTORY_WORK_MEM = "128MB";

interface BucketEnd {
  start: number;
  /** The bucket's end, or the latest indexed block's time for the open bucket (unix seconds). */
  end: number;
  /** The latest indexed block for the open bucket, else the latest block with an indexed event at or before `end`. */
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

/** Some nodes' checkpoints from the first to the last of `times` (closed day ends, ascending): node -> time -> sums. */
async function checkpointSums(
  db: Db,
  ids: readonly string[],
  times: readonly number[],
): Promise<Map<string, Map<number, DecayedSums>>> {
  const out = new Map<string, Map<number, DecayedSums>>();
  if (times.length === 0) return out;
  const range = [ids, times[0], times[times.length - 1]];
  for (const row of await db.query<CheckpointRow>(CHECKPOINTS_SQL, range)) {
    const byTime = out.get(row.node_id) ?? new Map<number, DecayedSums>();
    out.set(row.node_id, byTime);
    byTime.set(row.t, { s: row.s, n: row.n, d: row.d });
  }
  return out;
}

/** The buckets of the request: from (default: the earliest registration) to `to` (default: the latest block). */
async function bucketEnds(db: Db, request: ExportRequest, r: Resolved): Promise<BucketEnd[]> {
  const interval = request.interval ?? "DAY";
  const size = INTERVAL_SECONDS[interval];
  let fromT = request.from ? request.from.getTime() / 1000 : undefined;
  if (fromT === undefined) {
    const rows = await db.query<{ t: number | null }>(
      `SELECT extract(epoch FROM min(registered_at))::float8 AS t FROM node
        WHERE registered_at IS NOT NULL ${request.node ? "AND id = $1" : ""}`,
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
  // The closed buckets' blocks, in one statement (the open one's is the latest block).
  const closed = out.filter((b) => b.end !== r.t);
  if (closed.length > 0) {
    const blocks = await db.query<{ block: number | null }>(TIMES_BLOCKS_SQL, [
      closed.map((b) => new Date(b.end * 1000)),
    ]);
    closed.forEach((b, i) => {
      b.block = blocks[i]?.block ?? 0;
    });
  }
  return out;
}

/** Counts per bucket start of some nodes (HOUR rows, or DAY rows summed into DAY / WEEK buckets). */
async function bucketCounts(
  db: Db,
  ids: readonly string[],
  interval: Interval,
  buckets: readonly BucketEnd[],
): Promise<Map<string, Map<number, Counts>>> {
  const out = new Map<string, Map<number, Counts>>();
  if (buckets.length === 0) return out;
  const start = buckets[0].start;
  const end = buckets[buckets.length - 1].start + INTERVAL_SECONDS[interval];
  const rows = await db.query<{
    node_id: string;
    start: number;
    committed: number;
    verified: number;
    failed: number;
    expired: number;
    slashes: number;
    slashed_amount: string;
  }>(
    `SELECT node_id, extract(epoch FROM start)::float8 AS start, committed, verified, failed, expired, slashes,
            slashed_amount::text AS slashed_amount
       FROM node_bucket
      WHERE node_id = ANY($1) AND interval = $2 AND start >= to_timestamp($3::float8) AND start < to_timestamp($4::float8)`,
    [ids, interval === "HOUR" ? "HOUR" : "DAY", start, end],
  );
  for (const row of rows) {
    const byStart = out.get(row.node_id) ?? new Map<number, Counts>();
    out.set(row.node_id, byStart);
    const s = bucketStart(row.start, interval);
    const c = byStart.get(s) ?? { ...ZERO };
    byStart.set(s, {
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

/** Each node's stake changes up to block `until`, oldest first (block, log index). */
async function stakeChanges(
  db: Db,
  ids: readonly string[],
  until: number,
): Promise<Map<string, { block: number; stake: string }[]>> {
  const rows = await db.query<{ node_id: string; block: number; stake: string }>(
    `SELECT node_id, block, stake_after::text AS stake FROM stake_change
      WHERE node_id = ANY($1) AND block <= $2 ORDER BY node_id, block, log_index`,
    [ids, until],
  );
  const out = new Map<string, { block: number; stake: string }[]>();
  for (const row of rows) {
    const list = out.get(row.node_id) ?? [];
    list.push({ block: row.block, stake: row.stake });
    out.set(row.node_id, list);
  }
  return out;
}

/**
 * Each node's events (ordered by node id, as the node chunks are) from the cursor `history_events`, declared
 * over reputationEventsSql(..., { bySubject: true }) in the export's transaction.
 */
async function* eventsByNode(db: Db): AsyncGenerator<{ node: string; events: SubjectEvent[] }> {
  let node: string | undefined;
  let events: SubjectEvent[] = [];
  const fetchBatch = () => prefetch(db.query<EventRow>(`FETCH ${EVENT_BATCH} FROM history_events`));
  let next = fetchBatch();
  for (;;) {
    const rows = await next;
    // The next batch is asked for at once: Postgres sends it while this one is turned into rows.
    if (rows.length === EVENT_BATCH) next = fetchBatch();
    for (const row of rows) {
      if (row.subject !== node) {
        if (node !== undefined) yield { node, events };
        node = row.subject;
        events = [];
      }
      events.push(subjectEvent(row));
    }
    if (rows.length < EVENT_BATCH) break;
  }
  if (node !== undefined) yield { node, events };
}

/** No node's events (the checkpoints answer instead). */
async function* noEvents(): AsyncGenerator<{ node: string; events: SubjectEvent[] }> {}

/**
 * The rows of the export in chunks (a chunk of nodes' buckets each), nodes by id, buckets oldest first, each row
 * its values in HISTORY_FIELDS' order (no object per row: the writers take arrays, as pg's rows). Throws
 * BadParameter (before any row) for too many buckets.
 */
export async function* historyRows(db: Db, request: ExportRequest, r: Resolved): AsyncGenerator<unknown[][]> {
  const interval = request.interval ?? "DAY";
  const buckets = await bucketEnds(db, request, r);
  if (buckets.length === 0) return;
  const until = buckets[buckets.length - 1].end;
  const untilBlock = buckets[buckets.length - 1].block;
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
    const [state] = access?.readable ? await db.query<CheckpointState>(CHECKPOINT_STATE_SQL) : [];
    // The open buckets come from each node's stored decayed state, which answers from its reference time on: a
    // node whose state is ahead of the latest block (not expected) needs the replay for them too.
    const [ahead] = await db.query<{ ahead: boolean }>(
      "SELECT EXISTS (SELECT 1 FROM node WHERE rep_ref_time > $1) AS ahead",
      [r.t],
    );
    fromCheckpoints = !ahead?.ahead && checkpointsAnswer(state, ends, r.t);
  }
  if (!fromCheckpoints) {
    await db.query(
      `DECLARE history_events NO SCROLL CURSOR FOR ${reputationEventsSql("node", { all: !request.node, bySubject: true })}`,
      request.node ? [[request.node], until] : [until],
    );
  }
  const byNode = fromCheckpoints ? noEvents() : eventsByNode(db);
  const chunkSize = fromCheckpoints ? CHECKPOINT_NODE_CHUNK : NODE_CHUNK;
  let pending = await byNode.next();
  /** The nodes after `after` (a chunk) and what their rows need besides events; undefined past the last. */
  const readChunk = async (after: string) => {
    const nodes = await db.query<NodeRow>(
      `SELECT id, rep_ref_time, rep_s::text AS rep_s, rep_n::text AS rep_n, rep_d::text AS rep_d FROM node
        WHERE id > $1 ${request.node ? "AND id = $3" : ""} ORDER BY id LIMIT $2`,
      request.node ? [after, chunkSize, request.node] : [after, chunkSize],
    );
    if (nodes.length === 0) return undefined;
    const ids = nodes.map((n) => n.id);
    const [counts, stakes, uptime, checkpoints] = await Promise.all([
      bucketCounts(db, ids, interval, buckets),
      stakeChanges(db, ids, untilBlock),
      uptimeSeries(db, ids, ends),
      fromCheckpoints ? checkpointSums(db, ids, closedEnds) : undefined,
    ]);
    return { nodes, counts, stakes, uptime, checkpoints };
  };
  let nextChunk = prefetch(readChunk(""));
  for (;;) {
    const chunk = await nextChunk;
    if (!chunk) break;
    const { nodes, counts, stakes, uptime, checkpoints } = chunk;
    const more = nodes.length === chunkSize;
    // The next chunk's statements go out now: Postgres answers them while this chunk's rows are computed.
    if (more) nextChunk = prefetch(readChunk(nodes[nodes.length - 1].id));
    let rows: unknown[][] = [];
    for (const node of nodes) {
      if (rows.length >= YIELD_ROWS) {
        yield rows;
        rows = [];
      }
      let series: DecayedSums[];
      if (checkpoints) {
        const byTime = checkpoints.get(node.id);
        series = ends.map((t) => byTime?.get(t) ?? ZERO_SUMS);
      } else {
        let events: SubjectEvent[] = [];
        if (!pending.done && pending.value.node === node.id) {
          events = pending.value.events;
          pending = await byNode.next();
        }
        series = decayedSumsSeries(events, ends, "node");
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
      const nodeUptime = uptime.get(node.id);
      const nodeCounts = counts.get(node.id);
      const changes = stakes.get(node.id) ?? [];
      let k = 0;
      let stake = "0";
      for (let i = 0; i < buckets.length; i++) {
        const b = buckets[i];
        while (k < changes.length && changes[k].block <= b.block) stake = changes[k++].stake;
        const sums = series[i];
        const rep = reputationFromSums(sums);
        const c = nodeCounts?.get(b.start) ?? ZERO;
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
          nodeUptime?.[i] ?? 0,
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
    if (rows.length > 0) yield rows;
    if (!more) break;
  }
  // Every node with events is a node (inference.node_id references node.id) and both are ordered by id.
  if (!pending.done) throw new Error(`reputation-history: events of ${pending.value.node} matched no node`);
}
