import type { Db } from "../db/database.ts";
import { escapeLike, SqlParams } from "../db/sql.ts";
import {
  afterCursorSql,
  type Connection,
  type Ordering,
  orderBySql,
  toConnection,
} from "../pagination/connection.ts";
import { scoreLateral } from "../reputation/score-sql.ts";
import type { ModelModel, ModeValue } from "./models.ts";
import { type ModelRow, modelFromRow } from "./rows.ts";

export type ModelOrderBy = "INFERENCES_DESC" | "SCORE_DESC" | "REGISTERED_DESC" | "NAME_ASC";

export interface ModelFilter {
  mode?: ModeValue;
  owner?: string;
  deprecated?: boolean;
  nameContains?: string;
}

type ScoredModelRow = ModelRow & { score: number };

const id = { sql: "m.id", dir: "ASC", cast: "text", value: (r: ScoredModelRow) => r.id } as const;

const ORDERINGS: Record<ModelOrderBy, Ordering<ScoredModelRow>> = {
  INFERENCES_DESC: {
    list: "models:INFERENCES_DESC",
    keys: [{ sql: "m.inferences", dir: "DESC", cast: "int", value: (r) => r.inferences }, id],
  },
  SCORE_DESC: {
    list: "models:SCORE_DESC",
    keys: [{ sql: "r.score", dir: "DESC", cast: "int", value: (r) => r.score }, id],
  },
  REGISTERED_DESC: {
    list: "models:REGISTERED_DESC",
    keys: [
      {
        sql: "COALESCE(m.registered_block, -1)",
        dir: "DESC",
        cast: "int",
        value: (r) => r.registered_block ?? -1,
      },
      {
        sql: "COALESCE(m.registered_log_index, -1)",
        dir: "DESC",
        cast: "int",
        value: (r) => r.registered_log_index ?? -1,
      },
      id,
    ],
  },
  NAME_ASC: {
    list: "models:NAME_ASC",
    keys: [{ sql: "m.name", dir: "ASC", cast: "text", value: (r) => r.name }, id],
  },
};

export interface ListModelsArgs {
  first: number;
  after?: string | null;
  orderBy: ModelOrderBy;
  where: ModelFilter;
  asOf: number;
}

export async function listModels(db: Db, args: ListModelsArgs): Promise<Connection<ModelModel>> {
  const ordering = ORDERINGS[args.orderBy];
  const params = new SqlParams();
  const t = `${params.add(args.asOf)}::float8`;
  const conditions: string[] = [];
  const w = args.where;
  if (w.mode !== undefined) conditions.push(`m.mode = ${params.add(w.mode)}`);
  if (w.owner !== undefined) conditions.push(`m.owner = ${params.add(w.owner)}`);
  if (w.deprecated !== undefined) conditions.push(`m.deprecated = ${params.add(w.deprecated)}`);
  if (w.nameContains !== undefined && w.nameContains !== "") {
    conditions.push(`m.name ILIKE ${params.add(`%${escapeLike(w.nameContains)}%`)} ESCAPE '\\'`);
  }
  const from = `FROM model m ${scoreLateral({ refTime: "m.rep_ref_time", s: "m.rep_s", n: "m.rep_n" }, t, "r")}`;
  const countSql = `SELECT count(*)::int AS count ${from}${conditions.length ? ` WHERE ${conditions.join(" AND ")}` : ""}`;
  const countValues = [...params.values];
  const after = afterCursorSql(ordering, args.after, params);
  const where = after ? [...conditions, after] : conditions;
  const rows = await db.query<ScoredModelRow>(
    `SELECT m.*, r.score ${from}${where.length ? ` WHERE ${where.join(" AND ")}` : ""}
      ORDER BY ${orderBySql(ordering)} LIMIT ${args.first + 1}`,
    params.values,
  );
  return toConnection(rows, args.first, ordering, modelFromRow, async () => {
    const [row] = await db.query<{ count: number }>(countSql, countValues);
    return row.count;
  });
}

export async function modelsByIds(db: Db, ids: readonly string[]): Promise<ModelModel[]> {
  const rows = await db.query<ModelRow>("SELECT * FROM model WHERE id = ANY($1)", [ids]);
  return rows.map(modelFromRow);
}

/** Distinct nodes with a commit for each model in (asOf - 30 d, asOf]; asOf must be the latest block time. */
export async function distinctNodes30dAtLatest(
  db: Db,
  modelIds: readonly string[],
  asOf: number,
): Promise<Map<string, number>> {
  // model_node keeps each (model, node)'s first and last commit: with asOf the latest block time every commit
  // is at or before asOf, so "a commit in the window" is "last commit after asOf - 30 d".
  const rows = await db.query<{ model_id: string; count: number }>(
    `SELECT model_id, count(*)::int AS count FROM model_node
      WHERE model_id = ANY($1) AND last_commit_at > to_timestamp($2::float8 - 2592000) AND first_commit_at <= to_timestamp($2::float8)
      GROUP BY model_id`,
    [modelIds, asOf],
  );
  return new Map(rows.map((r) => [r.model_id, r.count]));
}

export interface ServingNodeRow {
  nodeId: string;
  inferences: number;
  firstCommitAt: Date;
  lastCommitAt: Date;
}

/** The nodes that committed inferences for a model (model_node keeps a count and first/last commit per pair). */
export async function servingNodes(db: Db, modelId: string, first: number): Promise<ServingNodeRow[]> {
  const rows = await db.query<{
    node_id: string;
    inferences: number;
    first_commit_at: Date;
    last_commit_at: Date;
  }>(
    `SELECT node_id, inferences, first_commit_at, last_commit_at FROM model_node
      WHERE model_id = $1 ORDER BY inferences DESC, last_commit_at DESC, node_id LIMIT $2`,
    [modelId, first],
  );
  return rows.map((r) => ({
    nodeId: r.node_id,
    inferences: r.inferences,
    firstCommitAt: r.first_commit_at,
    lastCommitAt: r.last_commit_at,
  }));
}
