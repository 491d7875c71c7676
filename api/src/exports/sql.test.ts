import { TIME_BLOCK_SQL, TIMES_BLOCKS_SQL } from "@attestation-explorer/rep-history";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { seedNetwork } from "../testing/seed-through-handler.ts";
import { openTestDatabase, type TestDatabase } from "../testing/test-db.ts";

// The history export's bucket-end blocks (TIMES_BLOCKS_SQL, one statement for many times) against
// TIME_BLOCK_SQL (one time per statement, as asOf is resolved) on the fixture network, at every event time, a
// second before and after each, and before the first and after the last.

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await openTestDatabase();
  await seedNetwork(tdb.adminUrl);
}, 120_000);
afterAll(async () => {
  await tdb?.close();
});

describe("TIMES_BLOCKS_SQL", () => {
  test("answers TIME_BLOCK_SQL at each time, in the order asked", async () => {
    const rows = await tdb.db.query<{ t: number }>(
      `SELECT DISTINCT extract(epoch FROM t)::float8 AS t FROM (
         SELECT committed_at AS t FROM inference UNION ALL SELECT at FROM inference_verdict
         UNION ALL SELECT at FROM settlement UNION ALL SELECT at FROM slash UNION ALL SELECT at FROM stake_change
         UNION ALL SELECT at FROM tee_status_change UNION ALL SELECT at FROM pcr_event
         UNION ALL SELECT opened_at FROM challenge UNION ALL SELECT at FROM heartbeat) x ORDER BY 1`,
    );
    expect(rows.length).toBeGreaterThan(10);
    const seconds = rows.flatMap(({ t }) => [t - 1, t, t + 1]);
    seconds.push(rows[0].t - 86_400, rows[rows.length - 1].t + 86_400);
    // Descending: the answer follows the order asked, not the times'.
    const times = seconds.sort((a, b) => b - a).map((s) => new Date(s * 1000));
    const expected: (number | null)[] = [];
    for (const time of times) {
      expected.push((await tdb.db.query<{ block: number | null }>(TIME_BLOCK_SQL, [time]))[0].block);
    }
    const got = (await tdb.db.query<{ block: number | null }>(TIMES_BLOCKS_SQL, [times])).map((r) => r.block);
    expect(got).toEqual(expected);
    expect(got.at(-1)).toBeNull();
    expect(new Set(got).size).toBeGreaterThan(5);
  });
});
