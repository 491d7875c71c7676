import { describe, expect, test } from "vitest";
import {
  checkpointsAnswer,
  DAY_SECONDS,
  dayEnds,
  firstDayEndFrom,
  latestDayEndBefore,
} from "./checkpoints.ts";

const D = DAY_SECONDS;
const day = (n: number) => n * D;

describe("which day ends a pass may compute", () => {
  test("the latest day end strictly before a time: on a day end itself, the one before", () => {
    expect(latestDayEndBefore(day(10) + 1)).toBe(day(10));
    expect(latestDayEndBefore(day(10))).toBe(day(9));
    expect(latestDayEndBefore(day(10) - 1)).toBe(day(9));
  });

  test("the first day end that counts an event: its own time when on a day end", () => {
    expect(firstDayEndFrom(day(3))).toBe(day(3));
    expect(firstDayEndFrom(day(3) + 1)).toBe(day(4));
    expect(dayEnds(day(3), day(5))).toEqual([day(3), day(4), day(5)]);
    expect(dayEnds(day(5), day(4))).toEqual([]);
  });
});

describe("when stored checkpoints answer", () => {
  const state = { first: day(3), through: day(7), basisBlock: 100, restated: false };

  test("closed day ends up to the last checkpoint (earlier than the first: zero), the open end from the stored state", () => {
    expect(checkpointsAnswer(state, [day(1), day(3), day(7), day(8) + 5], day(8) + 5)).toBe(true);
  });

  test("not past the last checkpoint, not between day ends, not after a restatement, not before any pass", () => {
    expect(checkpointsAnswer(state, [day(7), day(8)], day(8) + 5)).toBe(false);
    expect(checkpointsAnswer(state, [day(6) + 3600], day(8))).toBe(false);
    expect(checkpointsAnswer({ ...state, restated: true }, [day(5)], day(8))).toBe(false);
    expect(checkpointsAnswer(undefined, [day(5)], day(8))).toBe(false);
  });
});
