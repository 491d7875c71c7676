import type { Db } from "../db/database.ts";
import { SqlParams } from "../db/sql.ts";
import {
  afterCursorSql,
  type Connection,
  type Ordering,
  orderBySql,
  toConnection,
} from "../pagination/connection.ts";
import type { InferenceModel, ModeValue, StatusValue } from "./models.ts";
import { type InferenceRow, inferenceColumns, inferenceFromRow } from "./rows.ts";

export type InferenceOrderBy = "COMMITTED_DESC" | "COMMITTED_ASC";

export interface InferenceFilter {
  nodeId?: string;
  modelId?: string;
  statuses?: StatusValue[];
  mode?: ModeValue;
  /** Commit block time, inclusive. */
  from?: Date;
  to?: Date;
  discrepancy?: boolean;
}

const keys = (dir: "ASC" | "DESC") =>
  [
    { sql: "i.committed_block", dir, cast: "int", value: (r: InferenceRow) => r.committed_block },
    { sql: "i.committed_log_index", dir, cast: "int", value: (r: InferenceRow) => r.committed_log_index },
    { sql: "i.id", dir, cast: "text", value: (r: InferenceRow) => r.id },
  ] as const;

const ORDERINGS: Record<InferenceOrderBy, Ordering<InferenceRow>> = {
  COMMITTED_DESC: { list: "inferences:COMMITTED_DESC", keys: keys("DESC") },
  COMMITTED_ASC: { list: "inferences:COMMITTED_ASC", keys: keys("ASC") },
};

export interface ListInferencesArgs {
  first: number;
  after?: string | null;
  orderBy: InferenceOrderBy;
  where: InferenceFilter;
}

export async function listInferences(db: Db, args: ListInferencesArgs): Promise<Connection<InferenceModel>> {
  const ordering = ORDERINGS[args.orderBy];
  const params = new SqlParams();
  const conditions: string[] = [];
  const w = args.where;
  if (w.nodeId !== undefined) conditions.push(`i.node_id = ${params.add(w.nodeId)}`);
  if (w.modelId !== undefined) conditions.push(`i.model_id = ${params.add(w.modelId)}`);
  if (w.mode !== undefined) conditions.push(`i.mode = ${params.add(w.mode)}`);
  if (w.from !== undefined) conditions.push(`i.committed_at >= ${params.add(w.from)}`);
  if (w.to !== undefined) conditions.push(`i.committed_at <= ${params.add(w.to)}`);
  if (w.discrepancy !== undefined) conditions.push(`i.discrepancy = ${params.add(w.discrepancy)}`);
  const statuses = w.statuses === undefined ? undefined : [...new Set(w.statuses)];
  const statusParam = statuses === undefined ? undefined : params.add(statuses);
  const all = (more: string[]) => (more.length ? ` WHERE ${more.join(" AND ")}` : "");
  const countConditions =
    statusParam === undefined ? conditions : [...conditions, `i.status = ANY(${statusParam}::text[])`];
  const countSql = `SELECT count(*)::int AS count FROM inference i${all(countConditions)}`;
  const countValues = [...params.values];
  const after = afterCursorSql(ordering, args.after, params);
  const where = after ? [...conditions, after] : conditions;
  const order = `ORDER BY ${orderBySql(ordering)} LIMIT ${args.first + 1}`;
  const columns = inferenceColumns("i");
  let sql: string;
  if (statuses === undefined || statuses.length === 0) {
    sql = `SELECT ${columns} FROM inference i${all(statuses ? [...where, `i.status = ANY(${statusParam}::text[])`] : where)} ${order}`;
  } else {
    // One ordered branch per status, each reading the (status, commit position) index in order, merged: the
    // first rows of "status = ANY(...)" without walking every row of the other statuses.
    const branches = statuses.map(
      (_, k) =>
        `(SELECT ${columns} FROM inference i${all([...where, `i.status = (${statusParam}::text[])[${k + 1}]`])} ${order})`,
    );
    sql =
      branches.length === 1 ? branches[0] : `SELECT i.* FROM (${branches.join(" UNION ALL ")}) i ${order}`;
  }
  const rows = await db.query<InferenceRow>(sql, params.values);
  return toConnection(rows, args.first, ordering, inferenceFromRow, async () => {
    const [row] = await db.query<{ count: number }>(countSql, countValues);
    return row.count;
  });
}

export async function inferencesByIds(db: Db, ids: readonly string[]): Promise<InferenceModel[]> {
  const rows = await db.query<InferenceRow>(
    `SELECT ${inferenceColumns("i")} FROM inference i WHERE i.id = ANY($1)`,
    [ids],
  );
  return rows.map(inferenceFromRow);
}

/** The inferences each settlement settles (the indexer's link, check 7), oldest commit first, per settlement id. */
export async function inferencesBySettlementIds(
  db: Db,
  ids: readonly string[],
): Promise<Map<string, InferenceModel[]>> {
  const rows = await db.query<InferenceRow>(
    `SELECT ${inferenceColumns("i")} FROM inference i WHERE i.settlement_id = ANY($1)
      ORDER BY i.committed_block, i.committed_log_index, i.id`,
    [ids],
  );
  const out = new Map<string, InferenceModel[]>();
  for (const row of rows) {
    const list = out.get(row.settlement_id as string) ?? [];
    list.push(inferenceFromRow(row));
    out.set(row.settlement_id as string, list);
  }
  return out;
}
