module.exports = class Data1795680397476 {
    name = 'Data1795680397476'

    async up(db) {
        await db.query(`CREATE INDEX "IDX_c7ae5d51ca067acc659feadf7b" ON "inference" ("last_event_block") `)
    }

    async down(db) {
        await db.query(`DROP INDEX "public"."IDX_c7ae5d51ca067acc659feadf7b"`)
    }
}
