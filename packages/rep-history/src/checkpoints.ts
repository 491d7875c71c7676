// Day-end reputation checkpoints (docs/decisions/013): every node's rep-v1 sums S, N and D at each closed day's
// end, computed once by the indexer's checkpoint pass with the replay the API would run (decayedSumsSeries over
// the events of events-sql.ts), so that a reputation-history export reads them instead of every event. The rules
// both sides follow are here: which day ends a pass may compute, and when stored checkpoints answer.
//
// A checkpoint at day end D is exact while nothing changes what reputation(asOf: D) answers:
// - D is before the finalized block's time when computed: every event at or before D is indexed and final;
// - no restatement is in a block after the one the pass computed from (basis_block). A restatement applies
//   today's knowledge to earlier events (spec/README.md): a PCR revocation (earlier pcrValid PASS turn FAIL), or
//   the registration of a TEE that settled before it (those settlements' signatures are checked then). A pass
//   waits while a restatement is in a block that is not final yet (a reorg could undo it), so basis_block is final
//   and every later restatement is in a later block.

/** The checkpoints' interval. */
export const DAY_SECONDS = 86_400;

/** The latest day end strictly before `t` (unix seconds): every block at or before it is older than t's block. */
export function latestDayEndBefore(t: number): number {
  return Math.ceil(t / DAY_SECONDS) * DAY_SECONDS - DAY_SECONDS;
}

/** The first day end at or after `t`: the first that counts an event at time t. */
export function firstDayEndFrom(t: number): number {
  return Math.ceil(t / DAY_SECONDS) * DAY_SECONDS;
}

/** Day ends from `first` to `through`, both included (day ends, ascending). */
export function dayEnds(first: number, through: number): number[] {
  const out: number[] = [];
  for (let t = first; t <= through; t += DAY_SECONDS) out.push(t);
  return out;
}

/** The stored checkpoints' extent, as readCheckpointState reads it. */
export interface CheckpointState {
  /** The first day end with rows; every node's sums are zero at earlier day ends. */
  first: number;
  /** The last day end with rows. */
  through: number;
  /** The (final) block the rows were computed from. */
  basisBlock: number;
  /** A restatement after basisBlock: the rows are stale. */
  restated: boolean;
}

/** Whether a restatement (above) is in a block after $1. */
export const RESTATED_AFTER_SQL = `SELECT (
    EXISTS (SELECT 1 FROM pcr_event e WHERE e.kind = 'REVOKED' AND e.block > $1)
    OR EXISTS (SELECT 1 FROM node n
                WHERE n.registered_block > $1
                  AND EXISTS (SELECT 1 FROM settlement s WHERE s.node_id = n.id
                                 AND (s.block, s.log_index) < (n.registered_block, n.registered_log_index)))
  ) AS restated`;

/** The checkpoints' extent; no row before the first pass. */
const CHECKPOINT_EXTENT_SQL = `
  SELECT extract(epoch FROM c.first_day_end)::float8 AS first, extract(epoch FROM c.through)::float8 AS through,
         c.basis_block AS "basisBlock"
    FROM rep_checkpoints.state c WHERE c.id = 'reputation'`;

/**
 * The checkpoints' extent and whether a restatement made them stale (undefined before the first pass), with
 * `query` (the caller's session: read in the same snapshot as the checkpoints themselves). Two statements: the
 * basis block as a parameter is planned with its value, so the index on node.registered_block finds the few
 * registrations after it; as a column of the same statement it was a sequential scan of node (54 ms on the
 * bench database).
 */
export async function readCheckpointState(
  query: <R>(sql: string, params?: readonly unknown[]) => Promise<R[]>,
): Promise<CheckpointState | undefined> {
  const [extent] = await query<Omit<CheckpointState, "restated">>(CHECKPOINT_EXTENT_SQL);
  if (!extent) return undefined;
  const [hot] = await query<{ restated: boolean }>(RESTATED_AFTER_SQL, [extent.basisBlock]);
  return { ...extent, restated: hot?.restated === true };
}

/**
 * Whether this session can read the checkpoints and the day ends' blocks: false before the indexer's migrations
 * made them, or for a role that was not granted them (one created after those migrations ran); then the export
 * replays the events.
 */
export const CHECKPOINTS_READABLE_SQL = `
  SELECT CASE WHEN to_regnamespace('rep_checkpoints') IS NULL THEN false
              WHEN NOT has_schema_privilege(to_regnamespace('rep_checkpoints'), 'USAGE') THEN false
              WHEN to_regclass('rep_checkpoints.day_block') IS NULL THEN false
              ELSE has_table_privilege('rep_checkpoints.state', 'SELECT')
                   AND has_table_privilege('rep_checkpoints.node_day', 'SELECT')
                   AND has_table_privilege('rep_checkpoints.day_block', 'SELECT') END AS readable`;

/**
 * The checkpoints at day ends from $1 to $2 (unix seconds) of every node, or of node $3 with `oneNode`, ordered by
 * node then day end (read through a cursor beside the node list, in the same order).
 */
export function checkpointsSql(oneNode: boolean): string {
  return `SELECT node_id, extract(epoch FROM day_end)::float8 AS t, s, n, d FROM rep_checkpoints.node_day
   WHERE day_end >= to_timestamp($1::float8) AND day_end <= to_timestamp($2::float8)${oneNode ? " AND node_id = $3" : ""}
   ORDER BY node_id, day_end`;
}

/** One row of checkpointsSql. */
export interface CheckpointRow {
  node_id: string;
  t: number;
  s: number;
  n: number;
  d: number;
}

/**
 * Whether stored checkpoints answer rep-v1 at every time of `times` (unix seconds) that is before `openFrom` (the
 * latest indexed block's time, where the stored decayed state answers instead): each must be a day end the
 * checkpoints cover (at or before their last; before their first, every sum is zero), and no restatement may have
 * come since.
 */
export function checkpointsAnswer(
  state: CheckpointState | undefined,
  times: readonly number[],
  openFrom: number,
): boolean {
  if (!state || state.restated) return false;
  return times.every((t) => t >= openFrom || (t % DAY_SECONDS === 0 && t <= state.through));
}
