import { describe, expect, test } from "vitest";
import { highestIndexedHeight, isBehind, minHeightHeaders, noteIndexedHeight } from "./indexed-height.server";

const answer = (status: number, height?: string) =>
  new Response("{}", { status, headers: height === undefined ? {} : { "x-indexed-height": height } });

describe("the highest indexed height the explorer has shown", () => {
  test("asks for nothing before the first answer, then for the highest height seen, never a lower one", () => {
    expect(minHeightHeaders()).toEqual({});
    noteIndexedHeight(answer(200, "120").headers);
    expect(minHeightHeaders()).toEqual({ "x-min-height": "120" });
    noteIndexedHeight(answer(200, "90").headers); // a lagging replica's answer does not lower it
    noteIndexedHeight(answer(200).headers);
    noteIndexedHeight(answer(200, "12abc").headers);
    expect(highestIndexedHeight()).toBe(120);
    noteIndexedHeight(answer(200, "121").headers);
    expect(minHeightHeaders()).toEqual({ "x-min-height": "121" });
  });

  test("a 503 from a replica below that height is one to retry; other 503s and answers are not", () => {
    expect(isBehind(answer(503, "100"))).toBe(true);
    expect(isBehind(answer(503, "121"))).toBe(false);
    expect(isBehind(answer(503))).toBe(false); // the database is down: no height, not a replica behind
    expect(isBehind(answer(200, "100"))).toBe(false);
  });
});
