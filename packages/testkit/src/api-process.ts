/**
 * The API as a real process: the built API (`node <flags> api/dist/main.js`, as `npm run api` runs it) with its
 * environment (DATABASE_URL, API_PORT…), as an operator starts it. Waits for its "GraphQL at"
 * line; `stop()` sends SIGTERM (SIGKILL after 10 s).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "./indexer-process.ts";
import { freePort } from "./net.ts";

export interface GqlAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: untyped JSON answers
  body: any;
}

export interface ApiProcess {
  /** http://127.0.0.1:<port>/graphql */
  url: string;
  base: string;
  pid: number | undefined;
  /** The last 20 kB of its output. */
  readonly log: string;
  // biome-ignore lint/suspicious/noExplicitAny: untyped JSON answers
  gql<Data = any>(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<{ status: number; body: { data?: Data; errors?: any[] } }>;
  /** gql that fails on errors and returns data. */
  // biome-ignore lint/suspicious/noExplicitAny: untyped JSON answers
  ok<Data = any>(query: string, variables?: Record<string, unknown>): Promise<Data>;
  stop(): Promise<void>;
}

let built: string[] | undefined;

/**
 * Node's arguments that run the built API as `npm run api` does (api/bundle.mjs --print-node-args), built once per
 * test process (well under a second), so it is never older than the sources a test was started with.
 */
export function builtApiArgs(): string[] {
  built ??= JSON.parse(
    execFileSync(process.execPath, [join(REPO_ROOT, "api/bundle.mjs"), "--print-node-args"], {
      encoding: "utf8",
    }),
  ) as string[];
  return built;
}

export async function startApiProcess(env: Record<string, string>): Promise<ApiProcess> {
  const port = await freePort();
  let output = "";
  const child: ChildProcess = spawn(process.execPath, builtApiArgs(), {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      API_HOST: "127.0.0.1",
      API_PORT: String(port),
      RATE_LIMIT: "0",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let exited: number | null | undefined;
  const exit = new Promise<void>((r) =>
    child.once("exit", (code) => {
      exited = code;
      r();
    }),
  );
  const ready = new Promise<void>((resolve, reject) => {
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
      if (process.env.API_E2E_VERBOSE) process.stderr.write(chunk);
      if (output.includes("api: GraphQL at")) resolve();
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    void exit.then(() => reject(new Error(`the API exited (code ${exited}) before listening:\n${output}`)));
    setTimeout(() => reject(new Error(`the API did not start within 60 s:\n${output}`)), 60_000);
  });
  try {
    await ready;
  } catch (err) {
    child.kill("SIGKILL");
    throw err;
  }
  const url = `http://127.0.0.1:${port}/graphql`;
  const gql: ApiProcess["gql"] = async (query, variables) => {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query, variables }),
    });
    const text = await res.text();
    let body: GqlAnswer["body"];
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`HTTP ${res.status}, not JSON: ${text.slice(0, 500)}`);
    }
    return { status: res.status, body };
  };
  return {
    url,
    base: `http://127.0.0.1:${port}`,
    pid: child.pid,
    get log() {
      return output;
    },
    gql,
    async ok(query, variables) {
      const r = await gql(query, variables);
      if (r.body.errors || r.status !== 200)
        throw new Error(
          `HTTP ${r.status}: ${JSON.stringify(r.body.errors?.map((e: { message: string; extensions?: { code?: string } }) => [e.extensions?.code, e.message]))}\nquery: ${query}\nvariables: ${JSON.stringify(variables)}`,
        );
      return r.body.data;
    },
    async stop() {
      if (exited !== undefined) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exit;
      clearTimeout(timer);
    },
  };
}
