import { evaluate, stateFromRow } from "@attestation-explorer/rep-v1";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openTestDatabase, type TestDatabase } from "../testing/test-db.ts";
import { scoreLateral } from "./score-sql.ts";

// The leaderboard's SQL score against the rep-v1 library, on the same decayed states.

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await openTestDatabase();
});
afterAll(async () => {
  await tdb?.close();
});

const H = 1_209_600;
const T = 1_800_000_000;

describe("rep-v1 score in SQL", () => {
  test("equals the library's evaluate() on sample states, edge cases included", async () => {
    const states: { ref_time: number; s: number; n: number; d: number }[] = [
      { ref_time: T, s: 0, n: 0, d: 0 },
      { ref_time: T, s: 3, n: 3, d: 0 },
      { ref_time: T, s: 970, n: 1000, d: 0 },
      { ref_time: T - H, s: 20, n: 20, d: 0 },
      { ref_time: T, s: 10, n: 10, d: 1 },
      { ref_time: T - 3 * H, s: 50, n: 80, d: 2.5 },
      { ref_time: T, s: 0, n: 7, d: 0 },
      { ref_time: T, s: 1e-12, n: 1e-9, d: 0 },
      { ref_time: T - 200 * H, s: 1000, n: 1000, d: 0 },
      { ref_time: T, s: 100, n: 100, d: 3000 },
      { ref_time: T - 0.5 * H, s: 123.456, n: 130.001, d: 0.3 },
    ];
    // And 500 pseudo-random ones.
    let seed = 7;
    const rand = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 500; i++) {
      const n = rand() < 0.1 ? rand() * 2 : rand() * 2000;
      states.push({
        ref_time: T - Math.floor(rand() * 10 * H),
        s: n * rand() ** 0.2,
        n,
        d: rand() < 0.5 ? 0 : rand() * 5,
      });
    }
    const lateral = scoreLateral({ refTime: "x.ref_time", s: "x.s", n: "x.n", d: "x.d" }, "$2::float8", "r");
    const rows = await tdb.db.query<{ i: number; score: number; samples: number; provisional: boolean }>(
      `SELECT x.i, r.score, r.samples, r.provisional
         FROM jsonb_to_recordset($1::jsonb) AS x(i int, ref_time int, s numeric, n numeric, d numeric) ${lateral}
        ORDER BY x.i`,
      [JSON.stringify(states.map((s, i) => ({ i, ...s }))), T],
    );
    expect(rows).toHaveLength(states.length);
    rows.forEach((row, i) => {
      const expected = evaluate(stateFromRow(states[i]), T);
      expect({ i, score: row.score, provisional: row.provisional }).toEqual({
        i,
        score: expected.score,
        provisional: expected.provisional,
      });
      expect(row.samples).toBeCloseTo(expected.effectiveSamples, 9);
    });
  });

  test("models ignore slashes (D = 0)", async () => {
    const lateral = scoreLateral({ refTime: "x.ref_time", s: "x.s", n: "x.n" }, "$1::float8", "r");
    const [row] = await tdb.db.query<{ score: number }>(
      `SELECT r.score FROM (SELECT ${T}::int AS ref_time, 10::numeric AS s, 10::numeric AS n) x ${lateral}`,
      [T],
    );
    expect(row.score).toBe(evaluate(stateFromRow({ ref_time: T, s: 10, n: 10, d: 0 }), T, "model").score);
  });
});
