// Generated from schema.graphql's Inference indexes (down() corrected by hand: TypeORM read the dropped index's
// columns back in table order). The API's inference lists, newest first by (committed_block, committed_log_index,
// id), filtered by model, status or discrepancy, read these indexes in their order instead of walking
// committed_block and discarding rows of other models or statuses; they replace the indexes on status,
// discrepancy and (model, committed_block), which are their prefixes.
module.exports = class Data1796373329538 {
    name = 'Data1796373329538'

    async up(db) {
        await db.query(`DROP INDEX "public"."IDX_fb0192f8f7fb8d4bbd864ff342"`)
        await db.query(`DROP INDEX "public"."IDX_9870b3fa6b9f98e875f52fa6d2"`)
        await db.query(`DROP INDEX "public"."IDX_4aaa89f0742c219ad717e8a8fb"`)
        await db.query(`CREATE INDEX "IDX_f2b25aaabea970fea87c0363a0" ON "inference" ("discrepancy", "committed_block", "committed_log_index", "id") `)
        await db.query(`CREATE INDEX "IDX_c61398eb02881af6ec3776b680" ON "inference" ("status", "committed_block", "committed_log_index", "id") `)
        await db.query(`CREATE INDEX "IDX_e4c02db8dd009c2b1b119922df" ON "inference" ("model_id", "committed_block", "committed_log_index", "id") `)
    }

    async down(db) {
        await db.query(`CREATE INDEX "IDX_fb0192f8f7fb8d4bbd864ff342" ON "inference" ("status") `)
        await db.query(`CREATE INDEX "IDX_9870b3fa6b9f98e875f52fa6d2" ON "inference" ("discrepancy") `)
        await db.query(`CREATE INDEX "IDX_4aaa89f0742c219ad717e8a8fb" ON "inference" ("model_id", "committed_block") `)
        await db.query(`DROP INDEX "public"."IDX_f2b25aaabea970fea87c0363a0"`)
        await db.query(`DROP INDEX "public"."IDX_c61398eb02881af6ec3776b680"`)
        await db.query(`DROP INDEX "public"."IDX_e4c02db8dd009c2b1b119922df"`)
    }
}
