import type { InferenceModel, ModelModel, NodeModel, SettlementModel, SlashModel } from "../data/models.ts";
import {
  type InferenceRow,
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
// owner/operator addresses, settlement/slash ids, and model-name prefixes (case-insensitive). At most 20 results,
// exact matches first.

export const MAX_SEARCH_RESULTS = 20;
const MAX_QUERY_LENGTH = 200;

export type SearchResultModel = NodeModel | ModelModel | InferenceModel | SettlementModel | SlashModel;

const HASH = /^0x[0-9a-f]{64}$/;
const ADDRESS = /^0x[0-9a-f]{40}$/;
const EVENT_ID = /^0x[0-9a-f]{64}-\d{1,6}$/;

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
        "SELECT * FROM inference WHERE id = $1 OR committed_tx = $1 ORDER BY (id = $1) DESC, committed_block DESC, id LIMIT $2",
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
