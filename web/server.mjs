// `npm run web` (production): serves the built explorer (web/build) with Express. Configuration is validated once
// here (app/lib/config.server.ts holds the same rules for the app's own reads); a bad value stops the server with
// a message naming it.
//
// Public-internet hardening (README "Security"): every response carries helmet's headers with a per-request CSP
// nonce (handed to Remix through the load context, app/entry.server.tsx); a request id (X-Request-Id) names each
// answer; malformed URIs, oversize bodies and thrown errors answer with the app's own error page or a one-line
// JSON error, never a stack; the stack goes to the log once, on one entry with the request id. Requests per client
// address are limited as on the API, with the same rule for X-Forwarded-For (TRUST_PROXY).

import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import compression from "compression";
import express from "express";
import helmet from "helmet";
import { z } from "zod";

const here = fileURLToPath(new URL(".", import.meta.url));

const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
export const Env = z.object({
  WEB_PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  WEB_HOST: z.string().min(1).default("127.0.0.1"),
  API_URL: z.string().url().default("http://127.0.0.1:4000/graphql"),
  /** Requests per client address per minute (pages, data and exports; static assets are free); 0: no limit. */
  WEB_RATE_LIMIT: z.coerce.number().int().min(0).default(600),
  /** Client addresses without a limit, comma-separated. */
  WEB_RATE_LIMIT_EXEMPT: z.string().default(""),
  /** Request body limit in bytes (413 above; the explorer's pages take no bodies). */
  WEB_MAX_BODY_BYTES: z.coerce.number().int().min(0).default(16_384),
  /** Take the client address (and https) from X-Forwarded-For/-Proto: only from the peer, a trusted proxy. */
  TRUST_PROXY: bool.default("false"),
});

/** Bodies past the limit are still read and discarded up to this many bytes, so the client gets the 413. */
const DRAIN_BYTES = 8 * 1024 * 1024;
const DRAIN_MS = 10_000;

/** Per-client-address request limit over fixed one-minute windows (the API's RateLimiter, same rule). */
class RateLimiter {
  windows = new Map();
  constructor(perMinute, exempt) {
    this.perMinute = perMinute;
    this.exempt = exempt;
  }
  take(address) {
    const limit = this.perMinute;
    if (limit <= 0 || this.exempt.has(address))
      return { allowed: true, limit, remaining: limit, resetSeconds: 0 };
    const now = Date.now();
    const start = now - (now % 60_000);
    let w = this.windows.get(address);
    if (!w || w.start !== start) {
      if (this.windows.size >= 100_000) {
        for (const [a, old] of this.windows) if (old.start !== start) this.windows.delete(a);
      }
      w = { start, count: 0 };
      this.windows.set(address, w);
    }
    w.count++;
    const resetSeconds = Math.ceil((start + 60_000 - now) / 1000);
    return { allowed: w.count <= limit, limit, remaining: Math.max(0, limit - w.count), resetSeconds };
  }
}

/**
 * The client's address. Behind a trusted proxy (TRUST_PROXY=true): the address the proxy saw, i.e. the last
 * X-Forwarded-For hop (a proxy appends its peer; anything before it is what the client sent and proves nothing).
 */
export function clientAddress(req, trustProxy) {
  if (trustProxy) {
    const forwarded = req.headers["x-forwarded-for"];
    const hops = (Array.isArray(forwarded) ? forwarded.join(",") : (forwarded ?? "")).split(",");
    const last = hops[hops.length - 1]?.trim();
    if (last) return last;
  }
  return req.socket.remoteAddress ?? "unknown";
}

function sendJson(res, status, code, message, headers = {}) {
  const text = `${JSON.stringify({ error: { code, message, requestId: res.locals.requestId } })}\n`;
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Answers 413 once the body has been read and discarded (up to DRAIN_BYTES), then closes the connection. */
function rejectBody(req, res, limit) {
  let seen = 0;
  let answered = false;
  const answer = () => {
    if (answered) return;
    answered = true;
    clearTimeout(timer);
    res.on("finish", () => req.socket.destroySoon?.());
    sendJson(
      res,
      413,
      "PAYLOAD_TOO_LARGE",
      `Got a request body over ${limit} bytes, expected at most ${limit}`,
      {
        Connection: "close",
      },
    );
  };
  const timer = setTimeout(answer, DRAIN_MS);
  req.on("data", (chunk) => {
    seen += chunk.length;
    if (seen > DRAIN_BYTES) {
      req.pause();
      answer();
    }
  });
  req.on("end", answer);
  req.on("error", () => {
    clearTimeout(timer);
    req.socket.destroy();
  });
}

function bodyLimit(limit) {
  return (req, res, next) => {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limit) return rejectBody(req, res, limit);
    if (req.headers["transfer-encoding"] === undefined) return next();
    // A chunked body: count it as it arrives; at the limit, stop forwarding and answer 413.
    let seen = 0;
    const chunks = [];
    const onData = (chunk) => {
      seen += chunk.length;
      if (seen > limit) {
        req.off("data", onData);
        req.off("end", onEnd);
        rejectBody(req, res, limit);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      // Remix reads the body by piping the request: hand it the bytes already read.
      const body = Buffer.concat(chunks);
      req.pipe = (dest) => {
        dest.end(body);
        return dest;
      };
      next();
    };
    req.on("data", onData);
    req.on("end", onEnd);
  };
}

/** A bare error page for when the app itself cannot render one (no stack, no internals). */
function fallbackPage(status, requestId) {
  const title = status === 400 ? "Bad request" : status === 404 ? "Not found" : "Something went wrong";
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${title} · Attestation Explorer</title></head><body><main><h1>${title}</h1><p>Request id: <code>${requestId}</code></p><p><a href="/">Go to the dashboard</a></p></main></body></html>\n`;
}

/**
 * The explorer's Express app for a Remix server build. `log` receives one string per error (request id first).
 */
export function createExplorer({
  build,
  env,
  mode = process.env.NODE_ENV,
  log = (line) => console.error(line),
}) {
  const apiOrigin = new URL(env.API_URL).origin;
  const exempt = new Set(
    env.WEB_RATE_LIMIT_EXEMPT.split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );
  const limiter = new RateLimiter(env.WEB_RATE_LIMIT, exempt);
  const remix = createRequestHandler({
    build,
    mode,
    getLoadContext: (_req, res) => ({ cspNonce: res.locals.cspNonce, requestId: res.locals.requestId }),
  });
  const errorRemix = createRequestHandler({
    build,
    mode,
    getLoadContext: (_req, res) => ({
      cspNonce: res.locals.cspNonce,
      requestId: res.locals.requestId,
      errorStatus: res.locals.errorStatus,
    }),
  });

  const app = express();
  app.disable("x-powered-by");
  // HSTS and req.secure follow X-Forwarded-Proto only from a trusted proxy (the same rule as the client address).
  app.set("trust proxy", env.TRUST_PROXY ? 1 : false);
  app.use((_req, res, next) => {
    res.locals.requestId = randomBytes(6).toString("hex");
    res.locals.cspNonce = randomBytes(16).toString("base64");
    res.setHeader("X-Request-Id", res.locals.requestId);
    next();
  });
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          "default-src": ["'self'"],
          "script-src": ["'self'", (_req, res) => `'nonce-${res.locals.cspNonce}'`],
          // recharts and React's style props set inline styles; scripts never run inline without the nonce.
          "style-src": ["'self'", "'unsafe-inline'"],
          "img-src": ["'self'", "data:"],
          "font-src": ["'self'"],
          "connect-src": ["'self'", apiOrigin],
          "object-src": ["'none'"],
          "base-uri": ["'none'"],
          "frame-ancestors": ["'none'"],
          "form-action": ["'self'"],
        },
      },
      referrerPolicy: { policy: "strict-origin-when-cross-origin" },
      strictTransportSecurity: false,
      xFrameOptions: { action: "deny" },
    }),
  );
  app.use((req, res, next) => {
    if (req.secure) res.setHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    next();
  });
  app.use(compression());
  // A path that is not valid percent-encoded UTF-8 (e.g. /models/%ED%A0%80, a lone surrogate), or a Host header
  // that makes no URL (e.g. `Host: a b`; Remix builds the request's URL from it): 400, the app's page.
  app.use((req, _res, next) => {
    let decoded;
    try {
      decoded = decodeURIComponent(req.path);
    } catch {
      return next(Object.assign(new URIError("malformed percent-encoding in the path"), { status: 400 }));
    }
    // A backslash (/%5C): URL parsers read it as "/", so Remix would build another URL than the request's (a 500).
    // No page of this site has one.
    if (decoded.includes("\\")) {
      return next(Object.assign(new URIError("a backslash in the path"), { status: 400 }));
    }
    if (!URL.canParse(`${req.protocol}://${req.get("X-Forwarded-Host") ?? req.get("host")}/`)) {
      return next(Object.assign(new Error("a Host header that is not a host"), { status: 400 }));
    }
    next();
  });
  // Fingerprinted assets: cache for a year; everything else in build/client briefly. No directory redirects
  // (a path such as /%2F would redirect to //): what is not a file goes to the app, which answers 404.
  app.use(
    "/assets",
    express.static(`${here}build/client/assets`, { immutable: true, maxAge: "1y", redirect: false }),
  );
  app.use(express.static(`${here}build/client`, { maxAge: "1h", redirect: false }));
  app.use((req, res, next) => {
    const rate = limiter.take(clientAddress(req, env.TRUST_PROXY));
    if (env.WEB_RATE_LIMIT > 0) {
      res.setHeader("RateLimit-Limit", String(rate.limit));
      res.setHeader("RateLimit-Remaining", String(rate.remaining));
    }
    if (rate.allowed) return next();
    sendJson(
      res,
      429,
      "RATE_LIMITED",
      `Got more than ${rate.limit} requests in a minute from this address, expected at most ${rate.limit}; retry in ${rate.resetSeconds} s`,
      { "Retry-After": String(rate.resetSeconds) },
    );
  });
  app.use(bodyLimit(env.WEB_MAX_BODY_BYTES));
  // `app.use`, not `app.all("*")`: Express would decode the path for the `*` parameter (malformed percent-encodings
  // are answered above anyway).
  app.use((req, res, next) => remix(req, res, next));

  // Errors: the app's own error page (rendered by Remix as a 400/404/500 for "/"), a bare page if that fails too.
  app.use(async (err, req, res, _next) => {
    const requestId = res.locals.requestId ?? randomBytes(6).toString("hex");
    const raw = Number(err?.status ?? err?.statusCode);
    const status = raw >= 400 && raw < 500 ? (raw === 404 ? 404 : 400) : 500;
    if (status === 500) {
      log(
        `web: ${requestId} ${req.method} ${JSON.stringify(req.originalUrl.slice(0, 300))} 500: ${err?.stack ?? err}`,
      );
    } else {
      log(
        `web: ${requestId} ${req.method} ${JSON.stringify(req.originalUrl.slice(0, 300))} ${status}: ${err?.message ?? err}`,
      );
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    try {
      if (await renderErrorPage(req, res, status)) return;
    } catch (renderErr) {
      log(`web: ${requestId} error page failed: ${renderErr?.stack ?? renderErr}`);
    }
    if (res.headersSent) return;
    res.status(status).type("html").send(fallbackPage(status, requestId));
  });
  return app;

  /**
   * Renders the app's error page for `status` by running Remix (GET, the status in the load context) at the same
   * address, so the browser hydrates what the server rendered. A malformed path goes in with its `%` escaped: the
   * server's route params then equal the browser's, which keeps the undecodable path as it is.
   */
  function renderErrorPage(req, res, status) {
    return new Promise((resolve, reject) => {
      const q = req.originalUrl.indexOf("?");
      const path = q < 0 ? req.originalUrl : req.originalUrl.slice(0, q);
      let target = req.originalUrl;
      let readable;
      try {
        readable = !decodeURIComponent(path).includes("\\");
      } catch {
        readable = false;
      }
      // Undecodable, or a backslash that URL parsers would read as "/": Remix renders it with its % escaped.
      if (!readable) target = path.replace(/%/g, "%25") + (q < 0 ? "" : req.originalUrl.slice(q));
      req.url = target;
      req.originalUrl = target;
      req.method = "GET";
      // The error may be the host itself: the page's links are relative, any valid host renders it.
      if (!URL.canParse(`${req.protocol}://${req.get("X-Forwarded-Host") ?? req.get("host")}/`)) {
        req.headers.host = "localhost";
        delete req.headers["x-forwarded-host"];
      }
      res.locals.errorStatus = status;
      res.once("finish", () => resolve(true));
      Promise.resolve(errorRemix(req, res, (e) => (e ? reject(e) : resolve(false)))).catch(reject);
    });
  }
}

export function parseEnv(source = process.env) {
  const parsed = Env.safeParse(source);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      console.error(
        `web: ${issue.path.join(".")}: ${issue.message} (got ${JSON.stringify(source[issue.path[0]])})`,
      );
    }
    return undefined;
  }
  return parsed.data;
}

async function main() {
  const env = parseEnv();
  if (!env) process.exit(2);
  const serverBuild = `${here}build/server/index.js`;
  if (!existsSync(serverBuild)) {
    console.error(`web: ${serverBuild} is missing: run \`npm run build -w web\` first`);
    process.exit(2);
  }
  const app = createExplorer({ build: await import(serverBuild), env });
  const server = app.listen(env.WEB_PORT, env.WEB_HOST, () => {
    console.log(`web: explorer on http://${env.WEB_HOST}:${env.WEB_PORT} reading ${env.API_URL}`);
  });
  // A port already taken (or not ours to take): one line that says which, not Node's unhandled-error trace.
  server.once("error", (err) => {
    console.error(`web: cannot listen on ${env.WEB_HOST}:${env.WEB_PORT}: ${err.message}`);
    process.exit(1);
  });
  // Malformed requests the HTTP parser rejects: a plain 400, no detail.
  server.on("clientError", (_err, socket) => {
    if (socket.writable)
      socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    else socket.destroy();
  });
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, () => {
      server.close(() => process.exit(0));
      server.closeAllConnections?.();
      setTimeout(() => process.exit(0), 3000).unref();
    });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
