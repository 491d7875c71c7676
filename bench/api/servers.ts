import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { builtApiArgs } from "@attestation-explorer/testkit/api-process";

// The two servers under test, each in its own process (so its memory is its own): the API (`api/dist/main.js`,
// built from api/src and run as `npm run api` does) and Subsquid's OpenReader (`squid-graphql-server` over the
// root schema.graphql, as a squid's `sqd serve` runs it), both reading the seeded database.

const ROOT = resolve(import.meta.dirname, "../..");

export interface ServerProcess {
  name: string;
  url: string;
  pid: number;
  /** Current resident set (VmRSS) and its peak so far (VmHWM), bytes. */
  memory(): { rss: number; hwm: number };
  /** CPU time the process has used so far (user + system), seconds. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

function memoryOf(pid: number): { rss: number; hwm: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

/** utime + stime of /proc/<pid>/stat (fields 14 and 15, in clock ticks: 100 per second on Linux). */
function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which is in parentheses and may hold spaces: state is field 3.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

async function waitUntilAnswers(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited (${child.exitCode}) before answering:\n${output()}`);
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: "{ __typename }" }),
      });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`did not answer on ${url} within 60 s:\n${output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function start(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  url: string,
): Promise<ServerProcess> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-4000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitUntilAnswers(url, child, () => out);
  } catch (err) {
    await stop();
    throw new Error(`${name} ${(err as Error).message}`);
  }
  const pid = child.pid as number;
  return { name, url, pid, memory: () => memoryOf(pid), cpuSeconds: () => cpuSecondsOf(pid), stop };
}

/** The API (built, as `npm run api` runs it) with rate limiting off, connected as the read-only role. */
export function startApi(databaseUrl: string, port: number): Promise<ServerProcess> {
  return start(
    "API",
    builtApiArgs(),
    {
      ...process.env,
      DATABASE_URL: databaseUrl,
      API_HOST: "127.0.0.1",
      API_PORT: String(port),
      RATE_LIMIT: "0",
      NODE_ENV: "production",
    },
    `http://127.0.0.1:${port}/graphql`,
  );
}

/** OpenReader on the indexer's schema.graphql (the squid's entities), connected as the read-only role. */
export function startOpenReader(databaseUrl: string, port: number): Promise<ServerProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, DB_URL: databaseUrl, GQL_PORT: String(port) };
  for (const name of ["DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASS"]) delete env[name];
  return start(
    "OpenReader",
    ["node_modules/@subsquid/graphql-server/bin/run.js"],
    env,
    `http://127.0.0.1:${port}/graphql`,
  );
}
