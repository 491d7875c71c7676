import type { Db } from "../db/database.ts";
import { SqlParams } from "../db/sql.ts";
import {
  afterCursorSql,
  type Connection,
  type Ordering,
  orderBySql,
  toConnection,
} from "../pagination/connection.ts";
import type {
  BatchSettlementModel,
  ChallengeModel,
  CheckValue,
  SettlementModel,
  SlashModel,
  SlashReasonValue,
} from "./models.ts";
import {
  type BatchSettlementRow,
  batchSettlementFromRow,
  type ChallengeRow,
  challengeFromRow,
  type SettlementRow,
  type SlashRow,
  settlementFromRow,
  slashFromRow,
} from "./rows.ts";

// Settlements, batch settlements, slashes and challenges: newest first, by (block, log index, id).

interface Page {
  first: number;
  after?: string | null;
}

/** Newest first by block position; the id breaks ties (it is unique). */
function newestFirst<Row extends { id: string }>(
  list: string,
  alias: string,
  block: (r: Row) => number,
  logIndex: (r: Row) => number,
  prefix = "",
): Ordering<Row> {
  return {
    list,
    keys: [
      { sql: `${alias}.${prefix}block`, dir: "DESC", cast: "int", value: block },
      { sql: `${alias}.${prefix}log_index`, dir: "DESC", cast: "int", value: logIndex },
      { sql: `${alias}.id`, dir: "DESC", cast: "text", value: (r) => r.id },
    ],
  };
}

async function page<Row, T>(
  db: Db,
  table: string,
  alias: string,
  ordering: Ordering<Row>,
  conditions: string[],
  params: SqlParams,
  args: Page,
  map: (row: Row) => T,
): Promise<Connection<T>> {
  const countSql = `SELECT count(*)::int AS count FROM ${table} ${alias}${conditions.length ? ` WHERE ${conditions.join(" AND ")}` : ""}`;
  const countValues = [...params.values];
  const after = afterCursorSql(ordering, args.after, params);
  const where = after ? [...conditions, after] : conditions;
  const rows = await db.query<Row>(
    `SELECT ${alias}.* FROM ${table} ${alias}${where.length ? ` WHERE ${where.join(" AND ")}` : ""}
      ORDER BY ${orderBySql(ordering)} LIMIT ${args.first + 1}`,
    params.values,
  );
  return toConnection(rows, args.first, ordering, map, async () => {
    const [row] = await db.query<{ count: number }>(countSql, countValues);
    return row.count;
  });
}

export interface SettlementFilter {
  teeId?: string;
  signature?: CheckValue;
  from?: Date;
  to?: Date;
}

const SETTLEMENTS = newestFirst<SettlementRow>(
  "settlements",
  "s",
  (r) => r.block,
  (r) => r.log_index,
);

export function listSettlements(
  db: Db,
  args: Page & { where: SettlementFilter },
): Promise<Connection<SettlementModel>> {
  const params = new SqlParams();
  const c: string[] = [];
  const w = args.where;
  if (w.teeId !== undefined) c.push(`s.tee_id = ${params.add(w.teeId)}`);
  if (w.signature !== undefined) c.push(`s.signature_check = ${params.add(w.signature)}`);
  if (w.from !== undefined) c.push(`s.at >= ${params.add(w.from)}`);
  if (w.to !== undefined) c.push(`s.at <= ${params.add(w.to)}`);
  return page(db, "settlement", "s", SETTLEMENTS, c, params, args, settlementFromRow);
}

export async function settlementsByIds(db: Db, ids: readonly string[]): Promise<SettlementModel[]> {
  const rows = await db.query<SettlementRow>("SELECT * FROM settlement WHERE id = ANY($1)", [ids]);
  return rows.map(settlementFromRow);
}

const BATCHES = newestFirst<BatchSettlementRow>(
  "batchSettlements",
  "b",
  (r) => r.block,
  (r) => r.log_index,
);

export function listBatchSettlements(db: Db, args: Page): Promise<Connection<BatchSettlementModel>> {
  return page(db, "batch_settlement", "b", BATCHES, [], new SqlParams(), args, batchSettlementFromRow);
}

export interface SlashFilter {
  nodeId?: string;
  reason?: SlashReasonValue;
  from?: Date;
  to?: Date;
}

const SLASHES = newestFirst<SlashRow>(
  "slashes",
  "sl",
  (r) => r.block,
  (r) => r.log_index,
);

export function listSlashes(db: Db, args: Page & { where: SlashFilter }): Promise<Connection<SlashModel>> {
  const params = new SqlParams();
  const c: string[] = [];
  const w = args.where;
  if (w.nodeId !== undefined) c.push(`sl.node_id = ${params.add(w.nodeId)}`);
  if (w.reason !== undefined) c.push(`sl.reason = ${params.add(w.reason)}`);
  if (w.from !== undefined) c.push(`sl.at >= ${params.add(w.from)}`);
  if (w.to !== undefined) c.push(`sl.at <= ${params.add(w.to)}`);
  return page(db, "slash", "sl", SLASHES, c, params, args, slashFromRow);
}

/** Slashes of each inference, oldest first. */
export async function slashesByInferenceIds(
  db: Db,
  ids: readonly string[],
): Promise<Map<string, SlashModel[]>> {
  const rows = await db.query<SlashRow>(
    "SELECT * FROM slash WHERE inference_id = ANY($1) ORDER BY block, log_index, id",
    [ids],
  );
  const out = new Map<string, SlashModel[]>();
  for (const row of rows) {
    const key = row.inference_id as string;
    const list = out.get(key) ?? [];
    list.push(slashFromRow(row));
    out.set(key, list);
  }
  return out;
}

export interface ChallengeFilter {
  nodeId?: string;
  open?: boolean;
}

const CHALLENGES = newestFirst<ChallengeRow>(
  "challenges",
  "c",
  (r) => r.opened_block,
  (r) => r.opened_log_index,
  "opened_",
);

export function listChallenges(
  db: Db,
  args: Page & { where: ChallengeFilter },
): Promise<Connection<ChallengeModel>> {
  const params = new SqlParams();
  const c: string[] = [];
  const w = args.where;
  if (w.nodeId !== undefined) c.push(`c.node_id = ${params.add(w.nodeId)}`);
  if (w.open !== undefined) c.push(w.open ? "c.resolved_block IS NULL" : "c.resolved_block IS NOT NULL");
  return page(db, "challenge", "c", CHALLENGES, c, params, args, challengeFromRow);
}

/** The latest challenge (by opening block) of each inference. */
export async function latestChallengeByInferenceIds(
  db: Db,
  ids: readonly string[],
): Promise<Map<string, ChallengeModel>> {
  const rows = await db.query<ChallengeRow>(
    `SELECT DISTINCT ON (inference_id) * FROM challenge WHERE inference_id = ANY($1)
      ORDER BY inference_id, opened_block DESC, opened_log_index DESC, id DESC`,
    [ids],
  );
  return new Map(rows.map((r) => [r.inference_id, challengeFromRow(r)]));
}
