// `npm start`: the whole system on one machine, each part started in order and health-checked, with one line per
// part and its URL. On the devnet (no TEE_REGISTRY_ADDRESS in the environment): anvil + contracts + live
// simulator, then the indexer (embedded Postgres unless DATABASE_URL), then the API. With the contract addresses
// in the environment (another chain, RPC_URL), no devnet or simulator. Ctrl-C stops every part, last started first.
//
// Each part runs in its own process group, so a Ctrl-C in the terminal (SIGINT to the foreground group: npm and this
// script) reaches the parts only through stop(), one at a time: the explorer and the API before the indexer, the
// indexer (and the embedded Postgres it started) before the chain it reads, anvil after the simulator's last block.
// `npm start` execs this script (package.json), so a SIGINT or SIGTERM sent to npm alone is passed on to it too.
//
// A part that exits on its own (the indexer giving up after MAX_OUTAGE_SECONDS, a crash) is started again after a
// backoff, with one line saying so, while the others keep running; only a part that keeps exiting right after
// its start (a configuration error) stops everything.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { indexerNodeArgs } from "./indexer-args.ts";
import { listening, type PortClaim, portsInUse, portsInUseMessage } from "./ports.ts";

const ROOT = resolve(import.meta.dirname, "..");
const DEVNET_FILE = resolve(ROOT, ".data/devnet.json");
const apiPort = Number(process.env.API_PORT ?? 4000);
const webPort = Number(process.env.WEB_PORT ?? 3000);
// An empty variable counts as unset, as in the parts' own configuration.
const rpcUrl = process.env.RPC_URL?.trim() || "http://127.0.0.1:8545";
const onDevnet = !process.env.TEE_REGISTRY_ADDRESS;
const pgPort = process.env.EMBEDDED_PG_PORT?.trim() || "54329";

interface Part {
  name: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  child: ChildProcess;
  exited: Promise<number | null>;
  startedAt: number;
  /** Consecutive exits soon after a start (reset once a run lasts RESTART_RESET_MS). */
  quickExits: number;
  /** Set while it waits to be started again. */
  restartTimer?: NodeJS.Timeout;
}
const parts: Part[] = [];
let stopping = false;
let stoppingSince = 0;
let stopped: Promise<never> | undefined;

/** A part that exits on its own is started again after a pause growing 1 s, 2 s, 4 s… up to 30 s, with jitter. */
const RESTART_BASE_MS = 1_000;
const RESTART_CAP_MS = 30_000;
/** A run at least this long was healthy: the next exit starts the backoff over. */
const RESTART_RESET_MS = 60_000;
/** This many exits in a row, each within RESTART_RESET_MS of its start: the part cannot run; stop everything. */
const MAX_QUICK_EXITS = 6;

function spawnPart(part: Omit<Part, "child" | "exited" | "startedAt"> & Partial<Part>): Part {
  const child = spawn(process.execPath, part.args, {
    cwd: ROOT,
    env: { ...process.env, ...part.env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group (see the top of this file)
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (stream)
      createInterface({ input: stream }).on("line", (line) => console.log(`[${part.name}] ${line}`));
  }
  const p = part as Part;
  p.child = child;
  p.startedAt = Date.now();
  p.exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  void p.exited.then((code) => {
    if (!stopping && p.child === child) restartLater(p, code);
  });
  return p;
}

function run(name: string, args: string[], env: NodeJS.ProcessEnv = {}): Part {
  const part = spawnPart({ name, args, env, quickExits: 0 });
  parts.push(part);
  return part;
}

/** A part exited on its own: start it again after a backoff, unless it cannot even stay up. */
function restartLater(part: Part, code: number | null): void {
  // Whatever it left in its process group (the devnet's anvil) would hold its ports.
  signalGroup(part, "SIGKILL");
  part.quickExits = Date.now() - part.startedAt < RESTART_RESET_MS ? part.quickExits + 1 : 1;
  if (part.quickExits >= MAX_QUICK_EXITS) {
    console.error(
      `start: ${part.name} exited (code ${code}) ${part.quickExits} times in a row soon after starting; stopping the rest`,
    );
    void stop(1);
    return;
  }
  const ceiling = Math.min(RESTART_CAP_MS, RESTART_BASE_MS * 2 ** (part.quickExits - 1));
  const pause = Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
  console.error(
    `start: ${part.name} exited unexpectedly (code ${code}); restarting it in ${(pause / 1000).toFixed(1)} s, the other parts keep running`,
  );
  part.restartTimer = setTimeout(() => {
    part.restartTimer = undefined;
    if (!stopping) spawnPart(part);
  }, pause);
}

async function waitFor(what: string, seconds: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!(await check().catch(() => false))) {
    if (stopping) throw new Error("stopping");
    if (Date.now() > deadline) throw new Error(`${what} not ready within ${seconds} s`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function rpcCall(method: string, params: unknown[]): Promise<unknown> {
  const res = await fetch(rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  return ((await res.json()) as { result?: unknown }).result;
}

async function rpcAnswers(): Promise<boolean> {
  return (await rpcCall("eth_blockNumber", [])) !== undefined;
}

const running = (part: Part) => part.child.exitCode === null && part.child.signalCode === null;

/** Signals a part's whole process group (the devnet's anvil with it); a group already gone is fine. */
function signalGroup(part: Part, signal: NodeJS.Signals): void {
  try {
    if (part.child.pid !== undefined) process.kill(-part.child.pid, signal);
  } catch {}
}

/** Stops every part, last started first, then exits; called once however many signals arrive. */
function stop(code: number): Promise<never> {
  stopping = true;
  stoppingSince ||= Date.now();
  for (const part of parts) clearTimeout(part.restartTimer);
  stopped ??= (async () => {
    for (const part of [...parts].reverse()) {
      if (!running(part)) continue;
      part.child.kill("SIGINT");
      const timer = setTimeout(() => signalGroup(part, "SIGKILL"), 30_000);
      await part.exited;
      clearTimeout(timer);
    }
    console.log("start: every part stopped");
    process.exit(code);
  })();
  return stopped;
}

function onSignal(signal: NodeJS.Signals): void {
  if (!stopping) {
    void stop(0);
    return;
  }
  // npm passes a terminal's Ctrl-C on to this script, which got it already: only a later one means "hurry up".
  if (Date.now() - stoppingSince < 1000) return;
  console.log(`start: ${signal} again: passing it on to every part still running`);
  for (const part of parts) if (running(part)) part.child.kill(signal);
}

/** A build is missing, or older than one of its sources (e.g. after a pull): `outputs`' newest file counts. */
function buildIsStale(outputs: string[], sources: string[]): boolean {
  const present = outputs.map((o) => resolve(ROOT, o)).filter((o) => existsSync(o));
  if (present.length === 0) return true;
  const builtAt = Math.max(...present.map((o) => statSync(o).mtimeMs));
  const newer = (path: string): boolean =>
    existsSync(path) &&
    (statSync(path).isDirectory()
      ? readdirSync(path).some((name) => newer(join(path, name)))
      : statSync(path).mtimeMs > builtAt);
  return sources.some((p) => newer(resolve(ROOT, p)));
}

/** The shared packages built as dist/ (ESM, for the API's import) and cjs/ (CommonJS, for the indexer's require). */
const BUILT_PACKAGES = ["rep-v1", "checks", "rep-history", "embedded-postgres"];

/** One shared package's builds: missing, or older than its sources. */
const packageBuildIsStale = (name: string) => {
  const dir = `packages/${name}`;
  return (
    !existsSync(resolve(ROOT, dir, "dist/index.js")) ||
    !existsSync(resolve(ROOT, dir, "cjs/index.js")) ||
    buildIsStale(
      [`${dir}/dist/index.js`, `${dir}/tsconfig.tsbuildinfo`],
      [
        `${dir}/src`,
        `${dir}/tsconfig.json`,
        `${dir}/tsconfig.cjs.json`,
        `${dir}/package.json`,
        "tsconfig.base.json",
      ],
    )
  );
};

/** The indexer's compiled output (tsc -b leaves it untouched when nothing changed; its build info moves on). */
const indexerBuildIsStale = () =>
  !existsSync(resolve(ROOT, "indexer/lib/main.js")) ||
  buildIsStale(
    ["indexer/lib/main.js", "indexer/tsconfig.tsbuildinfo"],
    ["indexer/src", "indexer/tsconfig.json", "indexer/package.json", "tsconfig.base.json"],
  );
const explorerBuildIsStale = () =>
  buildIsStale(["web/build/server/index.js"], ["web/app", "web/vite.config.ts", "web/package.json"]);

/**
 * Runs an npm build quietly: its output (npm's banner, the bundler's notes and warnings) is shown only when it
 * fails, so a first run prints one line per step.
 */
function build(what: string, workspace: string): void {
  console.log(`start: building ${what}`);
  const result = spawnSync("npm", ["run", "build", "-w", workspace], { cwd: ROOT, encoding: "utf8" });
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout ?? ""}${result.stderr ?? ""}`);
    throw new Error(`${what} did not build`);
  }
}

/**
 * Builds the API as one module (api/bundle.mjs: under a second, so it runs at every start, and says nothing) and
 * returns Node's arguments that run it as `npm run api` does: the last step of api/package.json's `start`.
 */
function buildApi(): string[] {
  const result = spawnSync(process.execPath, ["api/bundle.mjs", "--print-node-args"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout ?? ""}${result.stderr ?? ""}`);
    throw new Error("the API did not build");
  }
  return JSON.parse(result.stdout) as string[];
}

async function main(): Promise<void> {
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  // A closed terminal: stop the parts all the same (they do not get its SIGHUP), and never fail on its output.
  process.on("SIGHUP", onSignal);
  for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});
  // The devnet's anvil listens on RPC_URL's port (devnet/src/cli/devnet.ts), so that must be on this machine.
  if (onDevnet && !/^http:\/\/127\.0\.0\.1:\d{1,5}\/?$/.test(rpcUrl)) {
    throw new Error(
      `RPC_URL: got ${JSON.stringify(rpcUrl)}, expected http://127.0.0.1:<port> on the devnet (or set TEE_REGISTRY_ADDRESS and SETTLEMENT_RELAY_ADDRESS to index another chain)`,
    );
  }

  // Before anything starts: a part on a taken port would fail, or be answered for by whatever holds it.
  const claims: PortClaim[] = [
    ...(onDevnet
      ? [{ port: Number(new URL(rpcUrl).port || 80), part: "the devnet's anvil", variable: "RPC_URL" }]
      : []),
    { port: apiPort, part: "the API", variable: "API_PORT" },
    { port: webPort, part: "the explorer", variable: "WEB_PORT" },
  ];
  const busy = await portsInUse(claims);
  if (busy.length > 0) {
    console.error(`start: ${portsInUseMessage(busy)}`);
    process.exit(1);
  }

  for (const name of BUILT_PACKAGES.filter(packageBuildIsStale))
    build(`the shared package ${name}`, `packages/${name}`);
  if (indexerBuildIsStale()) build("the indexer", "indexer");

  if (onDevnet) {
    run("devnet", ["--import", "tsx", "devnet/src/cli/devnet.ts", ...process.argv.slice(2)]);
    // Ready when anvil answers and the registry named in .data/devnet.json has code on it.
    await waitFor("the devnet", 120, async () => {
      if (!existsSync(DEVNET_FILE) || !(await rpcAnswers())) return false;
      const address = JSON.parse(readFileSync(DEVNET_FILE, "utf8")).addresses?.attestationRegistry;
      return typeof address === "string" && (await rpcCall("eth_getCode", [address, "latest"])) !== "0x";
    });
    console.log(`start: devnet    ${rpcUrl} (contracts in .data/devnet.json, simulator running)`);
  } else {
    await waitFor(`the chain at ${rpcUrl}`, 30, rpcAnswers);
    console.log(`start: chain     ${rpcUrl} (addresses from the environment; no devnet)`);
  }

  // As `npm run indexer` runs it (indexer-args.ts), with its bounded heap: V8 otherwise lets garbage grow far past
  // what a batch needs (peak RSS target: under 1 GB).
  // On the devnet, an index that got ahead of a restored chain (anvil killed between state saves) is rebuilt.
  // The Subsquid processor logs JSON lines unless its stderr is a terminal; here it is a pipe to this script.
  run("indexer", indexerNodeArgs(), {
    FORCE_PRETTY_LOGGER: process.env.FORCE_PRETTY_LOGGER ?? "1",
    ...(onDevnet ? { RESET_INDEX_ON_CHAIN_MISMATCH: "true" } : {}),
  });
  // The API starts once the indexer's database is up (the embedded one is the indexer's to start): before that
  // it would only log that it cannot reach it and that its LISTEN failed.
  if (!process.env.DATABASE_URL?.trim()) {
    await waitFor(`the embedded Postgres on port ${pgPort}`, 120, () => listening(Number(pgPort)));
  }
  // Production mode: GraphQL errors are masked (no stack traces or driver text to clients), as deployed.
  run("api", buildApi(), {
    NODE_ENV: process.env.NODE_ENV ?? "production",
  });
  const health = `http://127.0.0.1:${apiPort}/healthz`;
  await waitFor("the indexer and the API", 180, async () => (await fetch(health)).ok);
  console.log(
    `start: indexer   running (Postgres: ${process.env.DATABASE_URL ? "DATABASE_URL" : `embedded, 127.0.0.1:${pgPort}`})`,
  );
  console.log(
    `start: API       http://127.0.0.1:${apiPort}/graphql  (GraphiQL in a browser; exports at /export/…)`,
  );
  if (explorerBuildIsStale()) build("the explorer", "web");
  // The explorer reads the API started above (its own default is port 4000, whatever API_PORT says).
  run("web", ["web/server.mjs"], {
    API_URL: process.env.API_URL?.trim() || `http://127.0.0.1:${apiPort}/graphql`,
  });
  const explorer = `http://127.0.0.1:${webPort}/`;
  await waitFor("the explorer", 60, async () => (await fetch(explorer)).ok);
  console.log(`start: explorer  ${explorer}`);
  console.log("start: all parts healthy; Ctrl-C stops them");
}

main().catch((err: Error) => {
  if (stopping) return;
  console.error(`start: ${err.message}`);
  void stop(1);
});
