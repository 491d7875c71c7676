// Hand-written (not generated): the read-only role the API connects as, `explorer_reader`.
//
// - The role is cluster-wide. The embedded Postgres creates it with a password beforehand
//   (src/db/embedded-postgres.ts); elsewhere this migration creates it without one (LOGIN, so an operator only
//   has to set a password), and skips that step with a notice when the migrating user may not create roles
//   (managed databases): then an operator creates it, and the grants below still run.
// - SELECT on every table of the public schema, now and later: the default privileges cover tables that later
//   migrations create, so this migration's position in the order does not matter.
// - No access to the processor's own schema (squid_processor: hot-block change log and status).
module.exports = class ReaderRole1795676979244 {
  name = "ReaderRole1795676979244";

  async up(db) {
    await db.query(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'explorer_reader') THEN
          CREATE ROLE explorer_reader LOGIN;
        END IF;
      EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'cannot create role explorer_reader (no CREATEROLE); create it and rerun the grants';
      END
      $$`);
    await db.query(`
      DO $$
      BEGIN
        IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'explorer_reader') THEN
          EXECUTE format('GRANT CONNECT ON DATABASE %I TO explorer_reader', current_database());
          GRANT USAGE ON SCHEMA public TO explorer_reader;
          GRANT SELECT ON ALL TABLES IN SCHEMA public TO explorer_reader;
          ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO explorer_reader;
        END IF;
      END
      $$`);
  }

  async down(db) {
    await db.query(`
      DO $$
      BEGIN
        IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'explorer_reader') THEN
          ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT ON TABLES FROM explorer_reader;
          REVOKE SELECT ON ALL TABLES IN SCHEMA public FROM explorer_reader;
          REVOKE USAGE ON SCHEMA public FROM explorer_reader;
          EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM explorer_reader', current_database());
        END IF;
      END
      $$`);
  }
};
