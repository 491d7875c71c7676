import type { Db } from "../db/database.ts";
import { pcrNowLateral } from "../exports/sql.ts";
import { scoreLateral } from "../reputation/score-sql.ts";
import { type IndexerStateRow, latestBlockTime } from "./indexer-state.ts";

// The leaderboard's ranking, computed once per indexed state instead of once per request. Scoring 10,000 nodes in
// SQL and sorting them takes tens of milliseconds, yet between two commits of the indexer every answer is the
// same: the scores depend only on the node rows and on asOf (the latest indexed block's time), and the indexer
// changes both only in transactions that also write indexer_state. So the ranking (id, score and the filterable
// columns of every node, in the SQL order) is kept per database and keyed by the version of the indexer_state row
// (its xmin: every write of that row changes it). A request whose state matches uses it; anything else (no
// state, another version, a cursor from another ranking) takes the SQL path. See nodes.ts for how a page is
// checked against the same version before it is returned.

/**
 * 1 for a node in good standing at asOf (enabled, its PCR approved, some stake), else 0: among nodes of equal
 * score, those in good standing rank first (README, "Leaderboard order"). Needs pcrNowLateral(T, "pa") in FROM.
 */
export const STANDING_SQL =
  "(CASE WHEN n.enabled AND n.stake > 0 AND COALESCE(pa.approved, false) THEN 1 ELSE 0 END)";

export interface RankedNode {
  id: string;
  score: number;
  /** 1 in good standing (nodes.ts, STANDING_SQL), else 0: the tie-break of equal scores. */
  standing: number;
  provisional: boolean;
  enabled: boolean;
  teeType: number | null;
  owner: string | null;
}

export interface Ranking {
  /** indexer_state's version the ranking was computed at. */
  version: string;
  /** asOf of the scores (unix seconds): the latest block's time at that version. */
  asOf: number;
  /** Every node by score descending, good standing first, then id ascending, as Postgres ordered them. */
  desc: RankedNode[];
  /** Every node by score ascending, good standing last, then id ascending. */
  asc: RankedNode[];
  /** Position of each id in `desc` and in `asc`. */
  descIndex: Map<string, number>;
  ascIndex: Map<string, number>;
}

interface Slot {
  version: string;
  ranking: Promise<Ranking | undefined>;
  usedAt: number;
}

const slots = new WeakMap<Db, Slot>();

/** The ranking at this indexer state (computed, or shared with concurrent requests); undefined without a state. */
export function rankingAt(db: Db, state: IndexerStateRow | null): Promise<Ranking | undefined> {
  const version = state?.version;
  if (!version) return Promise.resolve(undefined);
  const slot = slots.get(db);
  if (slot && slot.version === version) {
    slot.usedAt = Date.now();
    return slot.ranking;
  }
  // A failure (e.g. the indexer has not migrated yet) leaves the SQL path to report it, and is not kept.
  const ranking = computeRanking(db).catch(() => {
    if (slots.get(db) === next) slots.delete(db);
    return undefined;
  });
  const next: Slot = { version, ranking, usedAt: Date.now() };
  slots.set(db, next);
  // The ranking may come out at a newer version than asked (the indexer committed meanwhile): key it by that.
  void ranking.then((r) => {
    if (r && slots.get(db) === next) next.version = r.version;
  });
  return ranking;
}

/**
 * After the indexer committed (subscriptions' notification): recompute now if the leaderboard was asked for in
 * the last minute, so the next request does not wait for it.
 */
export function refreshRanking(db: Db, state: IndexerStateRow | null): void {
  const slot = slots.get(db);
  if (!slot || Date.now() - slot.usedAt > 60_000 || !state?.version || slot.version === state.version) return;
  const usedAt = slot.usedAt;
  void rankingAt(db, state).then(() => {
    const now = slots.get(db);
    if (now) now.usedAt = usedAt;
  });
}

/** Reads the state and every node's score in one snapshot. */
async function computeRanking(db: Db): Promise<Ranking | undefined> {
  const client = await db.pool.connect();
  let failed = false;
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const { rows: states } = await client.query<{ version: string; timestamp: Date | null }>(
      "SELECT xmin::text AS version, timestamp FROM indexer_state WHERE id = 'indexer'",
    );
    const state = states[0];
    if (!state) {
      await client.query("COMMIT");
      return undefined;
    }
    // asOf exactly as the request computes it (latestBlockTime), and the score as listNodes' SQL path has it.
    const asOf = latestBlockTime(state);
    const { rows } = await client.query<{
      id: string;
      score: number;
      standing: number;
      provisional: boolean;
      enabled: boolean;
      tee_type: number | null;
      owner: string | null;
    }>(
      `SELECT n.id, r.score, ${STANDING_SQL} AS standing, r.provisional, n.enabled, n.tee_type, n.owner
         FROM node n ${scoreLateral({ refTime: "n.rep_ref_time", s: "n.rep_s", n: "n.rep_n", d: "n.rep_d" }, "$1::float8", "r")}
              ${pcrNowLateral("$1::float8", "pa")}
        ORDER BY r.score DESC, standing DESC, n.id ASC`,
      [asOf],
    );
    await client.query("COMMIT");
    const desc = rows.map((r) => ({
      id: r.id,
      score: r.score,
      standing: r.standing,
      provisional: r.provisional,
      enabled: r.enabled,
      teeType: r.tee_type,
      owner: r.owner,
    }));
    // Score ascending, standing ascending, ids still ascending within both: the runs of equal (score, standing)
    // in reverse order.
    const asc: RankedNode[] = [];
    const same = (a: RankedNode, b: RankedNode) => a.score === b.score && a.standing === b.standing;
    for (let end = desc.length; end > 0; ) {
      let start = end - 1;
      while (start > 0 && same(desc[start - 1], desc[end - 1])) start--;
      for (let i = start; i < end; i++) asc.push(desc[i]);
      end = start;
    }
    return {
      version: state.version,
      asOf,
      desc,
      asc,
      descIndex: new Map(desc.map((n, i) => [n.id, i])),
      ascIndex: new Map(asc.map((n, i) => [n.id, i])),
    };
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    if (failed) await client.query("ROLLBACK").catch(() => {});
    client.release(failed ? true : undefined);
  }
}
