import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApiConfig } from "../config.ts";

/**
 * The client's address: the socket's, or behind a trusted proxy (TRUST_PROXY=true) the last X-Forwarded-For hop,
 * the address the proxy itself saw (a proxy appends its peer; hops before it are whatever the client sent). The
 * explorer's server (web/server.mjs) applies the same rule.
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers["x-forwarded-for"];
    const hops = (Array.isArray(forwarded) ? forwarded.join(",") : (forwarded ?? "")).split(",");
    const last = hops[hops.length - 1]?.trim();
    if (last) return last;
  }
  return req.socket.remoteAddress ?? "unknown";
}

/** Bytes of an oversize body read and discarded before its 413, so the client gets the answer, not a reset. */
export const DRAIN_BYTES = 8 * 1024 * 1024;

/**
 * Reads and discards the rest of a request body, up to `maxBytes` or `maxMs`; resolves true when the body ended
 * (the connection can carry the answer), false when the bound was hit (answer, then the connection closes).
 */
export function drainBody(req: IncomingMessage, maxBytes = DRAIN_BYTES, maxMs = 10_000): Promise<boolean> {
  if (req.readableEnded || req.complete) return Promise.resolve(true);
  return new Promise((resolve) => {
    let seen = 0;
    const done = (ended: boolean) => {
      clearTimeout(timer);
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      if (!ended) req.pause();
      resolve(ended);
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > maxBytes) done(false);
    };
    const onEnd = () => done(true);
    const onError = () => done(false);
    const timer = setTimeout(() => done(false), maxMs);
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.resume();
  });
}

const EXPOSED_HEADERS =
  "X-Indexed-Height, X-As-Of-Block, X-As-Of, X-Finalized-Block, X-Formula-Version, Retry-After, RateLimit-Limit, RateLimit-Remaining";

/** CORS headers for a request's Origin; returns false when an origin is given and not allowed. */
export function applyCors(
  req: IncomingMessage,
  res: ServerResponse,
  origins: ApiConfig["corsOrigins"],
): boolean {
  const origin = req.headers.origin;
  // Browsers let scripts of another origin read only the headers listed here (min-height.ts, exports' provenance).
  const expose = () => res.setHeader("Access-Control-Expose-Headers", EXPOSED_HEADERS);
  if (origins === "*") {
    res.setHeader("Access-Control-Allow-Origin", "*");
    expose();
    return true;
  }
  res.setHeader("Vary", "Origin");
  if (!origin) return true;
  if (!origins.includes(origin)) return false;
  res.setHeader("Access-Control-Allow-Origin", origin);
  expose();
  return true;
}

export function preflight(res: ServerResponse): void {
  res.writeHead(204, {
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers":
      "content-type, apollo-require-preflight, x-apollo-operation-name, graphql-client-name, x-min-height",
    "Access-Control-Max-Age": "600",
  });
  res.end();
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** A GraphQL-shaped error body, for errors found before GraphQL runs (body, rate limit, routing). */
export function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers?: Record<string, string>,
) {
  sendJson(res, status, { errors: [{ message, extensions: { code } }] }, headers);
}

export class BodyTooLarge extends Error {}

/** Reads a request body of at most `limit` bytes (rejects with BodyTooLarge past it). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on("error", (err) => {
      if (!failed) {
        failed = true;
        reject(err);
      }
    });
  });
}
