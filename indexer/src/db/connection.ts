import { join } from "node:path";
import { ensureEmbeddedPostgres } from "@attestation-explorer/embedded-postgres";
import type { IndexerConfig } from "../config.ts";

/** The Postgres a program uses: DATABASE_URL, or the embedded server (started here if nobody runs it). */
export interface DatabaseConnection {
  url: string;
  /** "embedded" when the embedded server is used (then `stop` stops it if this process started it). */
  kind: "external" | "embedded";
  /** The embedded server's read-only role; undefined for DATABASE_URL (the operator provides one). */
  readerUrl: string | undefined;
  stop(): Promise<void>;
}

/**
 * Resolves the database from the configuration and points @subsquid/typeorm-config at it (it reads DB_URL,
 * or DB_HOST/DB_PORT/DB_NAME/DB_USER/DB_PASS, from the environment when TypeormDatabase connects).
 */
export async function openDatabase(
  config: Pick<IndexerConfig, "databaseUrl" | "dataDir" | "embeddedPostgresPort">,
  options: { database?: string; log?: (message: string) => void } = {},
): Promise<DatabaseConnection> {
  let connection: DatabaseConnection;
  if (config.databaseUrl) {
    connection = { url: config.databaseUrl, kind: "external", readerUrl: undefined, stop: async () => {} };
  } else {
    const pg = await ensureEmbeddedPostgres({
      dataDir: join(config.dataDir, "postgres"),
      port: config.embeddedPostgresPort,
      database: options.database ?? "explorer",
      log: options.log,
    });
    connection = { url: pg.url, kind: "embedded", readerUrl: pg.readerUrl, stop: () => pg.stop() };
  }
  useDatabaseUrl(connection.url);
  return connection;
}

/** Sets DB_URL for @subsquid/typeorm-config, clearing the per-field variables it would otherwise warn about. */
export function useDatabaseUrl(url: string): void {
  process.env.DB_URL = url;
  for (const name of ["DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASS"]) delete process.env[name];
}

/** The URL with its password hidden, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable URL)";
  }
}
