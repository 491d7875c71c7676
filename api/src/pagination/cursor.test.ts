import { describe, expect, test } from "vitest";
import { SqlParams } from "../db/sql.ts";
import { afterCursorSql, type Ordering, parseFirst, toConnection } from "./connection.ts";
import { decodeCursor, encodeCursor } from "./cursor.ts";

describe("cursors", () => {
  test("round-trip the sort key of their list", () => {
    const cursor = encodeCursor("nodes:STAKE_DESC", ["1000000000000000000000", "0xab"]);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor("nodes:STAKE_DESC", cursor, ["string", "string"])).toEqual([
      "1000000000000000000000",
      "0xab",
    ]);
  });

  test("a cursor of another list or ordering is BAD_USER_INPUT", () => {
    const cursor = encodeCursor("nodes:STAKE_DESC", ["1", "0xab"]);
    expect(() => decodeCursor("nodes:SCORE_DESC", cursor, ["int", "string"])).toThrowError(
      /^Got after=".*", expected a cursor returned by this list \(nodes:SCORE_DESC\)$/,
    );
  });

  test("malformed cursors are BAD_USER_INPUT, never an exception of another kind", () => {
    const fields = ["int", "string"] as const;
    for (const bad of [
      "",
      "not a cursor!",
      "e30",
      Buffer.from("[1,2,3]").toString("base64url"),
      "x".repeat(5000),
    ]) {
      try {
        decodeCursor("l", bad, fields);
        expect.unreachable();
      } catch (err) {
        expect((err as { extensions: { code: string } }).extensions.code).toBe("BAD_USER_INPUT");
      }
    }
    // Right list, wrong field types.
    expect(() => decodeCursor("l", encodeCursor("l", ["x", "y"]), fields)).toThrow(/expected a cursor/);
    expect(() => decodeCursor("l", encodeCursor("l", [1.5, "y"]), fields)).toThrow(/expected a cursor/);
  });
});

describe("first", () => {
  test("defaults to 50 and allows 0..1000", () => {
    expect(parseFirst(undefined)).toBe(50);
    expect(parseFirst(null)).toBe(50);
    expect(parseFirst(0)).toBe(0);
    expect(parseFirst(1000)).toBe(1000);
  });

  test("more than 1000 or less than 0 is BAD_USER_INPUT saying what was received", () => {
    expect(() => parseFirst(5000)).toThrowError("Got first=5000, expected at most 1000");
    expect(() => parseFirst(-1)).toThrowError("Got first=-1, expected at least 0");
  });
});

describe("keyset pagination", () => {
  type Row = { score: number; id: string };
  const mixed: Ordering<Row> = {
    list: "t",
    keys: [
      { sql: "score", dir: "DESC", cast: "int", value: (r) => r.score },
      { sql: "id", dir: "ASC", cast: "text", value: (r) => r.id },
    ],
  };
  const same: Ordering<Row> = {
    list: "t",
    keys: [
      { sql: "score", dir: "DESC", cast: "int", value: (r) => r.score },
      { sql: "id", dir: "DESC", cast: "text", value: (r) => r.id },
    ],
  };

  test("one direction: a row comparison an index can serve", () => {
    const params = new SqlParams();
    const sql = afterCursorSql(same, encodeCursor("t", [5, "b"]), params);
    expect(sql).toBe("(score, id) < ($1::int, $2::text)");
    expect(params.values).toEqual([5, "b"]);
  });

  test("mixed directions: after (5, b) means a lower score, or the same score and a greater id", () => {
    const params = new SqlParams();
    expect(afterCursorSql(mixed, encodeCursor("t", [5, "b"]), params)).toBe(
      "((score < $1::int) OR (score = $1::int AND id > $2::text))",
    );
  });

  test("no cursor: no condition", () => {
    expect(afterCursorSql(mixed, undefined, new SqlParams())).toBeUndefined();
  });

  test("a page of first rows has a next page when first + 1 rows came back", async () => {
    const rows = [
      { score: 9, id: "a" },
      { score: 8, id: "b" },
      { score: 8, id: "c" },
    ];
    const page = toConnection(
      rows,
      2,
      mixed,
      (r) => r.id,
      async () => 3,
    );
    expect(page.edges.map((e) => e.node)).toEqual(["a", "b"]);
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(decodeCursor("t", page.pageInfo.endCursor as string, ["int", "string"])).toEqual([8, "b"]);
    expect(await page.totalCount()).toBe(3);
    const last = toConnection(
      rows.slice(2),
      2,
      mixed,
      (r) => r.id,
      async () => 3,
    );
    expect(last.pageInfo).toEqual({ hasNextPage: false, endCursor: last.edges[0].cursor });
    expect(
      toConnection(
        [],
        2,
        mixed,
        (r) => r.id,
        async () => 0,
      ).pageInfo,
    ).toEqual({ hasNextPage: false, endCursor: null });
  });
});
