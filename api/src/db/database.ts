import pg from "pg";

// The one way the API reads the database: a pg Pool whose sessions are read-only. The API never writes: it
// connects as the read-only role explorer_reader when it can (the embedded server creates it; a migration grants
// it SELECT), and every session also sets default_transaction_read_only.

export interface Db {
  query<Row>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  readonly pool: pg.Pool;
}

export interface DatabaseOptions {
  connectionString: string;
  poolSize: number;
  statementTimeoutMs: number;
  /** Act as this role on every session (a superuser or member connecting for the read-only role). */
  role?: string;
  applicationName?: string;
}

/**
 * Startup parameters every API session gets: read-only transactions, a statement timeout, UTC, and the role to
 * act as (set at connection start, so no query can run before it).
 */
export function sessionOptions(statementTimeoutMs: number, role?: string): string {
  if (role !== undefined && !/^[a-z_][a-z0-9_]*$/.test(role))
    throw new Error(`unsupported role name ${role}`);
  const options = `-c default_transaction_read_only=on -c statement_timeout=${statementTimeoutMs} -c TimeZone=UTC`;
  return role ? `${options} -c role=${role}` : options;
}

export function createDb(options: DatabaseOptions): Db {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize,
    options: sessionOptions(options.statementTimeoutMs, options.role),
    application_name: options.applicationName ?? "explorer-api",
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection (server restart) must not crash the process; the pool replaces it.
  pool.on("error", (err) => console.error(`api: idle database connection failed: ${err.message}`));
  return {
    pool,
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      const result = await pool.query(sql, params as unknown[]);
      return result.rows as Row[];
    },
  };
}

/** Postgres error code of an error thrown by pg, if any. */
export function pgCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}
