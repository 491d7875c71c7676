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
import { type InferenceRow, inferenceFromRow } from "./rows.ts";

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
  if (w.statuses !== undefined) conditions.push(`i.status = ANY(${params.add(w.statuses)}::text[])`);
  if (w.mode !== undefined) conditions.push(`i.mode = ${params.add(w.mode)}`);
  if (w.from !== undefined) conditions.push(`i.committed_at >= ${params.add(w.from)}`);
  if (w.to !== undefined) conditions.push(`i.committed_at <= ${params.add(w.to)}`);
  if (w.discrepancy !== undefined) conditions.push(`i.discrepancy = ${params.add(w.discrepancy)}`);
  const countSql = `SELECT count(*)::int AS count FROM inference i${conditions.length ? ` WHERE ${conditions.join(" AND ")}` : ""}`;
  const countValues = [...params.values];
  const after = afterCursorSql(ordering, args.after, params);
  const where = after ? [...conditions, after] : conditions;
  const rows = await db.query<InferenceRow>(
    `SELECT i.* FROM inference i${where.length ? ` WHERE ${where.join(" AND ")}` : ""}
      ORDER BY ${orderBySql(ordering)} LIMIT ${args.first + 1}`,
    params.values,
  );
  return toConnection(rows, args.first, ordering, inferenceFromRow, async () => {
    const [row] = await db.query<{ count: number }>(countSql, countValues);
    return row.count;
  });
}

export async function inferencesByIds(db: Db, ids: readonly string[]): Promise<InferenceModel[]> {
  const rows = await db.query<InferenceRow>("SELECT * FROM inference WHERE id = ANY($1)", [ids]);
  return rows.map(inferenceFromRow);
}
