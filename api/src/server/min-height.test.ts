import type { IncomingMessage } from "node:http";
import { describe, expect, test } from "vitest";
import { parseMinHeight, readAtLeast } from "./min-height.ts";

const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe("X-Min-Height", () => {
  test("absent is no requirement; a block number is one; anything else says what was wrong", () => {
    expect(parseMinHeight(request({}))).toBeUndefined();
    expect(parseMinHeight(request({ "x-min-height": "1234" }))).toBe(1234);
    expect(parseMinHeight(request({ "x-min-height": " 0 " }))).toBe(0);
    for (const bad of ["-1", "1.5", "0x10", "", "9".repeat(16)]) {
      expect(parseMinHeight(request({ "x-min-height": bad }))).toEqual({
        error: `Got X-Min-Height: ${JSON.stringify(bad)}, expected a block number such as 1234`,
      });
    }
  });

  test("a reading below the height is repeated until it reaches it", async () => {
    let height = 10;
    const reading = await readAtLeast(
      async () => height++,
      (h) => h,
      14,
      5_000,
    );
    expect(reading).toEqual({ value: 14, reached: true });
  });

  test("a reading that stays below gives up after the wait, with the last height", async () => {
    const started = Date.now();
    const reading = await readAtLeast(
      async () => 7,
      (h) => h,
      8,
      200,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(reading).toEqual({ value: 7, reached: false });
  });

  test("without a height asked for, or with a failed reading, it reads once", async () => {
    let reads = 0;
    expect(
      await readAtLeast(
        async () => ++reads,
        (h) => h,
        undefined,
        1_000,
      ),
    ).toEqual({
      value: 1,
      reached: true,
    });
    expect(
      await readAtLeast(
        async () => ++reads,
        () => undefined,
        100,
        1_000,
      ),
    ).toEqual({
      value: 2,
      reached: false,
    });
  });
});
