import type { Store } from "@subsquid/typeorm-store";
import type { EntityManager } from "typeorm";
import type { ColumnMetadata } from "typeorm/metadata/ColumnMetadata.js";

/** The parts of typeorm-store 1.5.1's Store and ChangeTracker this module uses (both private there). */
interface StoreInternals {
  em(): EntityManager;
  changes?: {
    trackInsert(type: unknown, entities: { id: string }[]): Promise<void>;
    trackUpsert(type: unknown, entities: { id: string }[]): Promise<void>;
  };
}

interface Plan {
  table: string;
  columns: { name: string; sqlType: string; meta: ColumnMetadata }[];
  insertSql: string;
  upsertSql: string;
}

const plans = new Map<unknown, Plan>();

function planFor(em: EntityManager, entityClass: unknown): Plan {
  let plan = plans.get(entityClass);
  if (plan) return plan;
  const meta = em.connection.getMetadata(entityClass as never);
  const driver = em.connection.driver;
  const columns = meta.columns.map((c) => ({
    name: c.databaseName,
    sqlType: driver.normalizeType(c),
    meta: c,
  }));
  const q = (n: string) => `"${n.replace(/"/g, '""')}"`;
  const list = columns.map((c) => q(c.name)).join(", ");
  // One JSON parameter per chunk: JSON.stringify is native and Postgres parses JSON in C, where pg's per-value
  // array escaping in JavaScript was a third of the write time.
  const insertSql = `INSERT INTO ${q(meta.tableName)} (${list}) SELECT ${list} FROM json_populate_recordset(NULL::${q(meta.tableName)}, $1::json)`;
  // A relation that was not loaded with its row reads as undefined (written as NULL): keep the stored key then.
  // Foreign keys here only ever go from NULL to a value (a rollback of hot blocks goes through the change log).
  const updates = columns
    .filter((c) => c.name !== "id")
    .map((c) =>
      c.meta.relationMetadata
        ? `${q(c.name)} = COALESCE(EXCLUDED.${q(c.name)}, ${q(meta.tableName)}.${q(c.name)})`
        : `${q(c.name)} = EXCLUDED.${q(c.name)}`,
    )
    .join(", ");
  plan = {
    table: meta.tableName,
    columns,
    insertSql,
    upsertSql: `${insertSql} ON CONFLICT (id) DO UPDATE SET ${updates}`,
  };
  plans.set(entityClass, plan);
  return plan;
}

const CHUNK = 5000;

/**
 * Writes many rows of one entity type with one `INSERT … SELECT … FROM json_populate_recordset(…)` per chunk: one
 * parameter instead of one per value, and none of TypeORM's per-row query building, which dominated the indexer's
 * time. Hot blocks stay reversible: the rows are first recorded in typeorm-store's change log exactly as its own
 * insert/upsert would (trackInsert / trackUpsert), so a rollback restores them.
 */
export async function bulkWrite<T extends { id: string }>(
  store: Store,
  rows: T[],
  mode: "insert" | "upsert",
): Promise<void> {
  if (rows.length === 0) return;
  const internals = store as unknown as StoreInternals;
  const entityClass = rows[0].constructor;
  if (mode === "upsert") await internals.changes?.trackUpsert(entityClass, rows);
  else await internals.changes?.trackInsert(entityClass, rows);
  const em = internals.em();
  const plan = planFor(em, entityClass);
  for (let from = 0; from < rows.length; from += CHUNK) {
    const chunk = rows.slice(from, from + CHUNK);
    const records = chunk.map((row) => {
      const record: Record<string, unknown> = {};
      for (const c of plan.columns) {
        const value = c.meta.getEntityValue(row as never, true);
        record[c.name] = value === undefined ? null : value;
      }
      return record;
    });
    await em.query(mode === "upsert" ? plan.upsertSql : plan.insertSql, [JSON.stringify(records)]);
  }
}
