// The embedded Postgres that runs when DATABASE_URL is unset (spec/run.md; docs/decisions/003).
export {
  EMBEDDED_PASSWORD,
  EMBEDDED_USER,
  EmbeddedPostgresError,
  type EmbeddedPostgresOptions,
  ensureEmbeddedPostgres,
  type PostgresHandle,
  READER_PASSWORD,
  READER_ROLE,
  relocatedDataDir,
} from "./embedded-postgres.ts";
