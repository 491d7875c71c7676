module.exports = class Data1796360403237 {
    name = 'Data1796360403237'

    async up(db) {
        await db.query(`CREATE TABLE "tee_attestation" ("id" character varying NOT NULL, "format" character varying(12) NOT NULL, "status" character varying(14) NOT NULL, "reason" text, "module_id" text, "timestamp" TIMESTAMP WITH TIME ZONE, "pcr0" text, "pcr1" text, "pcr2" text, "pcr_hash" text, "certificates" jsonb, "user_data" text, "document" text, "tls_certificate" text, "block" integer NOT NULL, "block_hash" text NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "tx" text NOT NULL, "log_index" integer NOT NULL, CONSTRAINT "PK_1b3f9a6a7a9f99cb17b063df249" PRIMARY KEY ("id"))`)
        await db.query(`ALTER TABLE "indexer_state" ADD "tee_registry" text`)
        await db.query(`ALTER TABLE "indexer_state" ADD "settlement_relay" text`)
        await db.query(`ALTER TABLE "indexer_state" ADD "attestation_registry" text`)
    }

    async down(db) {
        await db.query(`DROP TABLE "tee_attestation"`)
        await db.query(`ALTER TABLE "indexer_state" DROP COLUMN "tee_registry"`)
        await db.query(`ALTER TABLE "indexer_state" DROP COLUMN "settlement_relay"`)
        await db.query(`ALTER TABLE "indexer_state" DROP COLUMN "attestation_registry"`)
    }
}
