import {
  EMBEDDED_PASSWORD,
  EMBEDDED_USER,
  READER_PASSWORD,
  READER_ROLE,
} from "@attestation-explorer/embedded-postgres";
import pg from "pg";
import type { ApiConfig } from "../config.ts";
import { createDb, type Db, pgCode, sessionOptions } from "./database.ts";

// Which Postgres, as which role. DATABASE_URL unset means the embedded server that the indexer starts
// (packages/embedded-postgres); the API only connects to it and never starts or stops it.

export const EMBEDDED_DATABASE = "explorer";

export interface DatabaseChoice {
  /** What the pool connects with. */
  connectionString: string;
  /** Role set on every session, when connecting as someone else who may act as the read-only role. */
  role?: string;
  /** One line for the start-up log: where, and how writes are prevented. */
  description: string;
}

function embeddedUrl(user: string, password: string, port: number): string {
  return `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${EMBEDDED_DATABASE}`;
}

interface Probe {
  user: string;
  readerExists: boolean;
  canBecomeReader: boolean;
  /** null when the indexer's tables do not exist yet. */
  readerCanRead: boolean | null;
}

async function probe(connectionString: string): Promise<Probe> {
  const client = new pg.Client({
    connectionString,
    options: sessionOptions(10_000),
    connectionTimeoutMillis: 5_000,
  });
  client.on("error", () => {});
  await client.connect();
  try {
    const [row] = (
      await client.query(
        `SELECT current_user AS "user",
                r.oid IS NOT NULL AS "readerExists",
                CASE WHEN r.oid IS NULL THEN false ELSE pg_has_role(current_user, r.oid, 'MEMBER') END AS "canBecomeReader",
                CASE WHEN r.oid IS NULL OR to_regclass('indexer_state') IS NULL THEN NULL
                     ELSE has_table_privilege(r.oid, 'indexer_state', 'SELECT') END AS "readerCanRead"
           FROM (SELECT 1) one LEFT JOIN pg_roles r ON r.rolname = $1`,
        [READER_ROLE],
      )
    ).rows as Probe[];
    return row;
  } finally {
    await client.end().catch(() => {});
  }
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable URL)";
  }
}

/** Decides the connection. Never throws for an unreachable server: the pool retries and /healthz says so. */
export async function chooseDatabase(
  config: ApiConfig,
  log: (m: string) => void = console.log,
): Promise<DatabaseChoice> {
  if (config.databaseUrl) {
    const url = config.databaseUrl;
    try {
      const p = await probe(url);
      if (p.user === READER_ROLE) {
        return { connectionString: url, description: `${redact(url)} as the read-only role ${READER_ROLE}` };
      }
      if (p.readerExists && p.canBecomeReader && p.readerCanRead !== false) {
        return {
          connectionString: url,
          role: READER_ROLE,
          description: `${redact(url)} acting as the read-only role ${READER_ROLE} (set for each session), read-only sessions`,
        };
      }
    } catch (err) {
      log(`api: database ${redact(url)} does not answer yet (${(err as Error).message}); will keep trying`);
    }
    return {
      connectionString: url,
      description: `${redact(url)} with read-only sessions (default_transaction_read_only)`,
    };
  }

  const port = config.embeddedPostgresPort;
  const readerUrl = embeddedUrl(READER_ROLE, READER_PASSWORD, port);
  const adminUrl = embeddedUrl(EMBEDDED_USER, EMBEDDED_PASSWORD, port);
  try {
    const p = await probe(readerUrl);
    if (p.readerCanRead !== false) {
      return {
        connectionString: readerUrl,
        description: `embedded Postgres on 127.0.0.1:${port} as ${READER_ROLE}`,
      };
    }
    log(
      `api: ${READER_ROLE} has no SELECT on the indexer's tables yet; using read-only sessions of ${EMBEDDED_USER}`,
    );
  } catch (err) {
    const code = pgCode(err);
    if (code !== "28P01" && code !== "28000" && code !== "3D000") {
      log(
        `api: the embedded Postgres on 127.0.0.1:${port} does not answer (${(err as Error).message}); ` +
          "start the indexer (npm run indexer) or set DATABASE_URL. Will keep trying.",
      );
      return {
        connectionString: readerUrl,
        description: `embedded Postgres on 127.0.0.1:${port} as ${READER_ROLE}`,
      };
    }
  }
  return {
    connectionString: adminUrl,
    description: `embedded Postgres on 127.0.0.1:${port} with read-only sessions (default_transaction_read_only)`,
  };
}

export function openDatabase(config: ApiConfig, choice: DatabaseChoice): Db {
  return createDb({
    connectionString: choice.connectionString,
    role: choice.role,
    poolSize: config.dbPoolSize,
    statementTimeoutMs: config.dbStatementTimeoutMs,
  });
}
