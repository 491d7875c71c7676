import type { Store } from "@subsquid/typeorm-store";
import type { EntityManager } from "typeorm";
import type { ColumnMetadata } from "typeorm/metadata/ColumnMetadata.js";
import { copyField, copyFrom, type PgClient } from "../db/copy-from";

/**
 * The parts of typeorm-store 1.5.1's Store and ChangeTracker (lib/hot.js) this module uses (both private there):
 * the tracker of a hot block numbers its change records from `index` on, in `statusSchema` (already quoted).
 */
interface StoreInternals {
  em(): EntityManager;
  changes?: { statusSchema: string; blockHeight: number; index: number };
}

interface Plan {
  table: string;
  columns: { name: string; sqlType: string; meta: ColumnMetadata }[];
  insertSql: string;
  upsertSql: string;
  /** Change records of a hot block, written by Postgres from the rows as they are before the write. */
  track: { insertSql: string; upsertSql: string };
  /** Undefined when a column has a type COPY's text format is not written for here (then: insertSql/upsertSql). */
  copy:
    | {
        /** Each column of a row as COPY text, in the order of `columns`. */
        fields: ((row: unknown) => string)[];
        /** COPY of new rows straight into the table. */
        insertSql: string;
        /** Makes (once per session) and empties the session's staging table for upserts. */
        stageSql: string;
        /** COPY into the staging table. */
        stageCopySql: string;
        /** The upsert from the staging table. */
        upsertSql: string;
      }
    | undefined;
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
  const fields = columns.map((c) => {
    const write = copyWriter(c.sqlType);
    return write && columnText(c.meta, write);
  });
  // typeorm-store's trackUpsert reads the rows into JavaScript and sends them back as JSON; here Postgres builds
  // the same records. rollbackBlock passes each field back as a parameter, so a field is stored as the text pg
  // would have returned where JSON would change it: numeric (exact digits) and json (arrays stay JSON text).
  const asText = columns
    .filter((c) => c.sqlType === "numeric" || c.sqlType === "json" || c.sqlType === "jsonb")
    .map((c) => `'${c.name.replace(/'/g, "''")}', __row.${q(c.name)}::text`);
  const fieldsJson = asText.length
    ? `(to_jsonb(__row) - 'id') || jsonb_build_object(${asText.join(", ")})`
    : `to_jsonb(__row) - 'id'`;
  const changeLog = "INSERT INTO %SCHEMA%.hot_change_log (block_height, index, change)";
  const track = {
    insertSql: `${changeLog} SELECT $1::int, $2::int + i.ord::int - 1, jsonb_build_object('kind', 'insert', 'table', $3::text, 'id', i.id) FROM unnest($4::text[]) WITH ORDINALITY AS i(id, ord)`,
    upsertSql: `${changeLog} SELECT $1::int, $2::int + i.ord::int - 1, CASE WHEN __row.id IS NULL THEN jsonb_build_object('kind', 'insert', 'table', $3::text, 'id', i.id) ELSE jsonb_build_object('kind', 'update', 'table', $3::text, 'id', i.id, 'fields', ${fieldsJson}) END FROM unnest($4::text[]) WITH ORDINALITY AS i(id, ord) LEFT JOIN ${q(meta.tableName)} __row ON __row.id = i.id`,
  };
  const stage = `pg_temp.${q(`bulk_${meta.tableName}`)}`;
  plan = {
    table: meta.tableName,
    columns,
    insertSql,
    upsertSql: `${insertSql} ON CONFLICT (id) DO UPDATE SET ${updates}`,
    track,
    copy: fields.every((f) => f !== undefined)
      ? {
          fields: fields as ((row: unknown) => string)[],
          insertSql: `COPY ${q(meta.tableName)} (${list}) FROM STDIN`,
          // ON COMMIT DELETE ROWS: the staged rows never outlive their transaction; TRUNCATE: nor an earlier
          // write of the same transaction (hot blocks are written one block after another in one transaction).
          stageSql: `CREATE TEMP TABLE IF NOT EXISTS ${stage} (LIKE ${q(meta.tableName)}) ON COMMIT DELETE ROWS; TRUNCATE ${stage}`,
          stageCopySql: `COPY ${stage} (${list}) FROM STDIN`,
          upsertSql: `INSERT INTO ${q(meta.tableName)} (${list}) SELECT ${list} FROM ${stage} ON CONFLICT (id) DO UPDATE SET ${updates}`,
        }
      : undefined,
  };
  plans.set(entityClass, plan);
  return plan;
}

/**
 * How a column's value is written in COPY's text format, for the types the model uses; the same text Postgres
 * got from JSON before (JSON.stringify writes null for NaN, Infinity and invalid dates, and a Date as its ISO
 * string). Undefined for other types.
 */
function copyWriter(sqlType: string): ((value: unknown) => string) | undefined {
  if (sqlType === "jsonb" || sqlType === "json")
    return (v) => copyField(v == null ? null : JSON.stringify(v));
  if (!COPY_TYPES.has(sqlType)) return undefined;
  return (v) => {
    if (v == null) return "\\N";
    switch (typeof v) {
      case "string":
        return copyField(v);
      case "number":
        return Number.isFinite(v) ? String(v) : "\\N";
      case "boolean":
        return v ? "t" : "f";
      case "bigint":
        return v.toString();
    }
    if (v instanceof Date) return Number.isNaN(v.getTime()) ? "\\N" : v.toISOString();
    return copyField(JSON.stringify(v));
  };
}

/**
 * A column of a row as COPY text. A plain property is read directly (what TypeORM's getEntityValue does for it,
 * the transformer applied), which took a third of the time spent building the text; relations go through
 * getEntityValue.
 */
function columnText(meta: ColumnMetadata, write: (value: unknown) => string): (row: unknown) => string {
  const plain = !meta.embeddedMetadata && !meta.relationMetadata && !meta.referencedColumn;
  const transformer = meta.transformer;
  if (plain && !Array.isArray(transformer)) {
    const property = meta.propertyName;
    if (!transformer) return (row) => write((row as Record<string, unknown>)[property]);
    return (row) => write(transformer.to((row as Record<string, unknown>)[property]));
  }
  return (row) => write(meta.getEntityValue(row as never, true));
}

const COPY_TYPES = new Set([
  "character varying",
  "varchar",
  "text",
  "integer",
  "int",
  "int4",
  "numeric",
  "boolean",
  "bool",
  "timestamp with time zone",
  "timestamptz",
]);

const CHUNK = 5000;

/** pg's Client: COPY (copy-from.ts) and plain statements. */
type QueryingPgClient = PgClient & { query(text: string, values?: unknown[]): Promise<unknown> };

/**
 * Writes many rows of one entity type in a few statements, with none of TypeORM's per-row query building: rows
 * known to be new with one `COPY … FROM STDIN` into the table; upserts with a COPY into a session-local staging
 * table, then one `INSERT … SELECT … ON CONFLICT (id) DO UPDATE`. COPY's text format is what Postgres parses
 * fastest (it took less than half the time of the `json_populate_recordset` this used before, which remains for
 * a column type COPY is not written for here). Hot blocks stay reversible: the rows are first recorded in
 * typeorm-store's change log as its own insert/upsert would record them (trackInsert / trackUpsert), so its
 * rollbackBlock restores them.
 *
 * Every statement is queued on the transaction's pg client before this returns its promise (the COPY text built
 * first; inOrder): they run in the order they were queued, so the caller may start the next write while Postgres
 * works on this one (parents still reach the server before their children) and build its text meanwhile. Without a usable client (e.g. a released query runner) the statements go through TypeORM one after
 * another, and the next write must wait for this one.
 */
export function bulkWrite<T extends { id: string }>(
  store: Store,
  rows: T[],
  mode: "insert" | "upsert",
): Promise<void> {
  if (rows.length === 0) return Promise.resolve();
  const internals = store as unknown as StoreInternals;
  const entityClass = rows[0].constructor;
  const em = internals.em();
  const plan = planFor(em, entityClass);
  const client = pgClientOf(em);
  const statements: (() => Promise<unknown>)[] = [];
  const query = (sql: string, params?: unknown[]) =>
    statements.push(() => (client ? client.query(sql, params) : em.query(sql, params)));
  const changes = internals.changes;
  if (changes) {
    const sql = (mode === "upsert" ? plan.track.upsertSql : plan.track.insertSql).replace(
      "%SCHEMA%",
      changes.statusSchema,
    );
    const ids = rows.map((r) => r.id);
    query(sql, [changes.blockHeight, changes.index, plan.table, ids]);
    changes.index += ids.length;
  }
  if (plan.copy && client) {
    const { copy } = plan;
    const data = copyText(copy.fields, rows);
    if (mode === "insert") {
      statements.push(() => copyFrom(client, copy.insertSql, data));
    } else {
      query(copy.stageSql);
      statements.push(() => copyFrom(client, copy.stageCopySql, data));
      query(copy.upsertSql);
    }
  } else {
    for (let from = 0; from < rows.length; from += CHUNK) {
      const records = rows.slice(from, from + CHUNK).map((row) => {
        const record: Record<string, unknown> = {};
        for (const c of plan.columns) {
          const value = c.meta.getEntityValue(row as never, true);
          record[c.name] = value === undefined ? null : value;
        }
        return record;
      });
      query(mode === "upsert" ? plan.upsertSql : plan.insertSql, [JSON.stringify(records)]);
    }
  }
  if (client) return Promise.all(statements.map((submit) => inOrder(client, submit))).then(() => {});
  return statements
    .reduce<Promise<unknown>>((previous, next) => previous.then(next), Promise.resolve())
    .then(() => {});
}

/** The last statement queued on each client (settled either way), which the next one starts after. */
const queues = new WeakMap<object, Promise<unknown>>();

/**
 * Runs `submit` on `client` once every statement queued before it has finished (pg 8 would queue a query sent
 * while another runs, but deprecates that). After a failure the later statements still run, and fail as the
 * transaction is aborted; the first failure is the one the write reports.
 */
function inOrder(client: object, submit: () => Promise<unknown>): Promise<unknown> {
  const result = (queues.get(client) ?? Promise.resolve()).then(submit);
  queues.set(
    client,
    result.then(
      () => {},
      () => {},
    ),
  );
  return result;
}

/** Whether bulkWrite's statements go to a pg client, queued in order (inOrder), so writes may overlap. */
export function writesQueueInOrder(store: Store): boolean {
  return pgClientOf((store as unknown as StoreInternals).em()) !== undefined;
}

/** The rows as COPY text: one line per row, fields separated by tabs. */
function copyText(fields: ((row: unknown) => string)[], rows: unknown[]): string {
  let text = "";
  for (const row of rows) {
    text += fields[0](row);
    for (let i = 1; i < fields.length; i++) text += `\t${fields[i](row)}`;
    text += "\n";
  }
  return text;
}

/**
 * The pg client of the store's transaction (TypeORM's PostgresQueryRunner keeps it as `databaseConnection`);
 * undefined when the query runner is gone (then the write goes through `em.query`, which reports that) or
 * when the client cannot run a COPY.
 */
function pgClientOf(em: EntityManager): QueryingPgClient | undefined {
  const runner = em.queryRunner as
    | (EntityManager["queryRunner"] & { databaseConnection?: QueryingPgClient })
    | undefined;
  if (!runner || runner.isReleased) return undefined;
  const client = runner.databaseConnection as (QueryingPgClient & { pipeline?: boolean }) | undefined;
  // pg's pipeline mode refuses custom queries (a COPY among them).
  return client?.pipeline ? undefined : client;
}
