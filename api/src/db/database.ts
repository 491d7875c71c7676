import pg from "pg";
import { apiTypeParsers } from "./timestamptz.ts";

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
    types: apiTypeParsers,
  });
  // An idle client losing its connection (server restart) must not crash the process; the pool replaces it.
  pool.on("error", (err) => console.error(`api: idle database connection failed: ${err.message}`));
  const statements = new PreparedStatements();
  return {
    pool,
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      const name = statements.nameOf(sql);
      try {
        const result = await pool.query({ name, text: sql, values: params as unknown[] });
        return result.rows as Row[];
      } catch (err) {
        // A migration changed a table under a prepared statement (0A000: "cached plan must not change result
        // type"): this answer unprepared, later ones prepared again under new names.
        if (name === undefined || pgCode(err) !== "0A000") throw err;
        statements.forget();
        const result = await pool.query(sql, params as unknown[]);
        return result.rows as Row[];
      }
    },
  };
}

/**
 * Names for the API's statements, so that each session parses and plans a statement once and then runs it by
 * name (pg's named statements: Parse once per connection, then Bind/Execute). Every statement text comes from
 * the code (values are always parameters), so the texts are few; past MAX_PREPARED, new texts run unnamed, which
 * bounds what each session keeps.
 */
export class PreparedStatements {
  static readonly MAX_PREPARED = 500;
  private names = new Map<string, string>();
  private generation = 0;

  nameOf(sql: string): string | undefined {
    let name = this.names.get(sql);
    if (name === undefined && this.names.size < PreparedStatements.MAX_PREPARED) {
      name = `api_${this.generation}_${this.names.size}`;
      this.names.set(sql, name);
    }
    return name;
  }

  /** Names every statement anew (the sessions' old statements are no longer used). */
  forget(): void {
    this.names = new Map();
    this.generation++;
  }
}

/** Postgres error code of an error thrown by pg, if any. */
export function pgCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}
