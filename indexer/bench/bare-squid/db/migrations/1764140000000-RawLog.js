// The bare squid's only table (hand-written; see ../../src/model/raw-log.ts).
module.exports = class RawLog1764140000000 {
  name = "RawLog1764140000000";

  async up(db) {
    await db.query(
      `CREATE TABLE "raw_log" ("id" character varying NOT NULL, "block" integer NOT NULL, "tx" text NOT NULL, "log_index" integer NOT NULL, "address" text NOT NULL, "topic0" text, "data" text NOT NULL, CONSTRAINT "PK_raw_log" PRIMARY KEY ("id"))`,
    );
  }

  async down(db) {
    await db.query(`DROP TABLE "raw_log"`);
  }
};
