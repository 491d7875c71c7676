// Hand-written (not generated: these tables are not entities). The day-end reputation checkpoints of decision 013,
// in a schema of their own (rep_checkpoints): they are a cache the indexer's checkpoint pass (src/checkpoints/)
// derives from the index on a timer, outside the batches' transactions and the hot-block change log, so they are
// not part of the index's state (the public schema) that a resync reproduces row for row. The API's
// reputation-history export reads them; their SQL lives in @attestation-explorer/rep-history's checkpoints.ts.
//
// - rep_checkpoints.node_day: a node's rep-v1 sums S, N and D at a day's end, bit for bit what the replay of its
//   events as of that time gives. A node whose sums are all zero at that time has no row.
// - rep_checkpoints.state: one row. The rows cover every node at every day end from first_day_end to through
//   (none before first_day_end: no event was earlier). They were computed from the index as it stood at
//   basis_block, a final block, and are stale once a restatement (a PCR revocation, a late registration) is in a
//   later block.
// - The read-only role reads them (the ReaderRole migration's default privileges cover the public schema only).
module.exports = class ReputationCheckpoints1796430099515 {
  name = "ReputationCheckpoints1796430099515";

  async up(db) {
    await db.query(`CREATE SCHEMA "rep_checkpoints"`);
    await db.query(`CREATE TABLE "rep_checkpoints"."node_day" (
      "node_id" text NOT NULL,
      "day_end" TIMESTAMP WITH TIME ZONE NOT NULL,
      "s" double precision NOT NULL,
      "n" double precision NOT NULL,
      "d" double precision NOT NULL,
      CONSTRAINT "PK_rep_checkpoints_node_day" PRIMARY KEY ("node_id", "day_end"))`);
    await db.query(`CREATE TABLE "rep_checkpoints"."state" (
      "id" text NOT NULL,
      "first_day_end" TIMESTAMP WITH TIME ZONE NOT NULL,
      "through" TIMESTAMP WITH TIME ZONE NOT NULL,
      "basis_block" integer NOT NULL,
      "computed_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "rows" integer NOT NULL,
      "seconds" double precision NOT NULL,
      CONSTRAINT "PK_rep_checkpoints_state" PRIMARY KEY ("id"))`);
    await db.query(`
      DO $$
      BEGIN
        IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'explorer_reader') THEN
          GRANT USAGE ON SCHEMA rep_checkpoints TO explorer_reader;
          GRANT SELECT ON ALL TABLES IN SCHEMA rep_checkpoints TO explorer_reader;
        END IF;
      END
      $$`);
  }

  async down(db) {
    await db.query(`DROP SCHEMA "rep_checkpoints" CASCADE`);
  }
};
