// Hand-written, as ReputationCheckpoints (these tables are not entities). rep_checkpoints.day_block: the block of
// each final day end (the latest block with an indexed event at or before it, @attestation-explorer/rep-history's
// TIMES_BLOCKS_SQL), stored by the checkpoint pass with the sums, so that the reputation-history export reads the
// blocks of its bucket ends instead of scanning the event tables per request (DAY_BLOCKS_SQL). It holds every day
// end from the first at or after the earliest event through rep_checkpoints.state.through.
//
// The state row is removed: the next pass is a full one, which stores every day end's block (an incremental pass
// would add only the new day ends').
module.exports = class CheckpointDayBlocks1796520000000 {
  name = "CheckpointDayBlocks1796520000000";

  async up(db) {
    await db.query(`CREATE TABLE "rep_checkpoints"."day_block" (
      "day_end" TIMESTAMP WITH TIME ZONE NOT NULL,
      "block" integer NOT NULL,
      CONSTRAINT "PK_rep_checkpoints_day_block" PRIMARY KEY ("day_end"))`);
    await db.query(`DELETE FROM "rep_checkpoints"."state"`);
    await db.query(`
      DO $$
      BEGIN
        IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'explorer_reader') THEN
          GRANT SELECT ON "rep_checkpoints"."day_block" TO explorer_reader;
        END IF;
      END
      $$`);
  }

  async down(db) {
    await db.query(`DROP TABLE "rep_checkpoints"."day_block"`);
  }
};
