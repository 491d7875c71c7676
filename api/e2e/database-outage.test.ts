// biome-ignore-all lint/suspicious/noExplicitAny: the tests read untyped JSON answers
/**
 * A database outage under a running API (issue 12): its own Postgres, stopped with pg_ctl (every session gets
 * "terminating connection due to administrator command", then connections are refused) and started again.
 * Clients get SERVICE_UNAVAILABLE (503 for /healthz and exports; a GraphQL error with that code) with nothing of
 * the driver's text (no host, port or errno), even outside production; the server log has the details; and the
 * API answers again once the database is back, without a restart.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createDb, type Db } from "../src/db/database.ts";
import { type ApiServer, createApiServer } from "../src/server/app.ts";
import { createDatabaseFromTemplate, startTestPostgres, type TestPostgres } from "../src/testing/postgres.ts";
import { seedNetwork } from "../src/testing/seed-through-handler.ts";
import { testConfig } from "../src/testing/test-db.ts";

let server: TestPostgres;
let db: Db;
let api: ApiServer;
let url: string;
const logs: string[] = [];
const DATABASE = "outage";

const QUERY = "{ nodes(first: 2) { totalCount edges { node { id } } } indexerStatus { height } }";

async function gql(): Promise<{ status: number; text: string; json: any }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "cache-control": "no-cache" },
    body: JSON.stringify({ query: QUERY }),
  });
  const text = await res.text();
  return { status: res.status, text, json: JSON.parse(text) };
}

async function get(path: string): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(url.replace(/\/graphql$/, path));
  return { status: res.status, text: await res.text(), headers: res.headers };
}

/** What must never reach a client: the driver's words, the address, the port. */
function expectNoInternals(text: string) {
  expect(text).not.toMatch(
    /ECONNREFUSED|ECONNRESET|connect |terminating|Connection terminated|127\.0\.0\.1|postgres/i,
  );
  expect(text).not.toContain(String(server.port));
  expect(text).not.toMatch(/stacktrace|at .*\.ts:\d+/);
}

beforeAll(async () => {
  server = await startTestPostgres();
  await createDatabaseFromTemplate(server.url(), DATABASE);
  await seedNetwork(server.url(DATABASE));
  db = createDb({ connectionString: server.readerUrl(DATABASE), poolSize: 4, statementTimeoutMs: 10_000 });
  // Not production: even with stack traces on, an outage shows none of the driver's text.
  api = await createApiServer({
    config: testConfig({ production: false, healthStallSeconds: 10 ** 9 }),
    db,
    listen: { connectionString: server.readerUrl(DATABASE) },
    log: (m) => logs.push(m),
    responseCacheBytes: 0,
  });
  url = await api.listen(0, "127.0.0.1");
});

afterAll(async () => {
  await api?.close();
  await db?.pool.end().catch(() => {});
  await server?.stop();
});

describe("a database outage under a running API", () => {
  test("answers normally before", async () => {
    const r = await gql();
    expect(r.json.errors).toBeUndefined();
    expect(r.json.data.nodes.totalCount).toBeGreaterThan(0);
    expect((await get("/healthz")).status).toBe(200);
    expect((await get("/export/nodes.csv")).status).toBe(200);
  });

  test("answers SERVICE_UNAVAILABLE without driver text while the database is down", async () => {
    await server.halt();
    const before = logs.length;

    const q = await gql();
    expect(q.status).toBe(200);
    expect(q.json.errors.length).toBeGreaterThan(0);
    for (const e of q.json.errors) {
      expect(e.extensions).toEqual({ code: "SERVICE_UNAVAILABLE" });
      expect(e.message).toBe("The database is not answering; try again shortly");
    }
    expectNoInternals(q.text);

    const health = await get("/healthz");
    expect(health.status).toBe(503);
    expect(JSON.parse(health.text)).toEqual({
      status: "unavailable",
      code: "SERVICE_UNAVAILABLE",
      reason: "The database is not answering; try again shortly",
    });
    expectNoInternals(health.text);

    for (const path of ["/export/nodes.csv", "/export/inferences.ndjson"]) {
      const exp = await get(path);
      expect(exp.status, path).toBe(503);
      expect(exp.headers.get("retry-after")).toBe("5");
      expect(exp.text).toBe("The database is not answering; try again shortly\n");
    }

    // The details are in the server log, once per outage window rather than once per failing field.
    const logged = logs.slice(before).join("\n");
    expect(logged).toMatch(
      /api: database unavailable \(.*\): .*(ECONNREFUSED|terminating|Connection terminated)/,
    );
    expect(
      logs.slice(before).filter((l) => l.startsWith("api: database unavailable")).length,
    ).toBeLessThanOrEqual(2);
  });

  test("recovers once the database is back, without a restart", async () => {
    await server.resume();
    const deadline = Date.now() + 20_000;
    let r = await gql();
    while (r.json.errors && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 100));
      r = await gql();
    }
    expect(r.json.errors).toBeUndefined();
    expect(r.json.data.nodes.totalCount).toBeGreaterThan(0);
    expect((await get("/healthz")).status).toBe(200);
    expect((await get("/export/nodes.csv")).status).toBe(200);
  });
});
