import type { Db } from "../db/database.ts";
import { SqlParams } from "../db/sql.ts";
import { pcrNowLateral } from "../exports/sql.ts";
import {
  afterCursorSql,
  type Connection,
  type Ordering,
  orderBySql,
  toConnection,
} from "../pagination/connection.ts";
import { decodeCursor } from "../pagination/cursor.ts";
import { scoreLateral } from "../reputation/score-sql.ts";
import type { IndexerStateRow } from "./indexer-state.ts";
import type { NodeModel } from "./models.ts";
import { type RankedNode, rankingAt, STANDING_SQL } from "./node-ranking.ts";
import { type NodeRow, nodeFromRow } from "./rows.ts";

export type NodeOrderBy =
  | "SCORE_DESC"
  | "SCORE_ASC"
  | "STAKE_DESC"
  | "SLASHED_DESC"
  | "INFERENCES_DESC"
  | "REGISTERED_DESC";

export interface NodeFilter {
  enabled?: boolean;
  teeType?: number;
  owner?: string;
  minScore?: number;
  provisional?: boolean;
}

type ScoredNodeRow = NodeRow & { score: number; standing: number };

const id = { sql: "n.id", dir: "ASC", cast: "text", value: (r: ScoredNodeRow) => r.id } as const;

// Every ordering ends in the unique id, so pages never overlap or skip rows that tie.
const ORDERINGS: Record<NodeOrderBy, Ordering<ScoredNodeRow>> = {
  SCORE_DESC: {
    list: "nodes:SCORE_DESC", // a cursor from before the tie-break has one key fewer: rejected
    keys: [
      { sql: "r.score", dir: "DESC", cast: "int", value: (r) => r.score },
      { sql: STANDING_SQL, dir: "DESC", cast: "int", value: (r) => r.standing },
      id,
    ],
  },
  SCORE_ASC: {
    list: "nodes:SCORE_ASC",
    keys: [
      { sql: "r.score", dir: "ASC", cast: "int", value: (r) => r.score },
      { sql: STANDING_SQL, dir: "ASC", cast: "int", value: (r) => r.standing },
      id,
    ],
  },
  STAKE_DESC: {
    list: "nodes:STAKE_DESC",
    keys: [{ sql: "n.stake", dir: "DESC", cast: "numeric", value: (r) => r.stake }, id],
  },
  SLASHED_DESC: {
    list: "nodes:SLASHED_DESC",
    keys: [{ sql: "n.total_slashed", dir: "DESC", cast: "numeric", value: (r) => r.total_slashed }, id],
  },
  INFERENCES_DESC: {
    list: "nodes:INFERENCES_DESC",
    keys: [{ sql: "n.committed", dir: "DESC", cast: "int", value: (r) => r.committed }, id],
  },
  REGISTERED_DESC: {
    list: "nodes:REGISTERED_DESC",
    keys: [
      {
        sql: "COALESCE(n.registered_block, -1)",
        dir: "DESC",
        cast: "int",
        value: (r) => r.registered_block ?? -1,
      },
      {
        sql: "COALESCE(n.registered_log_index, -1)",
        dir: "DESC",
        cast: "int",
        value: (r) => r.registered_log_index ?? -1,
      },
      id,
    ],
  },
};

export interface ListNodesArgs {
  first: number;
  after?: string | null;
  orderBy: NodeOrderBy;
  where: NodeFilter;
  /** Time (unix seconds) at which scores are evaluated: the latest indexed block's. */
  asOf: number;
  /** The indexer state asOf comes from: score orderings are then served from the ranking kept for it. */
  state?: IndexerStateRow | null;
}

export async function listNodes(db: Db, args: ListNodesArgs): Promise<Connection<NodeModel>> {
  if (args.orderBy === "SCORE_DESC" || args.orderBy === "SCORE_ASC") {
    const ranked = await listNodesByRanking(db, args);
    if (ranked) return ranked;
  }
  return listNodesBySql(db, args);
}

/**
 * A score-ordered page from the ranking kept for the request's indexer state (node-ranking.ts), with exactly the
 * SQL path's answer: same order, filters, cursors and count. Undefined (take the SQL path) when there is no
 * ranking for that state, when the cursor is not a row of it, or when the indexer committed before the page's
 * rows were read (they are read together with the state's version, in one statement).
 */
async function listNodesByRanking(db: Db, args: ListNodesArgs): Promise<Connection<NodeModel> | undefined> {
  const state = args.state;
  if (!state) return undefined;
  const ranking = await rankingAt(db, state);
  if (!ranking || ranking.version !== state.version || ranking.asOf !== args.asOf) return undefined;
  const ordering = ORDERINGS[args.orderBy];
  const desc = args.orderBy === "SCORE_DESC";
  const list = desc ? ranking.desc : ranking.asc;
  let start = 0;
  if (args.after !== null && args.after !== undefined) {
    // The same validation (and BAD_USER_INPUT) as afterCursorSql.
    const [score, standing, id] = decodeCursor(ordering.list, args.after, ["int", "int", "string"]);
    const at = (desc ? ranking.descIndex : ranking.ascIndex).get(id as string);
    if (at === undefined || list[at].score !== score || list[at].standing !== standing) return undefined;
    start = at + 1;
  }
  const w = args.where;
  const keep = (n: RankedNode) =>
    (w.enabled === undefined || n.enabled === w.enabled) &&
    (w.teeType === undefined || n.teeType === w.teeType) &&
    (w.owner === undefined || n.owner === w.owner) &&
    (w.minScore === undefined || n.score >= w.minScore) &&
    (w.provisional === undefined || n.provisional === w.provisional);
  const page: RankedNode[] = [];
  for (let i = start; i < list.length && page.length <= args.first; i++)
    if (keep(list[i])) page.push(list[i]);
  let rows: ScoredNodeRow[] = [];
  if (page.length > 0) {
    const found = await db.query<NodeRow & { state_version: string | null }>(
      `SELECT n.*, (SELECT xmin::text FROM indexer_state WHERE id = 'indexer') AS state_version
         FROM node n WHERE n.id = ANY($1)`,
      [page.map((n) => n.id)],
    );
    if (found.length !== page.length || found.some((r) => r.state_version !== ranking.version))
      return undefined;
    const byId = new Map(found.map((r) => [r.id, r]));
    rows = page.map((n) => ({ ...(byId.get(n.id) as NodeRow), score: n.score, standing: n.standing }));
  }
  return toConnection(rows, args.first, ordering, nodeFromRow, async () => {
    let count = 0;
    for (const n of list) if (keep(n)) count++;
    return count;
  });
}

async function listNodesBySql(db: Db, args: ListNodesArgs): Promise<Connection<NodeModel>> {
  const ordering = ORDERINGS[args.orderBy];
  const params = new SqlParams();
  const t = `${params.add(args.asOf)}::float8`;
  const conditions: string[] = [];
  const w = args.where;
  if (w.enabled !== undefined) conditions.push(`n.enabled = ${params.add(w.enabled)}`);
  if (w.teeType !== undefined) conditions.push(`n.tee_type = ${params.add(w.teeType)}`);
  if (w.owner !== undefined) conditions.push(`n.owner = ${params.add(w.owner)}`);
  if (w.minScore !== undefined) conditions.push(`r.score >= ${params.add(w.minScore)}`);
  if (w.provisional !== undefined) conditions.push(`r.provisional = ${params.add(w.provisional)}`);
  const from = `FROM node n ${scoreLateral({ refTime: "n.rep_ref_time", s: "n.rep_s", n: "n.rep_n", d: "n.rep_d" }, t, "r")}
    ${pcrNowLateral(t, "pa")}`;
  const filterParams = params.values.length;
  const countSql = `SELECT count(*)::int AS count ${from}${conditions.length ? ` WHERE ${conditions.join(" AND ")}` : ""}`;
  const countValues = params.values.slice(0, filterParams);
  const after = afterCursorSql(ordering, args.after, params);
  const where = after ? [...conditions, after] : conditions;
  const rows = await db.query<ScoredNodeRow>(
    `SELECT n.*, r.score, ${STANDING_SQL} AS standing ${from}${where.length ? ` WHERE ${where.join(" AND ")}` : ""}
      ORDER BY ${orderBySql(ordering)} LIMIT ${args.first + 1}`,
    params.values,
  );
  return toConnection(rows, args.first, ordering, nodeFromRow, async () => {
    const [row] = await db.query<{ count: number }>(countSql, countValues);
    return row.count;
  });
}

export async function nodesByIds(db: Db, ids: readonly string[]): Promise<NodeModel[]> {
  const rows = await db.query<NodeRow>("SELECT * FROM node WHERE id = ANY($1)", [ids]);
  return rows.map(nodeFromRow);
}
