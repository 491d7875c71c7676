/**
 * web/server.mjs on its own (the built app, web/build; no API): body limits that answer, the app's error page
 * with a request id for a malformed URI, the rate limit and the X-Forwarded-For rule, HSTS only behind a trusted
 * proxy that says https, the CSP's nonce fresh per response and on every script.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { rawPost } from "@attestation-explorer/testkit/http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

const WEB = fileURLToPath(new URL("..", import.meta.url));
const servers: Server[] = [];
const logged: string[] = [];
// biome-ignore lint/suspicious/noExplicitAny: server.mjs is JavaScript
let server: any;
// biome-ignore lint/suspicious/noExplicitAny: the Remix server build
let build: any;

async function explorer(vars: Record<string, string> = {}): Promise<string> {
  const app = server.createExplorer({
    build,
    env: server.parseEnv({ API_URL: process.env.API_URL, ...vars }),
    mode: "production",
    log: (line: string) => logged.push(line),
  });
  const s = createServer(app);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  const buildFile = `${WEB}build/server/index.js`;
  if (!existsSync(buildFile)) throw new Error(`${buildFile} is missing: run \`npm run build -w web\` first`);
  // No API: a port nothing listens on (pages answer 503; /healthz does not ask the API).
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
  process.env.API_URL = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/graphql`;
  await new Promise((r) => closed.close(r));
  server = await import(new URL("../server.mjs", import.meta.url).href);
  build = await import(buildFile);
});

afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

function get(
  base: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        body += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("web/server.mjs", () => {
  test("2–6 MB bodies get a one-line JSON 413 every time, never a reset", async () => {
    const base = await explorer();
    const sizes = [2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6].map((mb) => Math.round(mb * 1024 * 1024));
    for (const [i, size] of sizes.entries()) {
      const r = await rawPost(`${base}/search`, size, {
        chunked: i % 2 === 1,
        contentType: "text/plain",
        fill: "a",
      });
      const what = `${size} bytes${i % 2 ? ", chunked" : ""}`;
      expect(r.error, what).toBeUndefined();
      expect(r.status, what).toBe(413);
      const lines = r.body.replace(/\r\n/g, "\n").trim().split("\n");
      const json = JSON.parse(lines[lines.length - 1]);
      expect(json.error.code, what).toBe("PAYLOAD_TOO_LARGE");
      expect(json.error.requestId, what).toMatch(/^[0-9a-f]{12}$/);
    }
  });

  test("a malformed URI is the app's 400 page with the request id, logged once on one line, no stack", async () => {
    const base = await explorer();
    logged.length = 0;
    const r = await get(base, "/models/%ED%A0%80");
    expect(r.status).toBe(400);
    const id = String(r.headers["x-request-id"]);
    expect(r.body).toContain('<h1 id="error-title">Bad request</h1>');
    expect(r.body).toContain(`Request id: <code>${id}</code>`);
    expect(r.body).not.toMatch(/URIError|node_modules|at .*:\d+:\d+/);
    expect(logged).toEqual([
      `web: ${id} GET "/models/%ED%A0%80" 400: malformed percent-encoding in the path`,
    ]);
  });

  test("a backslash in the path (/%5C, which URL parsers read as /) is the app's 400 page, not a 500", async () => {
    const base = await explorer();
    logged.length = 0;
    const r = await get(base, "/%5C");
    expect(r.status).toBe(400);
    expect(r.body).toContain('<h1 id="error-title">Bad request</h1>');
    expect(logged).toEqual([`web: ${r.headers["x-request-id"]} GET "/%5C" 400: a backslash in the path`]);
  });

  test("every script carries this response's nonce; a new nonce per response; the headers", async () => {
    const base = await explorer();
    const [a, b] = [await get(base, "/"), await get(base, "/")];
    const nonce = (h: typeof a) => /'nonce-([^']+)'/.exec(String(h.headers["content-security-policy"]))?.[1];
    expect(nonce(a)).toBeTruthy();
    expect(nonce(a)).not.toBe(nonce(b));
    const scripts = a.body.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(1);
    for (const s of scripts) expect(s).toContain(`nonce="${nonce(a)}"`);
    const csp = String(a.headers["content-security-policy"]);
    for (const d of [
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
      "img-src 'self' data:",
      `connect-src 'self' ${new URL(String(process.env.API_URL)).origin}`,
    ])
      expect(csp).toContain(d);
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(a.headers["x-content-type-options"]).toBe("nosniff");
    expect(a.headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
    expect(a.headers["strict-transport-security"]).toBeUndefined();
  });

  test("the rate limit: 429 with Retry-After past it; X-Forwarded-For only with TRUST_PROXY, its last hop", async () => {
    const direct = await explorer({ WEB_RATE_LIMIT: "3" });
    const statuses = [];
    // A client cannot dodge the limit by sending X-Forwarded-For when the proxy is not trusted.
    for (let i = 0; i < 5; i++)
      statuses.push((await get(direct, "/healthz", { "x-forwarded-for": `10.0.0.${i}` })).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const limited = await get(direct, "/healthz");
    expect(JSON.parse(limited.body).error.code).toBe("RATE_LIMITED");
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);

    const proxied = await explorer({ WEB_RATE_LIMIT: "2", TRUST_PROXY: "true" });
    const via = (client: string, spoofed = "1.2.3.4") =>
      get(proxied, "/healthz", { "x-forwarded-for": `${spoofed}, ${client}` }).then((r) => r.status);
    // The proxy appends the address it saw: that one counts, whatever the client put before it.
    expect([await via("10.1.1.1", "a"), await via("10.1.1.1", "b"), await via("10.1.1.1", "c")]).toEqual([
      200, 200, 429,
    ]);
    expect(await via("10.2.2.2")).toBe(200);
  });

  test("HSTS only when a trusted proxy says https", async () => {
    const trusted = await explorer({ TRUST_PROXY: "true" });
    const untrusted = await explorer();
    const https = { "x-forwarded-proto": "https" };
    expect((await get(trusted, "/healthz", https)).headers["strict-transport-security"]).toMatch(
      /max-age=\d+/,
    );
    expect((await get(trusted, "/healthz")).headers["strict-transport-security"]).toBeUndefined();
    expect((await get(untrusted, "/healthz", https)).headers["strict-transport-security"]).toBeUndefined();
  });

  test("a port already taken: one line naming it and exit code 1, not Node's unhandled-error trace", async () => {
    const taken = await explorer();
    const port = new URL(taken).port;
    // spawnSync would block the event loop that serves `taken`; the port only needs to stay bound, which it does.
    const run = spawnSync(process.execPath, [`${WEB}server.mjs`], {
      env: { ...process.env, WEB_PORT: port, WEB_HOST: "127.0.0.1" },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe(
      `web: cannot listen on 127.0.0.1:${port}: listen EADDRINUSE: address already in use 127.0.0.1:${port}`,
    );
    expect(run.stderr).not.toContain("node:events");
  });
});
