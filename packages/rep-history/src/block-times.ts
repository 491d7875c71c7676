// Which block a time falls in, and the time of a block, as the exports and the reputation history answer them:
// the latest block with an indexed event at or before a time (its "block of a time"), read from every table that
// stores an event's block and time. Here, and not in the API, because the indexer's checkpoint pass stores the
// block of every final day end with the same statement (rep_checkpoints.day_block, docs/decisions/013), which the
// reputation-history export then reads instead of scanning these tables per request.

/** Tables with (block, time) columns: where a block's time, or a time's block, can be read. */
const BLOCK_TIMES: [table: string, block: string, at: string][] = [
  ["inference", "committed_block", "committed_at"],
  ["inference_verdict", "block", "at"],
  ["settlement", "block", "at"],
  ["slash", "block", "at"],
  ["stake_change", "block", "at"],
  ["tee_status_change", "block", "at"],
  ["pcr_event", "block", "at"],
  ["challenge", "opened_block", "opened_at"],
  ["heartbeat", "block", "at"],
];

/** The time of the latest block at or before $1 that holds an indexed event (null if none). */
export const BLOCK_TIME_SQL = `SELECT extract(epoch FROM max(t))::float8 AS t FROM (${BLOCK_TIMES.map(
  ([table, block, at]) =>
    `(SELECT ${at} AS t FROM ${table} WHERE ${block} <= $1 ORDER BY ${block} DESC LIMIT 1)`,
).join(" UNION ALL ")}) x`;

/** The latest block with an indexed event at or before time $1 (null if none). */
export const TIME_BLOCK_SQL = `SELECT max(b)::int AS block FROM (${BLOCK_TIMES.map(
  ([table, block, at]) =>
    `(SELECT ${block} AS b FROM ${table} WHERE ${at} <= $1 ORDER BY ${at} DESC LIMIT 1)`,
).join(" UNION ALL ")}) x`;

/** BLOCK_TIMES' tables with an index on their time column (TIMES_BLOCKS_SQL looks each time up there). */
const TIME_INDEXED: ReadonlySet<string> = new Set(["inference", "settlement", "slash"]);

/**
 * TIME_BLOCK_SQL at each of the times $1 (timestamptz[]; rows in its order, `block` null where none), in one
 * statement: the tables without an index on their time column are read once (each block with its earliest
 * event time, up to the latest time asked) instead of once per time (the history export asks it for every
 * bucket end, the checkpoint pass for every day end), and merged with the times in time order, each time taking
 * the greatest block at or before it (a running max: no scan of every block per time); the indexed ones are
 * looked up per time as TIME_BLOCK_SQL does.
 */
export const TIMES_BLOCKS_SQL = `WITH e AS (SELECT t, ord FROM unnest($1::timestamptz[]) WITH ORDINALITY AS e(t, ord)),
scanned AS (
  SELECT b, min(t) AS t FROM (${BLOCK_TIMES.filter(([table]) => !TIME_INDEXED.has(table))
    .map(
      ([table, block, at]) =>
        `SELECT ${block} AS b, ${at} AS t FROM ${table} WHERE ${at} <= (SELECT max(t) FROM e)`,
    )
    .join(" UNION ALL ")}) x GROUP BY b),
running AS (
  SELECT ord, max(b) OVER (ORDER BY t, ord NULLS FIRST ROWS UNBOUNDED PRECEDING) AS b FROM (
    SELECT t, NULL::bigint AS ord, b FROM scanned UNION ALL SELECT t, ord, NULL::int FROM e) m)
SELECT greatest(r.b, ${BLOCK_TIMES.filter(([table]) => TIME_INDEXED.has(table))
  .map(
    ([table, block, at]) => `(SELECT ${block} FROM ${table} WHERE ${at} <= e.t ORDER BY ${at} DESC LIMIT 1)`,
  )
  .join(", ")})::int AS block
  FROM e JOIN running r ON r.ord = e.ord ORDER BY e.ord`;

/**
 * The earliest time (unix seconds) of any event in BLOCK_TIMES' tables (null when there is none): at every time
 * before it, TIMES_BLOCKS_SQL answers null.
 */
export const FIRST_BLOCK_TIME_SQL = `SELECT extract(epoch FROM min(t))::float8 AS t FROM (${BLOCK_TIMES.map(
  ([table, , at]) => `(SELECT min(${at}) AS t FROM ${table})`,
).join(" UNION ALL ")}) x`;

/**
 * The blocks the checkpoint pass stored for the day ends $1 (unix seconds, float8[]; rows in its order). The pass
 * stores TIMES_BLOCKS_SQL's block of every day end from the first at or after the earliest event
 * (FIRST_BLOCK_TIME_SQL) through its last (rep_checkpoints.state.through). Per day end: `block` where stored;
 * else `none` true before the first stored day end (no event at or before it: TIMES_BLOCKS_SQL answers null);
 * else not stored (ask TIMES_BLOCKS_SQL).
 */
export const DAY_BLOCKS_SQL = `
  SELECT d.block, e.t < (SELECT extract(epoch FROM min(day_end))::float8 FROM rep_checkpoints.day_block) AS none
    FROM unnest($1::float8[]) WITH ORDINALITY AS e(t, ord)
    LEFT JOIN rep_checkpoints.day_block d ON d.day_end = to_timestamp(e.t)
   ORDER BY e.ord`;

/** Stores day ends' blocks ($1 unix seconds, $2 blocks; TIMES_BLOCKS_SQL's non-null answers). */
export const INSERT_DAY_BLOCKS_SQL = `
  INSERT INTO rep_checkpoints.day_block (day_end, block)
  SELECT to_timestamp(u.t), u.block FROM unnest($1::float8[], $2::int[]) AS u(t, block)`;
