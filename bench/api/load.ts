import { Agent, request } from "node:http";
import { cpuSecondsSince } from "../../indexer/src/progress.ts";

// A closed-loop HTTP load generator: `concurrency` loops each keep one request in flight over keep-alive
// connections, for a fixed time after a warm-up. Latency is measured per request, from sending to the last byte.

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  requestsPerSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** The first error seen, for the report. */
  firstError?: string;
  /** The server's CPU time per measured request, ms (when `cpuSeconds` is given): robust to a loaded machine. */
  cpuMsPerRequest?: number;
  /** Postgres's CPU time per measured request, ms (when `postgresCpuSeconds` is given). */
  postgresCpuMsPerRequest?: number;
  /** This process's CPU time (the load generator's) per measured request, ms. */
  clientCpuMsPerRequest: number;
}

export interface LoadOptions {
  /** http://host:port/path */
  url: string;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** The POST body of request number i. */
  body: (i: number) => string;
  /** Throws when an answer is wrong (e.g. carries GraphQL errors); called on a sample of the answers. */
  check: (text: string) => void;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** The server process's CPU time so far (seconds), read when the measured period starts and ends. */
  cpuSeconds?: () => number;
  /** The database server's CPU time so far (seconds), read likewise. */
  postgresCpuSeconds?: () => number;
}

function post(
  agent: Agent,
  url: URL,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        headers: {
          ...headers,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const url = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let i = 0;
  let measuring = false;
  let stop = false;
  const loop = async () => {
    while (!stop) {
      const n = i++;
      const started = performance.now();
      try {
        const { status, text } = await post(agent, url, options.body(n), options.headers ?? {});
        const ms = performance.now() - started;
        if (status !== 200) throw new Error(`HTTP ${status}: ${text.slice(0, 300)}`);
        // Checking costs the client a JSON parse: every answer in the warm-up, then every 20th.
        if (!measuring || n % 20 === 0) options.check(text);
        if (measuring) latencies.push(ms);
      } catch (err) {
        if (measuring) errors++;
        firstError ??= (err as Error).message;
      }
    }
  };
  const loops = Array.from({ length: options.concurrency }, loop);
  await new Promise((r) => setTimeout(r, options.warmupMs));
  if (firstError) {
    stop = true;
    await Promise.all(loops);
    agent.destroy();
    throw new Error(`the warm-up failed: ${firstError}`);
  }
  measuring = true;
  const t0 = performance.now();
  const cpu0 = options.cpuSeconds?.();
  const pg0 = options.postgresCpuSeconds?.();
  const client0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, options.durationMs));
  measuring = false;
  const cpu1 = options.cpuSeconds?.();
  const pg1 = options.postgresCpuSeconds?.();
  const clientSeconds = cpuSecondsSince(client0);
  const seconds = (performance.now() - t0) / 1000;
  stop = true;
  await Promise.all(loops);
  agent.destroy();
  const sorted = latencies.sort((a, b) => a - b);
  const perRequest = (cpuSeconds: number) => (cpuSeconds * 1000) / Math.max(sorted.length, 1);
  return {
    requests: sorted.length,
    errors,
    seconds,
    requestsPerSecond: sorted.length / seconds,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    firstError,
    ...(cpu0 !== undefined && cpu1 !== undefined ? { cpuMsPerRequest: perRequest(cpu1 - cpu0) } : {}),
    ...(pg0 !== undefined && pg1 !== undefined ? { postgresCpuMsPerRequest: perRequest(pg1 - pg0) } : {}),
    clientCpuMsPerRequest: perRequest(clientSeconds),
  };
}

/** A check for GraphQL answers: HTTP 200 is not enough, the body must have data and no errors. */
export function graphqlCheck(text: string): void {
  const body = JSON.parse(text) as { data?: unknown; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(`GraphQL errors: ${body.errors.map((e) => e.message).join("; ")}`);
  if (!body.data) throw new Error(`no data in ${text.slice(0, 200)}`);
}
