// `npm start` as a newcomer runs it: a fresh clone of the committed HEAD in a temporary folder, the README's
// quick start as written (`npm install`, then `npm start` on free ports). Within 90 s every part has printed its line with its URL, the indexer a progress line,
// and the explorer's /nodes page shows a node with a score. A Ctrl-C (SIGINT to the whole process group, as a
// terminal sends it) stops everything: exit code 0, no process left that runs from the clone, Postgres shut down
// cleanly, the chain saved at least as far as the index. A second `npm start` resumes the same chain and the same
// index (no rebuild from scratch) and is stopped by a SIGINT sent to npm alone (as `kill -INT <pid>` does).
//
// The clone's parent folder has mode 0700 (as a home folder): run as root (as CI does), the embedded Postgres
// runs as the `postgres` user, which cannot enter it, so its binaries are copied to a cache folder and its data
// lives under /var/lib/attestation-explorer (packages/embedded-postgres/src/embedded-postgres.ts); the test checks
// that, and that nothing of the folder was opened up. Parameters (environment):
//   NPM_START_E2E_NODE=/path/to/bin/node   install and start with that Node (its folder first on PATH), e.g.
//                                           NPM_START_E2E_NODE="$(npx -y node@24 -p process.execPath)"
//   NPM_START_E2E_PARENT_MODE=755          the parent folder's mode instead (Postgres then reaches the clone)
//
// Uncommitted work is not in a clone. To try it before committing, name the files to copy over the clone:
//   NPM_START_E2E_OVERLAY="scripts/start.ts package.json" npx vitest run --project scripts
// (`NPM_START_E2E_OVERLAY=modified`: every tracked file that differs from HEAD). NPM_START_E2E_KEEP=1 keeps the
// temporary folder (its path is printed), with `npm-start-*.log` beside the clone.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync,
  type WriteStream,
} from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { freePort } from "@attestation-explorer/testkit/net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

/**
 * The two commands of the README's quick start (its first sh block: `npm install && npm start`, then `npm test`):
 * the install and start commands of the first line, each as argv. Throws when the block is not that shape.
 */
function readmeQuickStart(readme: string): [string[], string[]] {
  const block = /## Quick start[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1];
  const first = block?.split("\n")[0]?.replace(/#.*$/, "").trim();
  const parts = first?.split("&&").map((c) => c.trim().split(/\s+/));
  if (parts?.length !== 2)
    throw new Error(`README quick start: expected "<install> && <start>", got ${first}`);
  expect(block?.split("\n")[1]?.replace(/#.*$/, "").trim(), "the README's test command").toBe("npm test");
  return [parts[0], parts[1]];
}

const SOURCE = resolve(import.meta.dirname, "../..");
/** The issue's promise: live data on the explorer within 90 s of the command. */
const LIVE_WITHIN_MS = 90_000;
/** How long Ctrl-C may take to stop everything. */
const STOP_WITHIN_MS = 60_000;

/** The Node that installs and starts the clone: NPM_START_E2E_NODE, or the one on PATH. */
const NODE_BINARY = process.env.NPM_START_E2E_NODE?.trim() || undefined;
/** The mode of the clone's parent folder (default 0700, as a home folder). */
const PARENT_MODE = Number.parseInt(process.env.NPM_START_E2E_PARENT_MODE?.trim() || "700", 8);
const AS_ROOT = userInfo().uid === 0;
/** As root with a parent the postgres user cannot enter: Postgres's binaries and data are placed elsewhere. */
const RELOCATED = AS_ROOT && (PARENT_MODE & 0o001) === 0;

/** Whether `version` (v22.15.0) satisfies an engines range made of `^x.y.z` and `>=x.y.z` alternatives. */
function satisfiesEngines(version: string, range: string): boolean {
  const parse = (v: string) => v.replace(/^v/, "").split(".").map(Number);
  const cmp = (a: number[], b: number[]) => {
    for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
    return 0;
  };
  const v = parse(version);
  return range.split("||").some((alt) => {
    const m = /^\s*(\^|>=)\s*(\d+(?:\.\d+){0,2})\s*$/.exec(alt);
    if (!m) throw new Error(`engines range not understood: ${range}`);
    const min = parse(m[2]);
    return cmp(v, min) >= 0 && (m[1] === ">=" || v[0] === min[0]);
  });
}

const timings: [string, number][] = [];
const timed = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
  const started = Date.now();
  try {
    return await fn();
  } finally {
    timings.push([what, (Date.now() - started) / 1000]);
  }
};

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, logFile: string) {
  return new Promise<void>((done, fail) => {
    const log = createWriteStream(logFile);
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.once("error", fail);
    child.once("close", (code) => {
      log.end();
      if (code === 0) done();
      else
        fail(
          new Error(
            `${command} ${args.join(" ")} exited with code ${code}; output in ${logFile}:\n${tail(logFile)}`,
          ),
        );
    });
  });
}

function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no output)";
  }
}

interface Line {
  at: number;
  text: string;
}

/** One `npm start`: its output lines (with ms since the command), and its exit. */
class NpmStart {
  readonly started = Date.now();
  readonly lines: Line[] = [];
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly log: WriteStream;

  constructor(cwd: string, env: NodeJS.ProcessEnv, logFile: string) {
    this.log = createWriteStream(logFile);
    // detached: its own process group, like a command in a terminal, so the group can be sent a Ctrl-C.
    this.child = spawn("npm", ["start"], { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on("line", (text) => {
        const at = Date.now() - this.started;
        this.lines.push({ at, text });
        this.log.write(`${(at / 1000).toFixed(1).padStart(6)} ${text}\n`);
      });
    }
    this.exited = new Promise((r) => this.child.once("exit", (code, signal) => r({ code, signal })));
    void this.exited.then(() => this.log.end());
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  find(pattern: RegExp): Line | undefined {
    return this.lines.find((l) => pattern.test(l.text));
  }

  /** Waits until `check` returns a value (not undefined), polling; fails after `deadlineMs` since the command. */
  async until<T>(
    what: string,
    deadlineMs: number,
    check: () => Promise<T | undefined> | T | undefined,
  ): Promise<T> {
    for (;;) {
      const value = await Promise.resolve()
        .then(check)
        .catch(() => undefined);
      if (value !== undefined) return value;
      if (!this.running) throw new Error(`npm start exited while waiting for ${what}:\n${this.tail()}`);
      if (Date.now() - this.started > deadlineMs) {
        throw new Error(`${what}: not within ${deadlineMs / 1000} s of npm start:\n${this.tail()}`);
      }
      await sleep(500);
    }
  }

  tail(lines = 60): string {
    return this.lines
      .slice(-lines)
      .map((l) => `${(l.at / 1000).toFixed(1).padStart(6)} ${l.text}`)
      .join("\n");
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Processes whose command line or working directory is inside `dir` (this test's own process aside). */
function processesIn(dir: string): { pid: number; cwd: string; cmd: string }[] {
  const found: { pid: number; cwd: string; cmd: string }[] = [];
  for (const name of readdirSync("/proc")) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let cmd = "";
    let cwd = "";
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
      cwd = readlinkSync(`/proc/${pid}/cwd`);
    } catch {
      // gone meanwhile, or a kernel thread
    }
    if (cmd.includes(dir) || cwd === dir || cwd.startsWith(`${dir}/`)) found.push({ pid, cwd, cmd });
  }
  return found;
}

/** Waits a few seconds for processes in `dir` to disappear; returns those still there. */
async function straysIn(dir: string, graceMs = 5000): Promise<{ pid: number; cwd: string; cmd: string }[]> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const left = processesIn(dir);
    if (left.length === 0 || Date.now() > deadline) return left;
    await sleep(250);
  }
}

async function graphql<T>(apiPort: number, query: string): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${apiPort}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query }),
    signal: AbortSignal.timeout(5000),
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (!body.data) throw new Error(`GraphQL: ${JSON.stringify(body.errors)}`);
  return body.data;
}

const indexedHeight = async (apiPort: number) =>
  (await graphql<{ indexerStatus: { height: number } }>(apiPort, "{ indexerStatus { height } }"))
    .indexerStatus.height;

/** The explorer's /nodes page: each row's node id and score (undefined when the row shows none). */
async function nodesOnExplorer(webPort: number): Promise<{ id: string; score: number | undefined }[]> {
  const res = await fetch(`http://127.0.0.1:${webPort}/nodes`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`/nodes: HTTP ${res.status}`);
  const html = await res.text();
  return [...html.matchAll(/<tr[^>]*\bdata-node-id="(0x[0-9a-f]{64})"[^>]*>([\s\S]*?)<\/tr>/g)].map((m) => {
    const score = /<span class="score">(\d+)<\/span>/.exec(m[2])?.[1];
    return { id: m[1], score: score === undefined ? undefined : Number(score) };
  });
}

/** A node with a positive score on the explorer's /nodes page, or undefined. */
async function scoredNode(webPort: number) {
  return (await nodesOnExplorer(webPort)).find((n) => n.score !== undefined && n.score > 0);
}

/** The project's own variables (.env.example) and the test runner's, none of which a newcomer's shell has. */
function cleanEnv(repo: string): NodeJS.ProcessEnv {
  const env = { ...process.env };
  const example = readFileSync(join(repo, ".env.example"), "utf8");
  for (const m of example.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)) delete env[m[1]];
  for (const key of Object.keys(env)) {
    if (/^(VITEST|npm_|INIT_CWD$|NODE_ENV$|TEST$)/.test(key)) delete env[key];
  }
  return env;
}

const title = `npm start in a fresh clone${RELOCATED ? ", as root from a 0700 folder" : ""}${NODE_BINARY ? ` (Node from ${NODE_BINARY})` : ""}`;

describe(title, () => {
  let base: string;
  let repo: string;
  let env: NodeJS.ProcessEnv;
  /** The embedded Postgres's data directory: in the clone, or (RELOCATED) where the indexer said it lives. */
  let pgData: string | undefined;
  const ports = { api: 0, web: 0, pg: 0, rpc: 0 };
  const starts: NpmStart[] = [];
  /** Indexed height and chain height recorded before the first Ctrl-C. */
  let before: { height: number } | undefined;
  let passed = 0;

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), "npm-start-e2e-"));
    chmodSync(base, PARENT_MODE);
    repo = join(base, "attestation-explorer");
    console.log(
      `npm start e2e: clone in ${repo} (parent mode ${PARENT_MODE.toString(8)}${AS_ROOT ? ", as root" : ""})`,
    );
    await timed("git clone", async () => {
      execFileSync("git", ["clone", "--quiet", SOURCE, repo], { stdio: "pipe" });
    });
    const overlay = process.env.NPM_START_E2E_OVERLAY?.trim();
    if (overlay) {
      const files =
        overlay === "modified"
          ? execFileSync("git", ["diff", "--name-only", "--diff-filter=AM", "HEAD"], {
              cwd: SOURCE,
              encoding: "utf8",
            })
              .split("\n")
              .filter(Boolean)
          : overlay.split(/\s+/);
      for (const file of files) {
        mkdirSync(dirname(join(repo, file)), { recursive: true });
        copyFileSync(join(SOURCE, file), join(repo, file));
      }
      console.log(`npm start e2e: copied over the clone from the working tree: ${files.join(", ")}`);
    }
    env = cleanEnv(repo);
    if (NODE_BINARY) env.PATH = `${dirname(NODE_BINARY)}:${env.PATH ?? ""}`;
    const nodeVersion = execFileSync("node", ["--version"], { env, encoding: "utf8" }).trim();
    if (NODE_BINARY) {
      expect(nodeVersion).toBe(execFileSync(NODE_BINARY, ["--version"], { encoding: "utf8" }).trim());
    }
    console.log(
      `npm start e2e: Node ${nodeVersion}, npm ${execFileSync("npm", ["--version"], { env, encoding: "utf8" }).trim()}`,
    );
    const chosen = new Set<number>();
    while (chosen.size < 4) chosen.add(await freePort());
    [ports.api, ports.web, ports.pg, ports.rpc] = [...chosen];
    Object.assign(env, {
      API_PORT: String(ports.api),
      WEB_PORT: String(ports.web),
      EMBEDDED_PG_PORT: String(ports.pg),
      RPC_URL: `http://127.0.0.1:${ports.rpc}`,
    });
    // The README's quick start, as written: its install command, then (below) `npm start`.
    const [install, start] = readmeQuickStart(readFileSync(join(repo, "README.md"), "utf8"));
    expect(start, "the README's quick start starts the system with npm start").toEqual(["npm", "start"]);
    await timed(`${install.join(" ")} (with postinstall builds)`, () =>
      run(install[0], install.slice(1), repo, env, join(base, "npm-install.log")),
    );
    // On a Node the README states (package.json engines), no dependency warns that it needs another.
    const engines = (
      JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { engines: { node: string } }
    ).engines.node;
    const badEngine = readFileSync(join(base, "npm-install.log"), "utf8").match(/.*EBADENGINE.*/g) ?? [];
    if (satisfiesEngines(nodeVersion, engines)) {
      expect(badEngine, `npm install on Node ${nodeVersion} (engines ${engines})`).toEqual([]);
    } else {
      console.log(
        `npm start e2e: Node ${nodeVersion} is not among the stated ${engines}; npm install printed ${badEngine.length} EBADENGINE lines`,
      );
    }
  }, 600_000);

  afterAll(async () => {
    // Anything still running from the clone was started by this test: Ctrl-C first, then SIGKILL.
    for (const s of starts) {
      if (!s.running) continue;
      try {
        process.kill(-(s.child.pid as number), "SIGINT");
      } catch {}
      await Promise.race([s.exited, sleep(STOP_WITHIN_MS)]);
    }
    if (repo) {
      for (const p of processesIn(repo)) {
        try {
          process.kill(p.pid, "SIGKILL");
        } catch {}
      }
    }
    // A relocated data directory belongs to this clone only (its folder is named by the clone's path). When the
    // test failed before the indexer named it: where embedded-postgres.ts (relocatedDataDir) puts it.
    if (RELOCATED && repo && !pgData) {
      const id = createHash("sha256").update(join(repo, ".data/postgres")).digest("hex").slice(0, 12);
      pgData = `/var/lib/attestation-explorer/${id}/postgres`;
    }
    if (RELOCATED && pgData?.startsWith("/") && !pgData.startsWith(repo)) {
      const postmaster = readPidFileOf(pgData);
      if (postmaster) {
        try {
          process.kill(postmaster, "SIGQUIT"); // Postgres's immediate shutdown
        } catch {}
      }
      if (!process.env.NPM_START_E2E_KEEP) rmSync(dirname(pgData), { recursive: true, force: true });
    }
    const summary = timings
      .map(([what, s]) => `  ${what.padEnd(48)} ${s.toFixed(1).padStart(6)} s`)
      .join("\n");
    console.log(`npm start e2e timings:\n${summary}`);
    if (!base) return;
    if (passed < 2) {
      for (const [i, s] of starts.entries()) console.log(`npm start #${i + 1}, last lines:\n${s.tail(80)}`);
    }
    if (process.env.NPM_START_E2E_KEEP)
      console.log(`npm start e2e: kept ${base} (npm-ci.log, npm-start-*.log)`);
    else rmSync(base, { recursive: true, force: true });
  }, 180_000);

  test("first start: every part's line, a progress line and a scored node within 90 s; Ctrl-C stops it all", async () => {
    const start = new NpmStart(repo, env, join(base, "npm-start-1.log"));
    starts.push(start);

    const node = await timed("1st start: a scored node on the explorer", () =>
      start.until("a node with a score on the explorer's /nodes page", LIVE_WITHIN_MS, () =>
        scoredNode(ports.web),
      ),
    );
    await start.until("the line saying every part is healthy", LIVE_WITHIN_MS, () =>
      start.find(/^start: all parts healthy/),
    );
    const live = Date.now() - start.started;
    console.log(
      `npm start #1: node ${node.id} scored ${node.score} on the explorer after ${(live / 1000).toFixed(1)} s`,
    );
    expect(live).toBeLessThanOrEqual(LIVE_WITHIN_MS);
    // The same node, scored, in the API.
    const apiScores = await graphql<{
      nodes: { edges: { node: { reputation: { score: number } | null } }[] };
    }>(ports.api, "{ nodes { edges { node { reputation { score } } } } }");
    expect(apiScores.nodes.edges.some((e) => (e.node.reputation?.score ?? 0) > 0)).toBe(true);

    pgData = pgDataOf(start, repo);
    console.log(`npm start #1: the embedded Postgres's data in ${pgData}`);
    if (RELOCATED) {
      // Postgres runs from the copy of its binaries, with its data outside the clone; nothing was opened up.
      const postmaster = readPidFileOf(pgData);
      expect(postmaster, `postmaster.pid in ${pgData}`).toBeDefined();
      const exe = exeOf(postmaster as number);
      console.log(`npm start #1: Postgres runs ${exe}`);
      expect(exe).toMatch(/\/attestation-explorer[^/]*\/pg-[^/]+\/bin\/postgres$/);
      expect(statSync(base).mode & 0o7777).toBe(PARENT_MODE);
      expect(existsSync(join(repo, ".data/postgres"))).toBe(false);
    }
    if (NODE_BINARY) {
      // Every Node process of the clone (the start script and its parts) runs the chosen Node.
      const nodes = processesIn(repo).filter((p) => basename(exeOf(p.pid)) === "node");
      expect(nodes.length).toBeGreaterThanOrEqual(3);
      for (const p of nodes) expect(exeOf(p.pid), p.cmd).toBe(realpathSync(NODE_BINARY));
    }

    // One line per part with its URL, each printed within the 90 s.
    const partLines = {
      devnet: new RegExp(`^start: devnet\\s+http://127\\.0\\.0\\.1:${ports.rpc}\\b`),
      indexer: new RegExp(`^start: indexer\\s+running \\(Postgres: embedded, 127\\.0\\.0\\.1:${ports.pg}\\)`),
      API: new RegExp(`^start: API\\s+http://127\\.0\\.0\\.1:${ports.api}/graphql\\b`),
      explorer: new RegExp(`^start: explorer\\s+http://127\\.0\\.0\\.1:${ports.web}/`),
    };
    for (const [part, pattern] of Object.entries(partLines)) {
      const line = start.find(pattern);
      expect(line, `the ${part} line (${pattern}) in:\n${start.tail()}`).toBeDefined();
      expect(line?.at).toBeLessThanOrEqual(LIVE_WITHIN_MS);
    }
    // The explorer reads this start's API (API_URL follows API_PORT).
    expect(
      start.find(
        new RegExp(`^\\[web\\] web: explorer on .* reading http://127\\.0\\.0\\.1:${ports.api}/graphql`),
      ),
    ).toBeDefined();
    // The indexer's progress line (indexer/src/progress.ts): "block N / head (x%), B blocks/s, E events/s, <lag>"
    // while behind, "caught up: block N is the chain head" once there (a young devnet is caught up in seconds).
    const progress = await start.until("the indexer's progress line", LIVE_WITHIN_MS, () =>
      start.find(
        /^\[indexer\] indexer: (block [\d,]+ \/ [\d,]+ \([\d.]+%\), [\d,]+ blocks\/s, [\d,]+ events\/s, |caught up: block [\d,]+ is the chain head)/,
      ),
    );
    console.log(`npm start #1: progress line at ${(progress.at / 1000).toFixed(1)} s: ${progress.text}`);
    expect(start.find(/rebuilding the index/)).toBeUndefined();

    // Live: the index keeps growing with the simulator's blocks (and the stop below lands mid-stream).
    const seen = await indexedHeight(ports.api);
    const grown = await start.until("the index to grow by 3 blocks", LIVE_WITHIN_MS + 30_000, async () => {
      const h = await indexedHeight(ports.api);
      return h >= seen + 3 ? h : undefined;
    });
    before = { height: grown };
    expect(before.height).toBeGreaterThan(0);

    // Ctrl-C in a terminal: SIGINT to the foreground process group (npm, and whatever shares its group).
    const stopStarted = Date.now();
    process.kill(-(start.child.pid as number), "SIGINT");
    const exit = await timed("1st start: Ctrl-C (group SIGINT) to exit", () =>
      Promise.race([start.exited, sleep(STOP_WITHIN_MS).then(() => "timeout" as const)]),
    );
    expect(exit, start.tail()).toEqual({ code: 0, signal: null });
    console.log(
      `npm start #1: stopped in ${((Date.now() - stopStarted) / 1000).toFixed(1)} s after the SIGINT`,
    );
    expect(start.find(/^start: every part stopped/)).toBeDefined();
    expect(start.find(/^\[indexer\] indexer: stopped$/)).toBeDefined();
    expectQuietOutput(start);

    expect(await straysIn(repo)).toEqual([]);
    assertCleanData(repo, pgData, before.height);
    passed++;
  });

  test("second start: resumes the same chain and index; SIGINT to npm alone stops it all", async () => {
    expect(before, "the first start must have passed").toBeDefined();
    const recorded = (before as { height: number }).height;
    const start = new NpmStart(repo, env, join(base, "npm-start-2.log"));
    starts.push(start);

    // The index as the API first serves it: already at least where the first run left it.
    const first = await timed("2nd start: the API answers", () =>
      start.until("the API's indexerStatus", LIVE_WITHIN_MS, () => indexedHeight(ports.api)),
    );
    console.log(
      `npm start #2: the API first reports height ${first} (recorded before the stop: ${recorded})`,
    );
    expect(first).toBeGreaterThanOrEqual(recorded);

    await start.until("the line saying every part is healthy", LIVE_WITHIN_MS, () =>
      start.find(/^start: all parts healthy/),
    );
    const node = await timed("2nd start: a scored node on the explorer", () =>
      start.until("a node with a score on the explorer's /nodes page", LIVE_WITHIN_MS, () =>
        scoredNode(ports.web),
      ),
    );
    expect(node.score).toBeGreaterThan(0);
    const resumed = start.find(/^\[devnet\] devnet: anvil .* contracts (resumed|deployed) at block/);
    expect(resumed?.text, start.tail()).toMatch(/contracts resumed at block/);
    // The block it resumed at is the saved chain's head: at least the index's height when the first run stopped.
    const resumedAt = Number(/contracts resumed at block (\d+)/.exec(resumed?.text ?? "")?.[1]);
    expect(resumedAt).toBeGreaterThanOrEqual(recorded);
    // The chain goes on from where it was saved, and the index with it (never rebuilt, never re-initialised).
    const firstBlock = await start.until("the simulator's first block", LIVE_WITHIN_MS, () => {
      const m = /^\[devnet\] simulator: block (\d+) /.exec(
        start.find(/^\[devnet\] simulator: block \d+ /)?.text ?? "",
      );
      return m ? Number(m[1]) : undefined;
    });
    expect(firstBlock).toBeGreaterThan(recorded);
    expect(firstBlock).toBeGreaterThan(resumedAt);
    const grown = await start.until(
      "the index to grow past the first run's height",
      LIVE_WITHIN_MS + 30_000,
      async () => {
        const h = await indexedHeight(ports.api);
        return h > recorded ? h : undefined;
      },
    );
    console.log(`npm start #2: chain resumed at block ${firstBlock}; index at ${grown}`);
    expect(start.find(/rebuilding the index from scratch/)).toBeUndefined();
    expect(start.find(/embedded Postgres: (initialising|removing the stale|taking over)/)).toBeUndefined();
    // The indexer's first word on where it is: no lower than where the first run left it.
    const caughtUp = await start.until("the indexer's caught-up line", LIVE_WITHIN_MS + 30_000, () => {
      const m = /^\[indexer\] indexer: caught up: block ([\d,]+)/.exec(
        start.find(/caught up: block/)?.text ?? "",
      );
      return m ? Number(m[1].replaceAll(",", "")) : undefined;
    });
    expect(caughtUp).toBeGreaterThanOrEqual(recorded);

    // A SIGINT to npm alone (kill -INT <pid>, a supervisor): npm passes it on; everything stops all the same.
    const height = await indexedHeight(ports.api);
    const stopStarted = Date.now();
    process.kill(start.child.pid as number, "SIGINT");
    const exit = await timed("2nd start: SIGINT to npm alone to exit", () =>
      Promise.race([start.exited, sleep(STOP_WITHIN_MS).then(() => "timeout" as const)]),
    );
    expect(exit, start.tail()).toEqual({ code: 0, signal: null });
    console.log(
      `npm start #2: stopped in ${((Date.now() - stopStarted) / 1000).toFixed(1)} s after the SIGINT`,
    );
    expect(start.find(/^start: every part stopped/)).toBeDefined();
    expectQuietOutput(start);
    expect(await straysIn(repo)).toEqual([]);
    // The same data directory, said again at this start.
    expect(pgDataOf(start, repo)).toBe(pgData);
    assertCleanData(repo, pgData as string, height);
    passed++;
  });
});

/**
 * What a newcomer reads from `npm start` (issue 11): no advice to start what it is starting ("npm run indexer"), no
 * LISTEN error while the database comes up, no raw JSON log lines, no bundler notes or warnings, and no indexer
 * rebuild when nothing changed since `npm install` built it.
 */
function expectQuietOutput(start: NpmStart): void {
  const all = start.lines.map((l) => l.text);
  expect(all.filter((t) => /npm run indexer/.test(t))).toEqual([]);
  expect(all.filter((t) => /LISTEN/.test(t))).toEqual([]);
  expect(all.filter((t) => /^(\[[\w-]+\] )?\{".*\}$/.test(t))).toEqual([]);
  expect(all.filter((t) => /^\s*\(!\)|\bvite\b|EBADENGINE/i.test(t))).toEqual([]);
  expect(all.filter((t) => /^start: building the indexer/.test(t))).toEqual([]);
}
/**
 * The embedded Postgres's data directory: `.data/postgres` in the clone, or, as root from a folder the postgres
 * user cannot enter, the one the indexer names at start ("the data lives in <path>").
 */
function pgDataOf(start: NpmStart, repo: string): string {
  if (!RELOCATED) return join(repo, ".data/postgres");
  const line = start.find(/embedded Postgres: .*the data lives in \S+$/);
  expect(line?.text, `the line naming where the data lives, in:\n${start.tail()}`).toBeDefined();
  const dir = (/the data lives in (\S+)$/.exec(line?.text ?? "") as RegExpExecArray)[1];
  expect(dir).toMatch(/\/attestation-explorer(-data)?\/[0-9a-f]{12}\/postgres$/);
  return dir;
}

/** The pid in a data directory's postmaster.pid, if any. */
function readPidFileOf(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The executable a process runs, or "" when it is gone. */
function exeOf(pid: number): string {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return "";
  }
}

/** Postgres shut down cleanly and let go of its data; the saved chain reaches at least the indexed height. */
function assertCleanData(repo: string, pgData: string, indexedHeight: number): void {
  expect(existsSync(join(pgData, "postmaster.pid")), "postmaster.pid left behind").toBe(false);
  expect(existsSync(`${pgData}.owner`), "the embedded Postgres owner file left behind").toBe(false);
  const serverLog = readFileSync(join(pgData, "server.log"), "utf8");
  expect(serverLog.trimEnd().split("\n").at(-1)).toMatch(/database system is shut down/);
  expect(serverLog).not.toMatch(/not properly shut down|automatic recovery in progress/);
  const state = JSON.parse(readFileSync(join(repo, ".data/anvil-state.json"), "utf8")) as {
    best_block_number: number | string;
  };
  expect(Number(state.best_block_number)).toBeGreaterThanOrEqual(indexedHeight);
}
