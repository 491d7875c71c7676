import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { openTestDatabase, type TestDatabase } from "../testing/test-db.ts";
import { createDb, type Db, PreparedStatements } from "./database.ts";

let tdb: TestDatabase;
let db: Db;

beforeAll(async () => {
  tdb = await openTestDatabase();
  // One session, so what it has prepared can be read back from it.
  db = createDb({ connectionString: tdb.readerUrl, poolSize: 1, statementTimeoutMs: 30_000 });
});

afterAll(async () => {
  await db?.pool.end();
  await tdb?.close();
});

test("a statement is prepared once per session and then run by name", async () => {
  const sql = "SELECT $1::int + 1 AS n";
  for (const n of [1, 2, 3]) expect(await db.query<{ n: number }>(sql, [n])).toEqual([{ n: n + 1 }]);
  const prepared = await db.query<{ statement: string; calls: string }>(
    "SELECT statement, generic_plans + custom_plans AS calls FROM pg_prepared_statements ORDER BY statement",
  );
  expect(prepared.find((p) => p.statement === sql)?.calls).toBe("3");
});

test("a table changed under a prepared statement (a migration) answers with its new columns", async () => {
  await tdb.admin.query("CREATE TABLE prepared_probe (a int)");
  await tdb.admin.query("INSERT INTO prepared_probe VALUES (1)");
  await tdb.admin.query("GRANT SELECT ON prepared_probe TO explorer_reader");
  const sql = "SELECT * FROM prepared_probe";
  expect(await db.query(sql)).toEqual([{ a: 1 }]);
  await tdb.admin.query("ALTER TABLE prepared_probe ADD COLUMN b int DEFAULT 2");
  expect(await db.query(sql)).toEqual([{ a: 1, b: 2 }]);
  expect(await db.query(sql)).toEqual([{ a: 1, b: 2 }]);
});

test("past MAX_PREPARED statement texts, new ones run unnamed", () => {
  const names = new PreparedStatements();
  for (let i = 0; i < PreparedStatements.MAX_PREPARED; i++) expect(names.nameOf(`SELECT ${i}`)).toBeDefined();
  expect(names.nameOf("SELECT 'one more'")).toBeUndefined();
  expect(names.nameOf("SELECT 0")).toBe(names.nameOf("SELECT 0"));
  names.forget();
  expect(names.nameOf("SELECT 'one more'")).toBeDefined();
});

test("timestamptz values read through the API's sessions are the Dates pg's own parser gives", async () => {
  const pgParse = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ, "text");
  const rows = await db.query<{ t: Date | number | null; text: string | null }>(
    `SELECT t, t::text AS text FROM (VALUES ('2026-11-26 00:50:00+00'::timestamptz), ('2026-11-26 00:50:00.25+00'),
       ('1999-12-31 23:59:59+00'), ('infinity'), (NULL), (now())) v(t)`,
  );
  expect(rows).toHaveLength(6);
  expect(rows[0].t).toEqual(new Date("2026-11-26T00:50:00Z"));
  for (const r of rows) expect(r.t, String(r.text)).toEqual(r.text === null ? null : pgParse(r.text));
});
