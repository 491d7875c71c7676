/**
 * Compares the indexer's database with the reference fold (fold-chain.ts), and dumps whole databases canonically
 * for the reorg and crash oracles (two databases that must be identical, table by table, row by row).
 */
import { evaluate, type Reputation, stateFromRow } from "@attestation-explorer/rep-v1";
import type { PgClient } from "../postgres.ts";
import type { Expected, Row, Value } from "./fold-chain.ts";

export interface Difference {
  table: string;
  id: string;
  column: string;
  expected: unknown;
  actual: unknown;
}

/** A database value in canonical form: Date -> ISO string, Buffer -> 0x hex, bigint -> decimal string. */
export function canonical(v: unknown): Value {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  if (Buffer.isBuffer(v)) return `0x${v.toString("hex")}`;
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
  return JSON.stringify(v);
}

function sameValue(expected: Value, actual: Value): boolean {
  if (expected === actual) return true;
  // numeric / int8 columns come back as strings; int4 as numbers.
  if (typeof expected === "string" && typeof actual === "number") return expected === String(actual);
  if (typeof expected === "number" && typeof actual === "string") return String(expected) === actual;
  return false;
}

async function tableExists(client: PgClient, table: string): Promise<boolean> {
  const { rows } = await client.query(
    "SELECT 1 FROM information_schema.tables WHERE table_schema = 'public' AND table_name = $1",
    [table],
  );
  return rows.length > 0;
}

/** A table's rows by id, values canonical. */
export async function readRows(client: PgClient, table: string, where = ""): Promise<Map<string, Row>> {
  const { rows } = await client.query(`SELECT * FROM "${table}" ${where}`);
  return new Map(
    rows.map((r) => {
      const out: Row = {};
      for (const [k, v] of Object.entries(r)) out[k] = canonical(v);
      return [String(r.id), out];
    }),
  );
}

async function readTable(client: PgClient, table: string): Promise<Map<string, Record<string, unknown>>> {
  const { rows } = await client.query(`SELECT * FROM "${table}"`);
  return new Map(rows.map((r) => [String(r.id), r]));
}

const REL = 1e-9;

function close(expected: number | null, actual: number | null): boolean {
  if (expected === null || actual === null) return expected === actual;
  if (expected === actual) return true;
  const scale = Math.max(Math.abs(expected), Math.abs(actual));
  return Math.abs(expected - actual) <= REL * scale || scale < 1e-300;
}

function compareReputation(
  table: string,
  id: string,
  expected: Reputation | undefined,
  row: Record<string, unknown>,
  T: number,
  subject: "node" | "model",
): Difference[] {
  const out: Difference[] = [];
  if (!expected) return out;
  let actual: Reputation;
  try {
    const state = stateFromRow({
      ref_time: row.rep_ref_time as number,
      s: row.rep_s as number,
      n: row.rep_n as number,
      d: subject === "node" ? (row.rep_d as number) : 0,
    });
    actual = evaluate(state, T, subject);
  } catch (err) {
    return [
      {
        table,
        id,
        column: "reputation",
        expected: `evaluable at T=${T}`,
        actual: `${(err as Error).message} (rep_ref_time ${row.rep_ref_time}, s ${row.rep_s}, n ${row.rep_n}, d ${row.rep_d})`,
      },
    ];
  }
  if (expected.score !== actual.score)
    out.push({ table, id, column: "reputation.score", expected: expected.score, actual: actual.score });
  const floats = ["lowerBound", "upperBound", "effectiveSamples", "decayedSlashes", "successRate"] as const;
  for (const f of floats) {
    if (!close(expected[f], actual[f]))
      out.push({ table, id, column: `reputation.${f}`, expected: expected[f], actual: actual[f] });
  }
  return out;
}

/**
 * Every difference between the database and the fold: missing and extra rows, and each column the fold models
 * (its expected rows name them), plus node and model reputation evaluated from (rep_ref_time, rep_s, rep_n,
 * rep_d) at the fold's T. `tables` restricts the comparison.
 */
export async function compareDb(
  client: PgClient,
  expected: Expected,
  tables?: string[],
): Promise<Difference[]> {
  const diffs: Difference[] = [];
  for (const [table, rows] of Object.entries(expected.tables)) {
    if (tables && !tables.includes(table)) continue;
    if (!(await tableExists(client, table))) {
      diffs.push({ table, id: "*", column: "(table)", expected: "exists", actual: "missing" });
      continue;
    }
    const actualRows = await readTable(client, table);
    for (const [id, exp] of rows) {
      const act = actualRows.get(id);
      if (!act) {
        diffs.push({ table, id, column: "(row)", expected: "present", actual: "missing" });
        continue;
      }
      for (const [column, value] of Object.entries(exp)) {
        if (!(column in act)) {
          diffs.push({ table, id, column, expected: value, actual: "(no such column)" });
          continue;
        }
        const a = canonical(act[column]);
        if (!sameValue(value, a)) diffs.push({ table, id, column, expected: value, actual: a });
      }
      if (table === "node")
        diffs.push(
          ...compareReputation(table, id, expected.reputation.node.get(id), act, expected.T, "node"),
        );
      if (table === "model")
        diffs.push(
          ...compareReputation(table, id, expected.reputation.model.get(id), act, expected.T, "model"),
        );
    }
    for (const id of actualRows.keys()) {
      if (!rows.has(id)) diffs.push({ table, id, column: "(row)", expected: "absent", actual: "present" });
    }
  }
  return diffs;
}

/** Columns compared through the reputation they evaluate to, not cell by cell. */
const REPUTATION_COLUMNS = ["rep_ref_time", "rep_s", "rep_n", "rep_d"];

/**
 * "table.column" for every column of the public schema that the comparison does not cover (outside the tables
 * that record the indexer's own history): a schema change the reference fold has not caught up with.
 */
export async function unmodelledColumns(
  client: PgClient,
  expected: Expected,
  exclude: string[] = DEFAULT_DUMP_EXCLUDE,
): Promise<string[]> {
  const { rows } = await client.query<{ table_name: string; column_name: string }>(
    "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position",
  );
  const out: string[] = [];
  for (const { table_name: t, column_name: c } of rows) {
    if (exclude.includes(t)) continue;
    const sample = expected.tables[t]?.values().next().value as Row | undefined;
    if (!expected.tables[t]) {
      out.push(`${t}.*`);
      continue;
    }
    if ((t === "node" || t === "model") && REPUTATION_COLUMNS.includes(c)) continue;
    if (sample && !(c in sample)) out.push(`${t}.${c}`);
  }
  return [...new Set(out)];
}

/** The first `max` differences, one a line, and a count per table and column. */
export function formatDifferences(diffs: Difference[], max = 20): string {
  if (diffs.length === 0) return "no differences";
  const byColumn = new Map<string, number>();
  for (const d of diffs)
    byColumn.set(`${d.table}.${d.column}`, (byColumn.get(`${d.table}.${d.column}`) ?? 0) + 1);
  const summary = [...byColumn].map(([k, n]) => `${k}: ${n}`).join(", ");
  const lines = diffs
    .slice(0, max)
    .map(
      (d) =>
        `  ${d.table} ${d.id} ${d.column}: expected ${JSON.stringify(d.expected)}, actual ${JSON.stringify(d.actual)}`,
    );
  return `${diffs.length} difference(s) (${summary}); first ${Math.min(max, diffs.length)}:\n${lines.join("\n")}`;
}

// ------------------------------------------------------------------ canonical dumps

/** Tables that record the indexer's own history rather than the chain's state. */
export const DEFAULT_DUMP_EXCLUDE = ["reorg", "indexer_state", "migrations", "typeorm_metadata"];

export interface TableDump {
  columns: string[];
  primaryKey: string[];
  /** Rows ordered by primary key, values canonical. */
  rows: Row[];
}

export type Dump = Record<string, TableDump>;

/**
 * Every table of the public schema (except `exclude`), all columns, rows ordered by primary key, values in
 * canonical form. The squid's own schema (squid_processor: hot blocks, change log, status) is not public.
 */
export async function dumpTables(client: PgClient, exclude: string[] = DEFAULT_DUMP_EXCLUDE): Promise<Dump> {
  const { rows: tables } = await client.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name",
  );
  const dump: Dump = {};
  for (const { table_name: table } of tables) {
    if (exclude.includes(table)) continue;
    const { rows: cols } = await client.query<{ column_name: string }>(
      "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY column_name",
      [table],
    );
    const { rows: pk } = await client.query<{ attname: string }>(
      `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
       WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)`,
      [`public."${table}"`],
    );
    const columns = cols.map((c) => c.column_name);
    const primaryKey = pk.length > 0 ? pk.map((p) => p.attname) : columns;
    const { rows } = await client.query(`SELECT * FROM "${table}"`);
    const canon = rows.map((r) => {
      const out: Row = {};
      for (const c of columns) out[c] = canonical(r[c]);
      return out;
    });
    const key = (r: Row) => JSON.stringify(primaryKey.map((k) => r[k]));
    canon.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    dump[table] = { columns, primaryKey, rows: canon };
  }
  return dump;
}

/** The dump as text: one line per table header and per row. Equal texts mean equal databases. */
export function dumpText(dump: Dump): string {
  const out: string[] = [];
  for (const [table, t] of Object.entries(dump)) {
    out.push(`## ${table} (${t.columns.join(", ")})`);
    for (const r of t.rows) out.push(JSON.stringify(t.columns.map((c) => r[c])));
  }
  return out.join("\n");
}

/** Differences between two dumps (a = expected, b = actual): tables, columns, rows and values. */
export function diffDumps(a: Dump, b: Dump): Difference[] {
  const diffs: Difference[] = [];
  for (const table of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const ta = a[table];
    const tb = b[table];
    if (!ta || !tb) {
      diffs.push({
        table,
        id: "*",
        column: "(table)",
        expected: ta ? "present" : "absent",
        actual: tb ? "present" : "absent",
      });
      continue;
    }
    if (ta.columns.join() !== tb.columns.join()) {
      diffs.push({
        table,
        id: "*",
        column: "(columns)",
        expected: ta.columns.join(","),
        actual: tb.columns.join(","),
      });
      continue;
    }
    const key = (r: Row) => ta.primaryKey.map((k) => String(r[k])).join("|");
    const rowsB = new Map(tb.rows.map((r) => [key(r), r]));
    const keysA = new Set<string>();
    for (const ra of ta.rows) {
      const k = key(ra);
      keysA.add(k);
      const rb = rowsB.get(k);
      if (!rb) {
        diffs.push({ table, id: k, column: "(row)", expected: "present", actual: "missing" });
        continue;
      }
      for (const c of ta.columns) {
        if (ra[c] !== rb[c]) diffs.push({ table, id: k, column: c, expected: ra[c], actual: rb[c] });
      }
    }
    for (const k of rowsB.keys()) {
      if (!keysA.has(k)) diffs.push({ table, id: k, column: "(row)", expected: "absent", actual: "present" });
    }
  }
  return diffs;
}
