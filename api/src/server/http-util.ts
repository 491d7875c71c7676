import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApiConfig } from "../config.ts";

/** The client's address: the socket's, or the first X-Forwarded-For hop behind a trusted proxy. */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers["x-forwarded-for"];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? "unknown";
}

/** CORS headers for a request's Origin; returns false when an origin is given and not allowed. */
export function applyCors(
  req: IncomingMessage,
  res: ServerResponse,
  origins: ApiConfig["corsOrigins"],
): boolean {
  const origin = req.headers.origin;
  if (origins === "*") {
    res.setHeader("Access-Control-Allow-Origin", "*");
    return true;
  }
  res.setHeader("Vary", "Origin");
  if (!origin) return true;
  if (!origins.includes(origin)) return false;
  res.setHeader("Access-Control-Allow-Origin", origin);
  return true;
}

export function preflight(res: ServerResponse): void {
  res.writeHead(204, {
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers":
      "content-type, apollo-require-preflight, x-apollo-operation-name, graphql-client-name",
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
