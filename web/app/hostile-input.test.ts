/**
 * Hostile input against the explorer's server (web/server.mjs with the built app, web/build), property-based:
 * random paths over every route with invalid and valid percent-encodings, lone surrogates, long and malformed
 * ids, random query strings (the export parameters among them), other methods, small bodies and Host headers
 * that are no host, answered while the (stub) API is down or rejects every query (BAD_USER_INPUT) and every
 * export (400), at random.
 * Every answer must be below 500 (503 only for "the API is unavailable"), carry the CSP with a nonce and a
 * request id, and hold no stack trace, error class name, install path or driver text; afterwards it still answers.
 */
import { existsSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { afterAll, beforeAll, expect, test } from "vitest";

const WEB = fileURLToPath(new URL("..", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const RUNS = Number(process.env.HOSTILE_RUNS ?? 400);

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const servers: Server[] = [];
let explorerUrl: string;
const logged: string[] = [];

function listen(server: Server): Promise<string> {
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

/** The stub API's mood for the current case: down (every connection dropped) or rejecting every argument. */
let apiDown = false;

beforeAll(async () => {
  const buildFile = `${WEB}build/server/index.js`;
  if (!existsSync(buildFile)) throw new Error(`${buildFile} is missing: run \`npm run build -w web\` first`);
  // An API that rejects everything, as it does hostile arguments: GraphQL errors with a code, 400 for exports;
  // or, when apiDown, drops every connection.
  const api = createServer((req, res) => {
    if (apiDown) {
      req.socket.destroy();
      return;
    }
    req.resume();
    req.on("end", () => {
      if (req.url?.startsWith("/export/")) {
        res.writeHead(400, { "content-type": "text/plain; charset=utf-8" });
        res.end("Got a parameter the export does not take, expected one of its documented ones\n");
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          errors: [
            {
              message: "Got a value that is not valid, expected another",
              extensions: { code: "BAD_USER_INPUT" },
            },
          ],
        }),
      );
    });
  });
  const apiUrl = await listen(api);
  // The app reads its configuration from the environment (app/lib/config.server.ts), once.
  process.env.API_URL = `${apiUrl}/graphql`;
  process.env.API_TIMEOUT_MS = "5000";
  const { createExplorer, parseEnv } = await import(new URL("../server.mjs", import.meta.url).href);
  const build = await import(buildFile);
  explorerUrl = await listen(
    createServer(
      createExplorer({
        build,
        env: parseEnv({ API_URL: process.env.API_URL, WEB_RATE_LIMIT: "0" }),
        mode: "production",
        log: (line: string) => logged.push(line),
      }),
    ),
  );
});

afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

function send(base: string, method: string, path: string, body?: string, host?: string): Promise<Answer> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        method,
        path,
        // Node sends a DELETE's or OPTIONS's body without a length unless told: the length, always.
        headers: {
          ...(body
            ? { "content-type": "text/plain", "content-length": String(Buffer.byteLength(body)) }
            : {}),
          ...(host ? { host } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", reject);
      },
    );
    req.setTimeout(15_000, () => req.destroy(new Error(`no answer in 15 s to ${method} ${path}`)));
    req.on("error", reject);
    req.end(body);
  });
}

/** Percent-encodes the UTF-8 of a string (lone surrogates become U+FFFD), leaving only unreserved characters. */
const pct = (s: string) =>
  [...Buffer.from(s, "utf8")]
    .map((b) =>
      /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, "0")}`,
    )
    .join("");

const INVALID = ["%ED%A0%80", "%E0%A4%A", "%", "%zz", "%C0%AF", "%FF", "%F8%88%80%80%80", "%C3", "%%", "%0"];
const RAW = ["%00", "%2e%2e", "%2F", "..", ".", "%5C", "%0D%0A", "%3Cscript%3E", "%22%3E%3Cimg", "%E2%80%AE"];
const ROUTES = ["", "nodes", "models", "inferences", "settlements", "slashes", "reorgs", "search", "healthz"];
const EXPORTS = ["nodes.csv", "nodes.ndjson", "models.csv", "inferences.ndjson", "slashes.csv", "x.csv", ""];
const KEYS = [
  "q",
  "first",
  "after",
  "before",
  "sort",
  "order",
  "page",
  "interval",
  "from",
  "to",
  "since",
  "until",
  "asOf",
  "block",
  "node",
  "model",
  "status",
  "mode",
  "columns",
  "provenance",
  "format",
  "limit",
  "_data",
  "index",
];

const hex = fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEFxg"), maxLength: 300 });
const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }).map(pct),
  fc.constantFrom(...INVALID, ...RAW),
  hex.map((h) => `0x${h}`),
  fc.integer({ min: 1, max: 4000 }).map((n) => "a".repeat(n)),
  fc.constantFrom("-1", "0", "1e309", "NaN", "99999999999999999999999", "-0", "0x", "true", "null", "[]"),
);
const segment = fc.oneof(
  text,
  fc.array(fc.oneof(text, fc.constantFrom(...INVALID)), { maxLength: 3 }).map((a) => a.join("")),
);
const path = fc.oneof(
  fc
    .tuple(fc.constantFrom(...ROUTES), fc.array(segment, { maxLength: 3 }))
    .map(([r, rest]) => `/${[r, ...rest].join("/")}`),
  fc
    .tuple(fc.constantFrom(...EXPORTS), fc.option(segment))
    .map(([f, s]) => `/export/${f}${s ? `/${s}` : ""}`),
  fc
    .tuple(fc.constantFrom("nodes", "models", "inferences", "settlements"), segment)
    .map(([r, s]) => `/${r}/${s}.data`),
  fc.array(segment, { minLength: 1, maxLength: 4 }).map((a) => `/${a.join("/")}`),
  fc.constantFrom("/assets/", "/assets/%ED%A0%80", "/favicon.svg/..%2F..%2Fpackage.json", "/__manifest"),
);
const query = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom(...KEYS), text), text), { maxLength: 6 })
  .map((pairs) => (pairs.length === 0 ? "" : `?${pairs.map(([k, v]) => `${k}=${v}`).join("&")}`));
const method = fc.oneof(
  { weight: 8, arbitrary: fc.constant("GET") },
  { weight: 2, arbitrary: fc.constantFrom("HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH") },
);
const hostile = fc.record({
  down: fc.boolean(),
  method,
  path,
  query,
  body: fc.option(fc.string({ maxLength: 200 })),
  host: fc.option(fc.constantFrom("a b", "[", "example.com:99999", "%", "::1", "[::1]:1", "x".repeat(300)), {
    freq: 8,
  }),
});

const LEAKS = [
  /\n\s+at [^\n]*:\d+:\d+/, // a stack frame
  /node_modules/,
  /\b(?:URIError|TypeError|ReferenceError|RangeError|SyntaxError)\b/,
  /postgres(?:ql)?:\/\/|SQLSTATE|relation "|syntax error at or near|\bpg-protocol\b/i, // driver text
];

test(`${RUNS} hostile requests: no 5xx but the API-down 503, no internals, CSP and a request id on each`, async () => {
  let runs = 0;
  let parserAnswers = 0;
  const statuses = new Map<number, number>();
  const started = Date.now();
  await fc.assert(
    fc.asyncProperty(hostile, async (h) => {
      runs++;
      const target = `${h.path}${h.query}`;
      apiDown = h.down;
      const a = await send(
        explorerUrl,
        h.method,
        target,
        h.method === "GET" || h.method === "HEAD" ? undefined : (h.body ?? undefined),
        h.host ?? undefined,
      );
      statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
      const where = `${h.method} ${target.length > 300 ? `${target.slice(0, 300)}… (${target.length} chars)` : target} (API ${h.down ? "down" : "rejecting"}${h.host ? `, Host: ${h.host.slice(0, 20)}` : ""}) → ${a.status}`;
      if (a.status >= 500) {
        expect(h.down && a.status === 503, where).toBe(true);
      }
      if (a.headers["x-request-id"] === undefined) {
        // Node's HTTP parser answers what never reaches the app (a request line over 16 KB: 431), with no body.
        expect([400, 431], where).toContain(a.status);
        expect(a.body, where).toBe("");
        parserAnswers++;
        return;
      }
      expect(String(a.headers["x-request-id"]), where).toMatch(/^[0-9a-f]{12}$/);
      const csp = String(a.headers["content-security-policy"] ?? "");
      expect(csp, where).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
      expect(csp, where).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(a.headers["x-content-type-options"], where).toBe("nosniff");
      for (const leak of [...LEAKS, new RegExp(ROOT.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))]) {
        expect(leak.test(a.body), `${where}: ${leak} in ${a.body.slice(0, 400)}`).toBe(false);
      }
    }),
    { numRuns: RUNS, seed: Number(process.env.HOSTILE_SEED ?? Date.now() % 2 ** 31) },
  );
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `hostile-input: ${runs} requests in ${seconds} s (${parserAnswers} answered by Node's parser); statuses ${[
      ...statuses,
    ]
      .sort()
      .map(([s, n]) => `${s}×${n}`)
      .join(", ")}`,
  );
  expect(runs).toBe(RUNS);
  // No error that needed a stack (a 500) was logged; both explorers still answer.
  expect(logged.filter((l) => / 500: /.test(l))).toEqual([]);
  apiDown = false;
  expect((await send(explorerUrl, "GET", "/healthz")).status).toBe(200);
  expect((await send(explorerUrl, "GET", "/favicon.svg")).status).toBe(200);
  expect((await send(explorerUrl, "GET", "/nodes")).status).toBe(400);
}, 600_000);
