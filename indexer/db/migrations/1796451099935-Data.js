module.exports = class Data1796451099935 {
    name = 'Data1796451099935'

    async up(db) {
        await db.query(`CREATE INDEX "IDX_ad5f2d0c2f7f59aeaccfb5b088" ON "node" ("registered_block") `)
    }

    async down(db) {
        await db.query(`DROP INDEX "public"."IDX_ad5f2d0c2f7f59aeaccfb5b088"`)
    }
}
