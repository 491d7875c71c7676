// biome-ignore-all lint/suspicious/noExplicitAny: the tests read untyped JSON answers
import { rawPost } from "@attestation-explorer/testkit/http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { chooseDatabase } from "../src/db/connect.ts";
import { createDb } from "../src/db/database.ts";
import { startTestApi, type TestApi } from "../src/testing/api-client.ts";
import { address, nodeId } from "../src/testing/network.ts";
import { seedNetwork } from "../src/testing/seed-through-handler.ts";
import { openTestDatabase, type TestDatabase, testConfig } from "../src/testing/test-db.ts";

// The HTTP surface: error tiers and codes, limits, CORS, rate limiting, /healthz, /metrics, GraphiQL, and that
// the API cannot write.

let tdb: TestDatabase;
let api: TestApi;

beforeAll(async () => {
  tdb = await openTestDatabase();
  await seedNetwork(tdb.adminUrl);
  api = await startTestApi(
    testConfig({ maxDepth: 8, maxAliases: 5, maxTokens: 800, maxListCost: 200_000, maxBodyBytes: 4096 }),
    tdb.db,
    {
      connectionString: tdb.readerUrl,
    },
  );
});
afterAll(async () => {
  await api?.close();
  await tdb?.close();
});

async function post(
  body: string,
  headers: Record<string, string> = {},
  url = api.url,
): Promise<{ status: number; json: any; text: string; headers: Headers }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}

const codeOf = (r: { json: any }) => r.json?.errors?.[0]?.extensions?.code;
const messageOf = (r: { json: any }) => r.json?.errors?.[0]?.message;

describe("bad input is BAD_USER_INPUT saying what was received and expected, never a 5xx", () => {
  const cases: [string, string, Record<string, unknown> | undefined, string | RegExp][] = [
    [
      "a short id literal",
      `{ node(id: "0x12") { id } }`,
      undefined,
      'Got id="0x12", expected 32 bytes of hex (0x followed by 64 hex digits)',
    ],
    [
      "a short id variable",
      `query($id: Bytes!) { node(id: $id) { id } }`,
      { id: "0x12" },
      'Got id="0x12", expected 32 bytes of hex (0x followed by 64 hex digits)',
    ],
    [
      "a non-hex id",
      `{ inference(id: "0x${"zz".repeat(32)}") { id } }`,
      undefined,
      /^Got id="0xzzzz.*", expected 32 bytes of hex/,
    ],
    [
      "first over 1000",
      `{ nodes(first: 5000) { totalCount } }`,
      undefined,
      "Got first=5000, expected at most 1000",
    ],
    [
      "a negative first",
      `{ inferences(first: -1) { totalCount } }`,
      undefined,
      "Got first=-1, expected at least 0",
    ],
    [
      "a malformed cursor",
      `{ slashes(after: "garbage!") { totalCount } }`,
      undefined,
      /^Got after="garbage!", expected a cursor returned by this list/,
    ],
    [
      "an owner of the wrong length",
      `{ nodes(where: { owner: "0x1234" }) { totalCount } }`,
      undefined,
      /^Got where.owner="0x1234", expected 20 bytes of hex/,
    ],
    [
      "a nested model filter",
      `query($id: Bytes!) { node(id: $id) { inferences(model: "0xabc") { totalCount } } }`,
      { id: nodeId(0) },
      /^Got model="0xabc", expected 32 bytes/,
    ],
    [
      "a subscription-only filter shape in a query",
      `{ inferences(where: { node: "0x00" }) { totalCount } }`,
      undefined,
      /^Got where.node="0x00"/,
    ],
    [
      "a history range backwards",
      `{ networkHistory(from: "2026-11-20T00:00:00Z", to: "2026-11-01T00:00:00Z") { start } }`,
      undefined,
      /^Got from="2026-11-20T00:00:00.000Z", expected a time at or before to=/,
    ],
    [
      "too many buckets",
      `{ networkHistory(interval: HOUR, from: "2020-01-01T00:00:00Z") { start } }`,
      undefined,
      /HOUR buckets, expected at most 1000/,
    ],
  ];
  for (const [what, query, variables, message] of cases) {
    test(what, async () => {
      const r = await post(JSON.stringify({ query, variables }));
      expect(r.status).toBeLessThan(500);
      expect(codeOf(r)).toBe("BAD_USER_INPUT");
      if (typeof message === "string") expect(messageOf(r)).toBe(message);
      else expect(messageOf(r)).toMatch(message);
    });
  }

  test("a cursor from another list or ordering is rejected", async () => {
    const first = await post(
      JSON.stringify({ query: "{ nodes(first: 1, orderBy: STAKE_DESC) { pageInfo { endCursor } } }" }),
    );
    const cursor = first.json.data.nodes.pageInfo.endCursor;
    const r = await post(
      JSON.stringify({
        query: "query($c: String) { nodes(after: $c) { totalCount } }",
        variables: { c: cursor },
      }),
    );
    expect(codeOf(r)).toBe("BAD_USER_INPUT");
    expect(messageOf(r)).toMatch(/expected a cursor returned by this list \(nodes:SCORE_DESC\)/);
  });

  test("a bad DateTime variable is BAD_USER_INPUT (400); a bad literal is GRAPHQL_VALIDATION_FAILED (400)", async () => {
    const variable = await post(
      JSON.stringify({
        query: "query($t: DateTime) { networkHistory(from: $t) { start } }",
        variables: { t: "yesterday" },
      }),
    );
    expect(variable.status).toBe(400);
    expect(codeOf(variable)).toBe("BAD_USER_INPUT");
    expect(messageOf(variable)).toContain('Variable "$t" got invalid value "yesterday"');
    expect(messageOf(variable)).toContain("Expected an ISO-8601 date-time such as 2026-11-26T04:00:00.000Z");
    const literal = await post(JSON.stringify({ query: `{ networkHistory(from: "yesterday") { start } }` }));
    expect(literal.status).toBe(400);
    expect(codeOf(literal)).toBe("GRAPHQL_VALIDATION_FAILED");
  });

  test("an unknown field, a syntax error and a wrong enum are 4xx with GraphQL codes", async () => {
    const unknown = await post(JSON.stringify({ query: "{ nodez { id } }" }));
    expect([unknown.status, codeOf(unknown)]).toEqual([400, "GRAPHQL_VALIDATION_FAILED"]);
    const syntax = await post(JSON.stringify({ query: "{ nodes(" }));
    expect([syntax.status, codeOf(syntax)]).toEqual([400, "GRAPHQL_PARSE_FAILED"]);
    const enumValue = await post(JSON.stringify({ query: "{ nodes(orderBy: BEST) { totalCount } }" }));
    expect([enumValue.status, codeOf(enumValue)]).toEqual([400, "GRAPHQL_VALIDATION_FAILED"]);
  });
});

describe("malformed requests", () => {
  test("malformed JSON is 400 with a message saying what is expected", async () => {
    const r = await post("{ not json");
    expect(r.status).toBe(400);
    expect(codeOf(r)).toBe("BAD_REQUEST");
    expect(messageOf(r)).toMatch(/^Got a body that is not valid JSON \(.*\), expected a JSON object such as/);
  });

  test("a body over the limit is 413", async () => {
    const r = await post(JSON.stringify({ query: `{ indexerStatus { height } } # ${"x".repeat(5000)}` }));
    expect(r.status).toBe(413);
    expect(codeOf(r)).toBe("PAYLOAD_TOO_LARGE");
  });

  test("2–6 MB bodies get the 413 every time (read and discarded first), never a connection reset", async () => {
    const sizes = [2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6].map((mb) => Math.round(mb * 1024 * 1024));
    for (const [i, size] of sizes.entries()) {
      const r = await rawPost(api.url, size, {
        chunked: i % 2 === 1,
        contentType: "application/json",
        fill: " ",
      });
      expect(r.error, `${size} bytes${i % 2 ? ", chunked" : ""}`).toBeUndefined();
      expect(r.status, `${size} bytes`).toBe(413);
      expect(r.body.trim().split("\n")).toHaveLength(1);
      expect(JSON.parse(r.body).errors[0].extensions.code).toBe("PAYLOAD_TOO_LARGE");
    }
  });

  test("empty bodies, non-objects, missing queries and other methods are 4xx", async () => {
    for (const body of [
      "",
      "[]",
      "42",
      "{}",
      JSON.stringify({ query: 42 }),
      JSON.stringify({ variables: {} }),
    ]) {
      const r = await post(body);
      expect(r.status, body).toBeGreaterThanOrEqual(400);
      expect(r.status, body).toBeLessThan(500);
    }
    const text = await post("{ indexerStatus { height } }", { "content-type": "text/plain" });
    expect(text.status).toBeGreaterThanOrEqual(400);
    expect(text.status).toBeLessThan(500);
    const put = await fetch(api.url, { method: "PUT" });
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("GET, POST, OPTIONS");
  });

  test("GET queries work with a CSRF-safe header, and are refused without one", async () => {
    const q = encodeURIComponent("{ indexerStatus { height } }");
    const ok = await fetch(`${api.url}?query=${q}`, { headers: { "apollo-require-preflight": "1" } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as any).data.indexerStatus.height).toBe(1000);
    const refused = await fetch(`${api.url}?query=${q}`);
    expect(refused.status).toBe(400);
  });

  test("an unknown path is a 404 saying which paths exist", async () => {
    const r = await fetch(`${api.base}/nope`);
    expect(r.status).toBe(404);
    expect(((await r.json()) as any).errors[0].message).toBe(
      "Got path /nope, expected /graphql, /healthz or /metrics",
    );
  });
});

describe("limits on what one operation may ask for", () => {
  test("depth", async () => {
    const r = await post(
      JSON.stringify({
        query:
          "query Deep { nodes { edges { node { inferences { edges { node { model { inferences { totalCount } } } } } } } } }",
      }),
    );
    expect(r.status).toBe(400);
    expect(codeOf(r)).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(messageOf(r)).toBe("Got a query of depth 9 (operation Deep), expected at most 8");
  });

  test("aliases", async () => {
    const r = await post(
      JSON.stringify({
        query: `{ ${[1, 2, 3, 4, 5, 6].map((i) => `a${i}: indexerStatus { height }`).join(" ")} }`,
      }),
    );
    expect(r.status).toBe(400);
    expect(messageOf(r)).toBe("Got more than 5 aliases in one document, expected at most 5");
  });

  test("tokens", async () => {
    const r = await post(JSON.stringify({ query: `{ ${"x ".repeat(900)} }` }));
    expect(r.status).toBe(400);
    expect(codeOf(r)).toBe("GRAPHQL_PARSE_FAILED");
    expect(messageOf(r)).toMatch(/^Syntax Error: Document contains more th(at|an) 800 tokens/);
  });

  test("nested lists whose sizes multiply past the limit", async () => {
    const r = await post(
      JSON.stringify({
        query:
          "query($n: Int) { nodes(first: $n) { edges { node { inferences(first: 1000) { totalCount } } } } }",
        variables: { n: 1000 },
      }),
    );
    expect(r.status).toBe(400);
    expect(codeOf(r)).toBe("BAD_USER_INPUT");
    expect(messageOf(r)).toMatch(/^Got a query that may return up to \d+ values .*expected at most 200000/);
  });

  test("introspection as IDEs send it passes the limits", async () => {
    const query = `query IntrospectionQuery { __schema { queryType { name } types { ...FullType } } }
      fragment FullType on __Type { kind name fields(includeDeprecated: true) { name args { ...InputValue } type { ...TypeRef } } inputFields { ...InputValue } }
      fragment InputValue on __InputValue { name type { ...TypeRef } defaultValue }
      fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } }`;
    const r = await post(JSON.stringify({ query }));
    expect(r.status).toBe(200);
    expect(r.json.data.__schema.types.length).toBeGreaterThan(50);
  });
});

describe("errors", () => {
  test("internal errors are masked with INTERNAL_SERVER_ERROR in every mode (development too); only API_EXPOSE_ERRORS shows them", async () => {
    const broken = await openTestDatabase();
    await seedNetwork(broken.adminUrl);
    await broken.admin.query("ALTER TABLE batch_settlement RENAME TO batch_settlement_gone");
    const prod = await startTestApi(testConfig({ production: true, nodeEnv: "production" }), broken.db, {
      connectionString: broken.readerUrl,
    });
    const devMode = await startTestApi(testConfig({ nodeEnv: "development" }), broken.db, {
      connectionString: broken.readerUrl,
    });
    const dev = await startTestApi(testConfig({ exposeErrors: true }), broken.db, {
      connectionString: broken.readerUrl,
    });
    try {
      const masked = await post(
        JSON.stringify({ query: "{ batchSettlements { totalCount } }" }),
        {},
        prod.url,
      );
      expect(masked.status).toBeLessThan(500);
      expect(masked.json.errors).toEqual([
        {
          message: "Internal server error",
          path: ["batchSettlements"],
          locations: [{ line: 1, column: 3 }],
          extensions: { code: "INTERNAL_SERVER_ERROR" },
        },
      ]);
      const inDevelopment = await post(
        JSON.stringify({ query: "{ batchSettlements { totalCount } }" }),
        {},
        devMode.url,
      );
      expect(inDevelopment.json.errors).toEqual(masked.json.errors);
      const shown = await post(JSON.stringify({ query: "{ batchSettlements { totalCount } }" }), {}, dev.url);
      expect(messageOf(shown)).toMatch(/batch_settlement/);
      expect(shown.json.errors[0].extensions.stacktrace).toBeDefined();
      const expected = await post(
        JSON.stringify({ query: "{ nodes(first: 5000) { totalCount } }" }),
        {},
        prod.url,
      );
      expect(expected.json.errors).toEqual([
        {
          message: "Got first=5000, expected at most 1000",
          path: ["nodes"],
          locations: [{ line: 1, column: 3 }],
          extensions: { code: "BAD_USER_INPUT" },
        },
      ]);
    } finally {
      await prod.close();
      await dev.close();
      await devMode.close();
      await broken.close();
    }
  });
});

describe("CORS and rate limiting", () => {
  test("CORS: any origin by default; a configured list echoes allowed origins and refuses others", async () => {
    const any = await fetch(api.url, {
      method: "OPTIONS",
      headers: { origin: "https://a.example", "access-control-request-method": "POST" },
    });
    expect(any.status).toBe(204);
    expect(any.headers.get("access-control-allow-origin")).toBe("*");
    expect(any.headers.get("access-control-allow-methods")).toContain("POST");
    const listed = await startTestApi(testConfig({ corsOrigins: ["http://localhost:3000"] }), tdb.db, {
      connectionString: tdb.readerUrl,
    });
    try {
      const allowed = await post(
        JSON.stringify({ query: "{ indexerStatus { height } }" }),
        { origin: "http://localhost:3000" },
        listed.url,
      );
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get("access-control-allow-origin")).toBe("http://localhost:3000");
      const refused = await post(
        JSON.stringify({ query: "{ indexerStatus { height } }" }),
        { origin: "https://evil.example" },
        listed.url,
      );
      expect(refused.status).toBe(403);
    } finally {
      await listed.close();
    }
  });

  test("more requests per minute than the limit get 429 with Retry-After; exempt addresses do not", async () => {
    const limited = await startTestApi(testConfig({ rateLimitPerMinute: 3, rateLimitExempt: [] }), tdb.db, {
      connectionString: tdb.readerUrl,
    });
    const exempt = await startTestApi(
      testConfig({ rateLimitPerMinute: 1, rateLimitExempt: ["127.0.0.1", "::ffff:127.0.0.1"] }),
      tdb.db,
      {
        connectionString: tdb.readerUrl,
      },
    );
    try {
      const body = JSON.stringify({ query: "{ indexerStatus { height } }" });
      const statuses: number[] = [];
      let last: Awaited<ReturnType<typeof post>> | undefined;
      for (let i = 0; i < 4; i++) {
        last = await post(body, {}, limited.url);
        statuses.push(last.status);
      }
      // Four requests can straddle a minute boundary; then the fourth starts a new window.
      if (statuses[3] === 200) return;
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect(codeOf(last as never)).toBe("RATE_LIMITED");
      expect(Number(last?.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(messageOf(last as never)).toMatch(
        /^Got more than 3 requests in a minute from this address, expected at most 3/,
      );
      for (let i = 0; i < 3; i++) expect((await post(body, {}, exempt.url)).status).toBe(200);
    } finally {
      await limited.close();
      await exempt.close();
    }
  });
});

describe("/healthz", () => {
  const health = async (base = api.base) => {
    const r = await fetch(`${base}/healthz`);
    return { status: r.status, body: (await r.json()) as any };
  };

  test("200 while the indexer writes its position; 503 when it stalls behind the chain", async () => {
    await tdb.admin.query("UPDATE indexer_state SET updated_at = now(), height = 1000, chain_height = 1005");
    const fresh = await health();
    expect(fresh.status).toBe(200);
    expect(fresh.body).toMatchObject({ status: "ok", height: 1000, chainHeight: 1005, lagBlocks: 5 });
    await tdb.admin.query("UPDATE indexer_state SET updated_at = now() - interval '1 hour'");
    const stalled = await health();
    expect(stalled.status).toBe(503);
    expect(stalled.body.status).toBe("stalled");
    expect(stalled.body.reason).toMatch(
      /last wrote its position 3600 s ago \(threshold 120 s\) and is 5 blocks behind/,
    );
    // At the chain head an idle indexer is healthy (a quiet chain makes no batches).
    await tdb.admin.query("UPDATE indexer_state SET chain_height = 1000");
    expect((await health()).status).toBe(200);
    await tdb.admin.query("UPDATE indexer_state SET updated_at = now(), chain_height = 1005");
  });

  test("503 before the indexer has written its position, and when the database does not answer", async () => {
    const empty = await openTestDatabase();
    const emptyApi = await startTestApi(testConfig(), empty.db, { connectionString: empty.readerUrl });
    const downDb = createDb({
      connectionString: "postgresql://x:y@127.0.0.1:1/none",
      poolSize: 1,
      statementTimeoutMs: 1000,
    });
    const downApi = await startTestApi(testConfig(), downDb, {
      connectionString: "postgresql://x:y@127.0.0.1:1/none",
    });
    try {
      const none = await health(emptyApi.base);
      expect(none).toEqual({
        status: 503,
        body: {
          status: "unavailable",
          reason: "the indexer has not recorded a position yet (indexer_state is empty)",
        },
      });
      const down = await health(downApi.base);
      expect(down.status).toBe(503);
      expect(down.body).toEqual({
        status: "unavailable",
        code: "SERVICE_UNAVAILABLE",
        reason: "The database is not answering; try again shortly",
      });
      // Queries against an unreachable database fail as SERVICE_UNAVAILABLE (no driver text), not as hangs.
      const r = await post(JSON.stringify({ query: "{ nodes { totalCount } }" }), {}, downApi.url);
      expect(codeOf(r)).toBe("SERVICE_UNAVAILABLE");
      expect(r.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|postgresql:/);
      // indexerStatus on an empty database: height 0 and nulls.
      const status = await post(
        JSON.stringify({ query: "{ indexerStatus { height hash lagBlocks reorgedBlocks } }" }),
        {},
        emptyApi.url,
      );
      expect(status.json.data.indexerStatus).toEqual({
        height: 0,
        hash: null,
        lagBlocks: null,
        reorgedBlocks: 0,
      });
    } finally {
      await emptyApi.close();
      await downApi.close();
      await downDb.pool.end();
      await empty.close();
    }
  });
});

describe("/metrics, GraphiQL", () => {
  test("Prometheus text with request counts and latency by operation, and the database pool", async () => {
    await post(
      JSON.stringify({
        query: "query Leaderboard { nodes(first: 3) { totalCount } }",
        operationName: "Leaderboard",
      }),
    );
    const r = await fetch(`${api.base}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await r.text();
    expect(text).toMatch(
      /api_graphql_requests_total\{operation="Leaderboard",type="query",outcome="ok"\} [1-9]/,
    );
    expect(text).toMatch(
      /api_graphql_request_duration_seconds_bucket\{le="0.1",operation="Leaderboard",type="query"\}/,
    );
    expect(text).toMatch(/api_db_pool_connections\{state="total"\} \d+/);
    expect(text).toMatch(/api_http_responses_total\{route="graphql",status="200"\}/);
    expect(text).toContain("api_subscriptions_active");
    expect(text).toContain("api_process_cpu_user_seconds_total");
  });

  test("a browser gets GraphiQL, served from node_modules", async () => {
    const page = await fetch(api.url, { headers: { accept: "text/html,application/xhtml+xml" } });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await page.text();
    for (const asset of ["react.js", "react-dom.js", "graphiql.js", "graphiql.css", "init.js"]) {
      expect(html).toContain(`/graphiql/${asset}`);
      const r = await fetch(`${api.base}/graphiql/${asset}`);
      expect(r.status, asset).toBe(200);
      expect((await r.arrayBuffer()).byteLength, asset).toBeGreaterThan(100);
    }
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/); // no CDN
    expect((await fetch(`${api.base}/graphiql/../package.json`)).status).toBe(404);
  });
});

describe("read-only", () => {
  test("the API's sessions cannot write", async () => {
    await expect(tdb.db.query("UPDATE node SET enabled = false")).rejects.toThrow(
      /read-only|permission denied/,
    );
    const adminButReadOnly = createDb({
      connectionString: tdb.adminUrl,
      poolSize: 1,
      statementTimeoutMs: 1000,
    });
    try {
      await expect(adminButReadOnly.query("DELETE FROM node")).rejects.toThrow(
        /cannot execute DELETE in a read-only transaction/,
      );
    } finally {
      await adminButReadOnly.pool.end();
    }
  });

  test("given a superuser's DATABASE_URL, the API acts as the read-only role", async () => {
    const config = testConfig({ databaseUrl: tdb.adminUrl });
    const choice = await chooseDatabase(config, () => {});
    expect(choice.role).toBe("explorer_reader");
    expect(choice.description).toMatch(/acting as the read-only role explorer_reader/);
    const db = createDb({
      connectionString: choice.connectionString,
      role: choice.role,
      poolSize: 1,
      statementTimeoutMs: 1000,
    });
    try {
      const [row] = await db.query<{ current_user: string }>("SELECT current_user");
      expect(row.current_user).toBe("explorer_reader");
      expect((await db.query("SELECT owner FROM node WHERE id = $1", [nodeId(0)]))[0]).toEqual({
        owner: address(0),
      });
      // The session itself is read-only, whatever a statement tries (simple protocol: several commands at once)…
      await expect(db.pool.query("SET ROLE NONE; UPDATE node SET enabled = false")).rejects.toThrow(
        /read-only/,
      );
      // …and the API's own statements are prepared, which takes one command only.
      await expect(db.query("SET ROLE NONE; UPDATE node SET enabled = false")).rejects.toThrow(
        /multiple commands/,
      );
    } finally {
      await db.pool.end();
    }
    const asReader = await chooseDatabase(testConfig({ databaseUrl: tdb.readerUrl }), () => {});
    expect(asReader.connectionString).toBe(tdb.readerUrl);
    expect(asReader.role).toBeUndefined();
    expect(asReader.description).toMatch(/as the read-only role explorer_reader/);
  });
});
