import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureEmbeddedPostgres, type PostgresHandle } from "@attestation-explorer/embedded-postgres";
import { freePort } from "@attestation-explorer/testkit/net";
import pg from "pg";

// A real Postgres for the API's tests: the indexer's embedded server in a temporary folder on a free port,
// with the indexer's migrations (indexer/db/migrations) applied to a template database. Each test file then
// gets its own database copied from the template (fast), so files can run in parallel.

export const MIGRATIONS_DIR = fileURLToPath(new URL("../../../indexer/db/migrations/", import.meta.url));
export const TEMPLATE_DATABASE = "api_test_template";

type Migration = { up(db: { query(sql: string, params?: unknown[]): Promise<unknown> }): Promise<void> };

/** Applies indexer/db/migrations/*.js in name order (as TypeORM does: timestamps lead the names). */
export async function applyIndexerMigrations(client: pg.Client): Promise<string[]> {
  const require = createRequire(import.meta.url);
  const files = readdirSync(MIGRATIONS_DIR)
    .filter((f) => f.endsWith(".js"))
    .sort();
  if (files.length === 0) throw new Error(`no migrations in ${MIGRATIONS_DIR}`);
  await client.query("BEGIN");
  try {
    for (const file of files) {
      const Class = require(join(MIGRATIONS_DIR, file)) as new () => Migration;
      await new Class().up({ query: (sql, params) => client.query(sql, params) });
    }
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK");
    throw err;
  }
  return files;
}

export interface TestPostgres {
  port: number;
  /** Superuser URL of a database (default: postgres). */
  url(database?: string): string;
  /** The read-only role's URL of a database. */
  readerUrl(database: string): string;
  /** Stops the server (pg_ctl stop -m fast) and keeps its data: a database outage. */
  halt(): Promise<void>;
  /** Starts it again on the same data and port. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the server and builds the template database (vitest globalSetup). */
export async function startTestPostgres(): Promise<TestPostgres> {
  // Under /tmp: as root the server runs as the postgres user, who must be able to enter the folder.
  const root = mkdtempSync(join(tmpdir(), "api-test-pg-"));
  spawnSync("chmod", ["755", root]);
  const port = await freePort();
  let handle: PostgresHandle;
  const start = () =>
    ensureEmbeddedPostgres({
      dataDir: join(root, "pg"),
      port,
      database: TEMPLATE_DATABASE,
      log: () => {},
    });
  try {
    handle = await start();
  } catch (err) {
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
  const base = new URL(handle.url);
  const reader = new URL(handle.readerUrl);
  const withDb = (u: URL, db: string) => {
    const copy = new URL(u);
    copy.pathname = `/${db}`;
    return copy.toString();
  };
  const admin = new pg.Client({ connectionString: handle.url });
  await admin.connect();
  try {
    await applyIndexerMigrations(admin);
  } finally {
    await admin.end();
  }
  return {
    port,
    url: (db = "postgres") => withDb(base, db),
    readerUrl: (db) => withDb(reader, db),
    async halt() {
      await handle.stop();
    },
    async resume() {
      handle = await start();
    },
    async stop() {
      await handle.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A fresh database copied from the template; returns its name. */
export async function createDatabaseFromTemplate(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(
      `CREATE DATABASE ${pg.escapeIdentifier(name)} TEMPLATE ${pg.escapeIdentifier(TEMPLATE_DATABASE)}`,
    );
  } finally {
    await client.end();
  }
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
