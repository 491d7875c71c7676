/**
 * One embedded Postgres per test file (its own data directory under /tmp and its own port), one fresh database per
 * indexer run. Uses the embedded-Postgres starter of `npm start` (packages/embedded-postgres), which runs
 * the server as the `postgres` user when the tests run as root.
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureEmbeddedPostgres, type PostgresHandle } from "@attestation-explorer/embedded-postgres";
import { freePort } from "./net.ts";

/** The subset of node-postgres the tests use (the package ships no types here). */
export interface PgClient {
  connect(): Promise<void>;
  end(): Promise<void>;
  query<R = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
  on(event: "error", listener: (err: Error) => void): void;
}

const require = createRequire(import.meta.url);
const pg = require("pg") as { Client: new (config: { connectionString: string }) => PgClient };

export async function connect(url: string): Promise<PgClient> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {});
  await client.connect();
  return client;
}

export interface TestPostgres {
  port: number;
  /** A new empty database; returns its URL. */
  createDatabase(prefix?: string): Promise<string>;
  /**
   * Stops the server (pg_ctl stop -m fast: every session gets "terminating connection due to administrator
   * command"), keeps it down for `downMs`, and starts it again on the same data directory and port.
   */
  restart(downMs?: number, whileDown?: () => void): Promise<void>;
  stop(): Promise<void>;
}

let counter = 0;

export async function startTestPostgres(): Promise<TestPostgres> {
  const root = mkdtempSync(join(tmpdir(), "indexer-e2e-pg-"));
  // As root, the server runs as `postgres`, which must reach and own its data directory's parent.
  chmodSync(root, 0o777);
  const port = await freePort();
  const start = () =>
    ensureEmbeddedPostgres({
      dataDir: join(root, "data"),
      port,
      database: "postgres",
      log: () => {},
    });
  let handle: PostgresHandle = await start();
  const adminUrl = handle.url;
  return {
    port,
    async createDatabase(prefix = "run") {
      const name = `${prefix}_${process.pid}_${++counter}`;
      const c = await connect(adminUrl);
      try {
        await c.query(`CREATE DATABASE "${name}"`);
      } finally {
        await c.end();
      }
      return adminUrl.replace(/\/postgres$/, `/${name}`);
    },
    async restart(downMs = 0, whileDown = () => {}) {
      await handle.stop();
      whileDown();
      await new Promise((r) => setTimeout(r, downMs));
      handle = await start();
    },
    async stop() {
      await handle.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
