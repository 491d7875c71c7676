import type { InferenceModel, ModelModel, NodeModel, SettlementModel, SlashModel } from "../data/models.ts";
import {
  type InferenceRow,
  inferenceColumns,
  inferenceFromRow,
  type ModelRow,
  modelFromRow,
  type NodeRow,
  nodeFromRow,
  type SettlementRow,
  type SlashRow,
  settlementFromRow,
  slashFromRow,
} from "../data/rows.ts";
import type { Db } from "../db/database.ts";
import { escapeLike } from "../db/sql.ts";

// Query.search: exact ids (node, model, inference), transaction hashes (settlements, slashes, commits),
// owner/operator addresses, settlement/slash ids, hex prefixes of ids and transaction hashes (the short form the
// explorer shows, "0x0702af…", with or without the ellipsis and its tail), and model-name prefixes
// (case-insensitive). At most 20 results, exact matches first.

export const MAX_SEARCH_RESULTS = 20;
const MAX_QUERY_LENGTH = 200;

export type SearchResultModel = NodeModel | ModelModel | InferenceModel | SettlementModel | SlashModel;

const HASH = /^0x[0-9a-f]{64}$/;
const ADDRESS = /^0x[0-9a-f]{40}$/;
const EVENT_ID = /^0x[0-9a-f]{64}-\d{1,6}$/;
/** Fewer hex digits than this would match too much to be a useful prefix. */
export const MIN_PREFIX_DIGITS = 4;
/** A shortened id or hash: 0x and at least MIN_PREFIX_DIGITS hex digits, optionally "…" (or "...") and the last digits. */
const SHORT_HEX = new RegExp(
  `^(?:0x)?([0-9a-f]{${MIN_PREFIX_DIGITS},63})(?:(?:…|\\.\\.\\.)([0-9a-f]{0,63}))?$`,
);

export interface HexPattern {
  /** "0x" and the leading digits. */
  prefix: string;
  /** The trailing digits after an ellipsis ("" when none). */
  suffix: string;
}

/** A query as a shortened 32-byte id or hash ("0x0702af", "0x0702af…9c1e", "0702af..."), or null. */
export function hexPattern(lower: string): HexPattern | null {
  const m = SHORT_HEX.exec(lower);
  if (!m) return null;
  const [, head, tail = ""] = m;
  // Without "0x", only a query that cannot be an ordinary word fragment (at least 6 digits) counts as hex.
  if (!lower.startsWith("0x") && head.length < 6) return null;
  if (head.length + tail.length > 64) return null;
  return { prefix: `0x${head}`, suffix: tail };
}

/**
 * WHERE clause matching a column against a hex pattern. The range keeps the primary-key or column index usable
 * (ids are lowercase hex, which sorts the same in every collation); LIKE states the exact rule.
 */
function hexMatch(column: string, p: HexPattern, params: unknown[]): string {
  params.push(p.prefix, `${p.prefix}g`, `${p.prefix}%${p.suffix}`);
  const n = params.length;
  return `(${column} >= $${n - 2} AND ${column} < $${n - 1} AND ${column} LIKE $${n} AND length(${column}) = 66)`;
}

/** Rows whose id or transaction hash starts with (and ends with) the pattern: nodes, models, inferences, settlements, slashes. */
async function searchHexPattern(db: Db, p: HexPattern, limit: number): Promise<SearchResultModel[]> {
  const q = (table: string, columns: string[], order: string, select = "*") => {
    const params: unknown[] = [];
    const where = columns.map((c) => hexMatch(c, p, params)).join(" OR ");
    params.push(limit);
    return {
      sql: `SELECT ${select} FROM ${table} WHERE ${where} ORDER BY ${order} LIMIT $${params.length}`,
      params,
    };
  };
  const nodes = q("node", ["id"], "id");
  const models = q("model", ["id"], "id");
  const inferences = q(
    "inference",
    ["id", "committed_tx"],
    "committed_block DESC, id",
    inferenceColumns("inference"),
  );
  const settlements = q("settlement", ["tx"], "block DESC, log_index, id");
  const slashes = q("slash", ["tx"], "block DESC, log_index, id");
  const [n, m, i, st, sl] = await Promise.all([
    db.query<NodeRow>(nodes.sql, nodes.params),
    db.query<ModelRow>(models.sql, models.params),
    db.query<InferenceRow>(inferences.sql, inferences.params),
    db.query<SettlementRow>(settlements.sql, settlements.params),
    db.query<SlashRow>(slashes.sql, slashes.params),
  ]);
  return [
    ...n.map(nodeFromRow),
    ...m.map(modelFromRow),
    ...i.map(inferenceFromRow),
    ...st.map(settlementFromRow),
    ...sl.map(slashFromRow),
  ];
}

export async function search(db: Db, query: string): Promise<SearchResultModel[]> {
  const q = query.trim();
  if (q === "" || q.length > MAX_QUERY_LENGTH) return [];
  const lower = q.toLowerCase();
  const limit = MAX_SEARCH_RESULTS;
  const out: SearchResultModel[] = [];
  const push = (items: SearchResultModel[]) => {
    for (const item of items) if (out.length < limit) out.push(item);
  };

  if (HASH.test(lower)) {
    const [nodes, models, inferences, settlements, slashes] = await Promise.all([
      db.query<NodeRow>("SELECT * FROM node WHERE id = $1", [lower]),
      db.query<ModelRow>("SELECT * FROM model WHERE id = $1", [lower]),
      db.query<InferenceRow>(
        `SELECT ${inferenceColumns("inference")} FROM inference WHERE id = $1 OR committed_tx = $1
          ORDER BY (id = $1) DESC, committed_block DESC, id LIMIT $2`,
        [lower, limit],
      ),
      db.query<SettlementRow>("SELECT * FROM settlement WHERE tx = $1 ORDER BY log_index, id LIMIT $2", [
        lower,
        limit,
      ]),
      db.query<SlashRow>("SELECT * FROM slash WHERE tx = $1 ORDER BY log_index, id LIMIT $2", [lower, limit]),
    ]);
    push(nodes.map(nodeFromRow));
    push(models.map(modelFromRow));
    push(inferences.map(inferenceFromRow));
    push(settlements.map(settlementFromRow));
    push(slashes.map(slashFromRow));
  } else if (ADDRESS.test(lower)) {
    const [nodes, models] = await Promise.all([
      db.query<NodeRow>(
        "SELECT * FROM node WHERE owner = $1 OR operator = $1 OR payment_address = $1 ORDER BY committed DESC, id LIMIT $2",
        [lower, limit],
      ),
      db.query<ModelRow>("SELECT * FROM model WHERE owner = $1 ORDER BY inferences DESC, id LIMIT $2", [
        lower,
        limit,
      ]),
    ]);
    push(nodes.map(nodeFromRow));
    push(models.map(modelFromRow));
  } else if (EVENT_ID.test(lower)) {
    const [settlements, slashes] = await Promise.all([
      db.query<SettlementRow>("SELECT * FROM settlement WHERE id = $1", [lower]),
      db.query<SlashRow>("SELECT * FROM slash WHERE id = $1", [lower]),
    ]);
    push(settlements.map(settlementFromRow));
    push(slashes.map(slashFromRow));
  } else {
    const pattern = hexPattern(lower);
    if (pattern) push(await searchHexPattern(db, pattern, limit));
  }
  if (out.length < limit) {
    // Model names: a case-insensitive prefix, shortest names first.
    const models = await db.query<ModelRow>(
      "SELECT * FROM model WHERE name ILIKE $1 ESCAPE '\\' ORDER BY length(name), name, id LIMIT $2",
      [`${escapeLike(q)}%`, limit - out.length],
    );
    const seen = new Set(out.map((o) => `${o.__typename}:${o.id}`));
    push(models.map(modelFromRow).filter((m) => !seen.has(`Model:${m.id}`)));
  }
  return out;
}
