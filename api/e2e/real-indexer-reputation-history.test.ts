// biome-ignore-all lint/suspicious/noExplicitAny: the tests read untyped JSON answers
/**
 * GET /export/reputation-history on real indexed devnet data (a bulk simulator run, the compiled indexer, the API
 * as its own process): every row equals `node(id) { reputation(asOf: bucket end) }`, the counts in the buckets
 * add up to the node's counts, stake is the nodes export's as of the bucket end's block, CSV, NDJSON and Parquet
 * (read by DuckDB) agree, and bad parameters are one-line 400s.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { COLUMNS } from "../src/exports/format.ts";
import { expectAgreesWithReputationAsOf } from "./real/reputation-as-of.ts";
import { type BulkStack, startBulkStack } from "./real/stack.ts";

let s: BulkStack;

beforeAll(async () => {
  s = await startBulkStack({ seed: "api-reputation-history", nodes: 5, inferences: 400, perBlock: 20 });
  expect(s.expected.warnings).toEqual([]);
}, 240_000);
afterAll(async () => {
  await s?.close();
});

async function ndjson(path: string) {
  const res = await fetch(`${s.api.base}${path}`);
  const text = await res.text();
  expect(res.status, text).toBe(200);
  const lines = text.split("\n").filter(Boolean);
  return { res, rows: lines.map((l) => JSON.parse(l)) as any[] };
}

describe("reputation-history export on real devnet data", () => {
  test("HOUR: every row equals node.reputation(asOf: bucket end); counts add up to the node's", async () => {
    const { res, rows } = await ndjson("/export/reputation-history.ndjson?interval=HOUR");
    expect(res.headers.get("x-formula-version")).toBe("rep-v1");
    expect(Number(res.headers.get("x-as-of-block"))).toBe(s.head.number);
    expect(rows.length).toBeGreaterThan(0);
    expect(Object.keys(rows[0])).toEqual(COLUMNS["reputation-history"].map((c) => c.name));
    const nodes = await expectAgreesWithReputationAsOf(s.api, rows);
    const all = await s.api.ok(
      "{ nodes(first: 100) { edges { node { id counts { committed verified failed expired slashes } } } } }",
    );
    expect(nodes.size).toBe(all.nodes.edges.length);
    for (const { node } of all.nodes.edges) {
      const mine = rows.filter((r) => r.node === node.id);
      for (const k of ["committed", "verified", "failed", "expired", "slashes"]) {
        expect(
          mine.reduce((a, r) => a + r[k], 0),
          `${node.id} ${k}`,
        ).toBe(node.counts[k]);
      }
      // The last bucket ends at the latest indexed block: its block is the head.
      expect(mine[mine.length - 1].block).toBe(s.head.number);
      // Buckets are contiguous, oldest first.
      for (let i = 1; i < mine.length; i++) expect(mine[i].bucket_start).toBe(mine[i - 1].bucket_end);
    }
    // Stake as of the bucket end's block, as the nodes export has it as of that block.
    for (const block of new Set(rows.map((r) => r.block))) {
      const snapshot = (await ndjson(`/export/nodes.ndjson?asOf=${block}`)).rows;
      const stake = new Map(snapshot.map((n) => [n.id, n.stake_wei]));
      for (const r of rows.filter((x) => x.block === block)) {
        expect(r.stake_wei, `${r.node} at ${block}`).toBe(stake.get(r.node) ?? "0");
      }
    }
    console.log(`reputation-history: ${rows.length} HOUR rows for ${nodes.size} nodes compared`);
  });

  test("DAY and WEEK for one node; CSV has the same rows as NDJSON, and its provenance comment", async () => {
    const first = (await ndjson("/export/reputation-history.ndjson?interval=HOUR")).rows[0].node;
    for (const interval of ["DAY", "WEEK"]) {
      const { rows } = await ndjson(`/export/reputation-history.ndjson?interval=${interval}&node=${first}`);
      expect(rows.length).toBeGreaterThan(0);
      expect(new Set(rows.map((r) => r.node))).toEqual(new Set([first]));
      await expectAgreesWithReputationAsOf(s.api, rows);
    }
    const csv = await (
      await fetch(`${s.api.base}/export/reputation-history.csv?interval=HOUR&provenance=comment`)
    ).text();
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0]).toMatch(/^# as_of_block=\d+, as_of=.*, finalized_block=\d+, formula=rep-v1$/);
    expect(lines[1]).toBe(COLUMNS["reputation-history"].map((c) => c.name).join(","));
    const { rows } = await ndjson("/export/reputation-history.ndjson?interval=HOUR");
    expect(lines.length - 2).toBe(rows.length);
    const cells = lines[2].split(",");
    expect(cells[0]).toBe(rows[0].node);
    expect(Number(cells[4])).toBe(rows[0].score);
  });

  test("Parquet: DuckDB reads the same rows as the NDJSON, provenance in the file's metadata", async () => {
    const { rows } = await ndjson("/export/reputation-history.ndjson?interval=HOUR");
    const res = await fetch(`${s.api.base}/export/reputation-history.parquet?interval=HOUR`);
    expect(res.status).toBe(200);
    const dir = mkdtempSync(join(tmpdir(), "rep-history-"));
    const file = join(dir, "h.parquet");
    writeFileSync(file, new Uint8Array(await res.arrayBuffer()));
    const duck = await DuckDBInstance.create(":memory:");
    const conn = await duck.connect();
    try {
      const read = await conn.runAndReadAll(`SELECT * FROM read_parquet('${file}')`);
      const got = read
        .getRowObjectsJS()
        .map((r: any) =>
          Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v])),
        );
      expect(got).toEqual(rows);
      const kv = await conn.runAndReadAll(
        `SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata('${file}')`,
      );
      const meta = Object.fromEntries(kv.getRowObjectsJS().map((r: any) => [r.k, r.v]));
      expect(meta.as_of_block).toBe(res.headers.get("x-as-of-block"));
      expect(meta.formula).toBe("rep-v1");
    } finally {
      conn.closeSync();
      duck.closeSync();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("bad parameters are a one-line 400 naming the parameter", async () => {
    const cases: [string, RegExp][] = [
      ["interval=MONTH", /^Bad parameter interval: got "MONTH", expected one of HOUR, DAY, WEEK$/],
      ["node=0x12", /^Bad parameter node: /],
      ["from=yesterday", /^Bad parameter from: /],
      ["from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", /^Bad parameter from: .*expected from <= to$/],
      ["asOf=3", /^Bad parameter asOf: unknown for \/export\/reputation-history.csv/],
      [
        "from=1990-01-01T00:00:00Z&interval=HOUR",
        /^Bad parameter from: .*HOUR buckets, expected at most 10000/,
      ],
    ];
    for (const [query, message] of cases) {
      const res = await fetch(`${s.api.base}/export/reputation-history.csv?${query}`);
      const text = await res.text();
      expect(res.status, query).toBe(400);
      expect(text.trimEnd().split("\n"), query).toHaveLength(1);
      expect(text.trimEnd(), query).toMatch(message);
    }
  });
});
