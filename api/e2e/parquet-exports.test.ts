// biome-ignore-all lint/suspicious/noExplicitAny: DuckDB's rows are untyped
/**
 * Every export as Parquet (README "For analysts"), written by hyparquet-writer and read back by an independent reader
 * (DuckDB, a C++ implementation): the same columns in the same order as the CSV, typed (INTEGER, DOUBLE, BOOLEAN,
 * TIMESTAMP WITH TIME ZONE, wei and everything else as VARCHAR), the same rows cell for cell, SNAPPY (hex columns
 * uncompressed), several
 * row groups for a large export, and the provenance in the footer's key-value metadata. Also reputation-history
 * over a week of HOUR buckets of the fixture network against `reputation(asOf:)` at every bucket end.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { COLUMNS, type ExportName, type Kind } from "../src/exports/format.ts";
import { ROW_GROUP_ROWS } from "../src/exports/parquet.ts";
import { startTestApi, type TestApi } from "../src/testing/api-client.ts";
import { extraCommits, extraModel, modelId } from "../src/testing/network.ts";
import { seedNetwork } from "../src/testing/seed-through-handler.ts";
import { openTestDatabase, type TestDatabase, testConfig } from "../src/testing/test-db.ts";

let tdb: TestDatabase;
let api: TestApi;
let duck: DuckDBInstance;
let conn: DuckDBConnection;
let dir: string;

const NASTY = ['a,b "c"\nd', "=HYPERLINK(1)", "-1", "plain"];
const EXTRA_INFERENCES = 2 * ROW_GROUP_ROWS + 123;

beforeAll(async () => {
  tdb = await openTestDatabase();
  await seedNetwork(tdb.adminUrl, (at) => {
    // Chain-supplied text the CSV quotes or guards (Parquet keeps it as it is).
    NASTY.forEach((name, k) => {
      at(20, { kind: "registerModel", model: extraModel(200 + k, name, "=1+1") });
    });
    // Enough inferences for three row groups.
    extraCommits(at, EXTRA_INFERENCES, 10_000);
  });
  api = await startTestApi(testConfig(), tdb.db, { connectionString: tdb.readerUrl });
  duck = await DuckDBInstance.create(":memory:");
  conn = await duck.connect();
  dir = mkdtempSync(join(tmpdir(), "parquet-exports-"));
}, 120_000);
afterAll(async () => {
  conn?.closeSync();
  duck?.closeSync();
  if (dir) rmSync(dir, { recursive: true, force: true });
  await api?.close();
  await tdb?.close();
});

/** RFC 4180 (as exports.test.ts): records of cells. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      record.push(cell);
      cell = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      record.push(cell);
      records.push(record);
      record = [];
      cell = "";
      i++;
    } else cell += c;
  }
  return records;
}

const DUCK_TYPE: Record<Kind, string> = {
  hex: "VARCHAR",
  wei: "VARCHAR",
  int: "INTEGER",
  float: "DOUBLE",
  time: "TIMESTAMP WITH TIME ZONE",
  bool: "BOOLEAN",
  enum: "VARCHAR",
  text: "VARCHAR",
  const: "VARCHAR",
};

/** What the CSV has for a value DuckDB read (the CSV guards chain text that could start a formula). */
function csvText(kind: Kind, v: unknown): string {
  if (v === null || v === undefined) return "";
  if (v instanceof Date) return v.toISOString();
  if (kind === "text" && /^[=+\-@\t\r]/.test(String(v))) return `'${v}`;
  return String(v);
}

async function download(path: string): Promise<{ file: string; headers: Headers }> {
  const res = await fetch(`${api.base}${path}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  expect(res.status, new TextDecoder().decode(bytes.slice(0, 200))).toBe(200);
  const file = join(dir, `${path.replace(/[^a-z0-9]+/gi, "_")}.parquet`);
  writeFileSync(file, bytes);
  return { file, headers: res.headers };
}

const EXPORTS: [ExportName, string][] = [
  ["nodes", ""],
  ["nodes", "?asOf=500"],
  ["models", ""],
  ["inferences", ""],
  ["inferences", "?asOf=700&status=VERIFIED,FAILED"],
  ["slashes", ""],
  ["reputation-history", "?interval=DAY"],
  ["reputation-history", "?interval=HOUR"],
];

describe("Parquet exports read back by DuckDB", () => {
  for (const [name, query] of EXPORTS) {
    test(`${name}.parquet${query}: same columns, types and rows as ${name}.csv${query}`, async () => {
      const started = performance.now();
      const { file, headers } = await download(`/export/${name}.parquet${query}`);
      expect(headers.get("content-type")).toBe("application/vnd.apache.parquet");
      const csvText_ = await (await fetch(`${api.base}/export/${name}.csv${query}`)).text();
      const [header, ...records] = parseCsv(csvText_);
      const columns = COLUMNS[name];
      expect(header).toEqual(columns.map((c) => c.name));

      const read = await conn.runAndReadAll(`SELECT * FROM read_parquet('${file}')`);
      expect(read.columnNames()).toEqual(header);
      expect(read.columnTypes().map(String)).toEqual(columns.map((c) => DUCK_TYPE[c.kind]));
      const rows = read.getRowsJS();
      expect(rows.length).toBe(records.length);
      for (let i = 0; i < rows.length; i++) {
        const got = columns.map((c, k) => csvText(c.kind, rows[i][k]));
        if (got.join("\u0000") !== records[i].join("\u0000")) expect(got, `row ${i}`).toEqual(records[i]);
      }
      if (name !== "reputation-history") expect(rows.length).toBeGreaterThan(0);

      // Provenance: the headers, and the same in the footer's key-value metadata.
      const kv = await conn.runAndReadAll(
        `SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata('${file}')`,
      );
      const meta = Object.fromEntries(kv.getRowObjectsJS().map((r: any) => [r.k, r.v]));
      expect(meta).toEqual({
        export: name,
        as_of_block: headers.get("x-as-of-block"),
        as_of: headers.get("x-as-of"),
        finalized_block: headers.get("x-finalized-block"),
        formula: "rep-v1",
      });
      const groups = await conn.runAndReadAll(
        `SELECT count(DISTINCT row_group_id)::int AS g FROM parquet_metadata('${file}')`,
      );
      const [g] = groups.getRowObjectsJS() as any[];
      expect(g.g).toBe(Math.ceil(rows.length / ROW_GROUP_ROWS));
      // SNAPPY, but ids, hashes and addresses (random hex, which Snappy hardly shrinks) UNCOMPRESSED.
      const codecs = await conn.runAndReadAll(
        `SELECT DISTINCT path_in_schema AS col, compression AS c FROM parquet_metadata('${file}') ORDER BY col`,
      );
      const expected = COLUMNS[name]
        .map((c) => ({ col: c.name, c: c.kind === "hex" ? "UNCOMPRESSED" : "SNAPPY" }))
        .sort((a, b) => (a.col < b.col ? -1 : 1));
      if (rows.length > 0) expect(codecs.getRowObjectsJS()).toEqual(expected);
      console.log(
        `${name}.parquet${query}: ${rows.length} rows, ${g.g} row groups, ${Math.round(performance.now() - started)} ms`,
      );
    });
  }

  test("speed: the inferences export as Parquet and as CSV (figures printed)", async () => {
    const { file } = await download("/export/inferences.parquet");
    const counted = await conn.runAndReadAll(`SELECT count(*)::int FROM read_parquet('${file}')`);
    const rows = Number(counted.getRowsJS()[0][0]);
    for (const format of ["parquet", "csv"]) {
      const started = performance.now();
      const res = await fetch(`${api.base}/export/inferences.${format}`);
      const bytes = (await res.arrayBuffer()).byteLength;
      const ms = performance.now() - started;
      console.log(
        `inferences.${format}: ${rows} rows, ${(bytes / 1e6).toFixed(1)} MB in ${Math.round(ms)} ms = ${Math.round(rows / (ms / 1000))} rows/s`,
      );
    }
  });

  test("nasty chain text is kept as it is (no CSV guard) and wei stays exact", async () => {
    const { file } = await download("/export/models.parquet");
    const read = await conn.runAndReadAll(
      `SELECT name FROM read_parquet('${file}') WHERE id IN (${NASTY.map((_, k) => `'${modelId(200 + k)}'`).join(",")}) ORDER BY id`,
    );
    expect(read.getRowsJS().map((r) => r[0])).toEqual(NASTY);
    const nodes = await download("/export/nodes.parquet");
    const wei = await conn.runAndReadAll(
      `SELECT sum(stake_wei::HUGEINT)::VARCHAR FROM read_parquet('${nodes.file}')`,
    );
    const csv = parseCsv(await (await fetch(`${api.base}/export/nodes.csv`)).text());
    const at = csv[0].indexOf("stake_wei");
    const total = csv.slice(1).reduce((a, r) => a + BigInt(r[at] || "0"), 0n);
    expect(wei.getRowsJS()[0][0]).toBe(total.toString());
  });

  test("a bad parameter is a one-line 400 before any byte; provenance is always in the file", async () => {
    for (const [path, message] of [
      ["/export/nodes.parquet?provenance=comment", /^Bad parameter provenance: .*expected none for parquet/],
      ["/export/inferences.parquet?status=NOPE", /^Bad parameter status: /],
      ["/export/reputation-history.parquet?interval=YEAR", /^Bad parameter interval: /],
    ] as const) {
      const res = await fetch(`${api.base}${path}`);
      const text = await res.text();
      expect(res.status, path).toBe(400);
      expect(text.trimEnd().split("\n")).toHaveLength(1);
      expect(text).toMatch(message);
    }
  });
});

describe("reputation-history on the fixture network (a week of HOUR buckets)", () => {
  test("every row equals node(id) { reputation(asOf: bucket_end) }", async () => {
    const text = await (await fetch(`${api.base}/export/reputation-history.ndjson?interval=HOUR`)).text();
    const rows = text
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    const byEnd = new Map<string, any[]>();
    for (const r of rows) byEnd.set(r.bucket_end, [...(byEnd.get(r.bucket_end) ?? []), r]);
    expect(byEnd.size).toBeGreaterThan(100);
    let compared = 0;
    for (const [end, at] of byEnd) {
      const fields = at
        .map(
          (r, k) =>
            `n${k}: node(id: "${r.node}") { reputation(asOf: "${end}") { score lowerBound upperBound effectiveSamples decayedSlashes slashFactor provisional successRate } }`,
        )
        .join("\n");
      const answer = (await api.gql(`{ ${fields} }`)).body as any;
      expect(answer.errors).toBeUndefined();
      at.forEach((r, k) => {
        const node = answer.data?.[`n${k}`];
        if (!node)
          throw new Error(`node(id: ${r.node}) is null at ${end}: ${JSON.stringify(answer).slice(0, 300)}`);
        const rep = node.reputation;
        const where = `${r.node} at ${end}`;
        expect(
          [r.score, r.lower_bound, r.upper_bound, r.n, r.d, r.slash_factor, r.provisional],
          where,
        ).toEqual([
          rep.score,
          rep.lowerBound,
          rep.upperBound,
          rep.effectiveSamples,
          rep.decayedSlashes,
          rep.slashFactor,
          rep.provisional,
        ]);
        if (rep.successRate !== null) expect(r.s / r.n, where).toBeCloseTo(rep.successRate, 12);
        compared++;
      });
    }
    console.log(`reputation-history (fixture): ${compared} rows at ${byEnd.size} bucket ends compared`);
  }, 120_000);
});
