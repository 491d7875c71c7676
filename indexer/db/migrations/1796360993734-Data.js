module.exports = class Data1796360993734 {
    name = 'Data1796360993734'

    async up(db) {
        await db.query(`ALTER TABLE "tee_type" ADD "deactivated_block" integer`)
        await db.query(`ALTER TABLE "tee_type" ADD "deactivated_at" TIMESTAMP WITH TIME ZONE`)
        await db.query(`ALTER TABLE "tee_type" ADD "deactivated_tx" text`)
        await db.query(`ALTER TABLE "pcr" ADD "approved_until" TIMESTAMP WITH TIME ZONE`)
        await db.query(`ALTER TABLE "pcr_event" ADD "effective_at" TIMESTAMP WITH TIME ZONE`)
        await db.query(`ALTER TABLE "pcr_event" ADD "grace_period" numeric`)
        await db.query(`ALTER TABLE "pcr" ALTER COLUMN "tee_type" DROP NOT NULL`)
    }

    async down(db) {
        await db.query(`ALTER TABLE "tee_type" DROP COLUMN "deactivated_block"`)
        await db.query(`ALTER TABLE "tee_type" DROP COLUMN "deactivated_at"`)
        await db.query(`ALTER TABLE "tee_type" DROP COLUMN "deactivated_tx"`)
        await db.query(`ALTER TABLE "pcr" DROP COLUMN "approved_until"`)
        await db.query(`ALTER TABLE "pcr_event" DROP COLUMN "effective_at"`)
        await db.query(`ALTER TABLE "pcr_event" DROP COLUMN "grace_period"`)
        await db.query(`ALTER TABLE "pcr" ALTER COLUMN "tee_type" SET NOT NULL`)
    }
}
