import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import type { ApiConfig } from "../config.ts";
import { createDb, type Db } from "../db/database.ts";
import { createDatabaseFromTemplate, dropDatabase } from "./postgres.ts";

// One database per test file, copied from the migrated template of the run's Postgres (global-setup.ts).

export interface TestDatabase {
  name: string;
  adminUrl: string;
  readerUrl: string;
  /** Superuser pool: fixtures write with it. */
  admin: pg.Pool;
  /** What the API uses: the read-only role (explorer_reader) with read-only sessions. */
  db: Db;
  close(): Promise<void>;
}

export async function openTestDatabase(): Promise<TestDatabase> {
  const { adminUrl, readerUrlTemplate } = inject("apiTestPostgres");
  const name = `api_test_${randomBytes(6).toString("hex")}`;
  await createDatabaseFromTemplate(adminUrl, name);
  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/${name}`;
  const readerUrl = readerUrlTemplate.replace(/\/DATABASE$/, `/${name}`);
  const admin = new pg.Pool({ connectionString: dbUrl.toString(), max: 4 });
  const db = createDb({ connectionString: readerUrl, poolSize: 8, statementTimeoutMs: 30_000 });
  return {
    name,
    adminUrl: dbUrl.toString(),
    readerUrl,
    admin,
    db,
    async close() {
      await db.pool.end();
      await admin.end();
      await dropDatabase(adminUrl, name);
    },
  };
}

/** A configuration for tests: everything at its default except what is given. */
export function testConfig(overrides: Partial<ApiConfig> = {}): ApiConfig {
  return {
    databaseUrl: undefined,
    embeddedPostgresPort: 54329,
    host: "127.0.0.1",
    port: 0,
    corsOrigins: "*",
    rateLimitPerMinute: 0,
    rateLimitExempt: [],
    trustProxy: false,
    production: false,
    nodeEnv: "test",
    exposeErrors: false,
    healthStallSeconds: 120,
    maxBodyBytes: 102_400,
    maxDepth: 12,
    maxAliases: 30,
    maxTokens: 5000,
    maxListCost: 100_000,
    dbPoolSize: 8,
    dbStatementTimeoutMs: 30_000,
    subscriptionSource: "auto",
    subscriptionPollMs: 200,
    minHeightWaitMs: 2000,
    ...overrides,
  };
}
