/** Raw HTTP for hostile requests: any method, headers and bytes; never throws for an answer, even a cut one. */
import { request } from "node:http";

export interface RawRequest {
  method?: string;
  /** Path and query, e.g. /graphql?query=… */
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send the body in chunks without a Content-Length. */
  chunked?: boolean;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** Parsed JSON body, or undefined when it is not JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: untyped JSON
  json: any;
  ms: number;
  /** A transport error (connection reset before any answer), if any. */
  error?: string;
}

export function send(base: string, r: RawRequest): Promise<RawResponse> {
  const url = new URL(r.path ?? "/graphql", base);
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (v: RawResponse) => {
      if (!settled) {
        settled = true;
        resolve(v);
      }
    };
    const body =
      r.body === undefined ? undefined : Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body, "utf8");
    const headers: Record<string, string> = { ...r.headers };
    if (body && !r.chunked) headers["content-length"] = String(body.length);
    const req = request(url, { method: r.method ?? "POST", headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", () => {});
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        done({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text,
          json,
          ms: performance.now() - started,
        });
      });
    });
    req.setTimeout(30_000, () => req.destroy(new Error("timeout after 30 s")));
    req.on("error", (err) => {
      done({
        status: 0,
        headers: {},
        text: "",
        json: undefined,
        ms: performance.now() - started,
        error: err.message,
      });
    });
    if (body && r.chunked) {
      for (let i = 0; i < body.length; i += 16_384) req.write(body.subarray(i, i + 16_384));
      req.end();
    } else req.end(body);
  });
}
