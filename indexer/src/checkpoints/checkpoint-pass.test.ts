import { describe, expect, it } from "vitest";
import type { IndexedHead } from "../db/reorg-aware-database.ts";
import { CheckpointPass } from "./checkpoint-pass.ts";

const head = (
  height: number,
  timeSeconds: number | undefined,
  chainHeight: number,
  reorgFrom?: number,
  finality = 5,
): IndexedHead => ({
  height,
  hash: `0x${height.toString(16)}`,
  timestamp: timeSeconds === undefined ? undefined : timeSeconds * 1000,
  chainHeight,
  finalizedHeight: Math.max(0, chainHeight - finality),
  reorg:
    reorgFrom === undefined
      ? undefined
      : {
          id: "r",
          detectedAt: new Date(0),
          fromBlock: reorgFrom,
          toBlock: height - 1,
          depth: height - reorgFrom,
        },
});

const pass = () => new CheckpointPass({ databaseUrl: "postgres://unused", intervalMs: 1000, log: () => {} });

describe("what the checkpoint pass knows from the indexer's commits", () => {
  it("during a catch-up every committed head is final, and the pass does not run", () => {
    const p = pass();
    p.noteCommit(head(100, 1_000, 500));
    p.noteCommit(head(200, 2_000, 500));
    expect(p.finalBlockTime).toBe(2_000);
    expect(p.followingHead).toBe(false);
  });

  it("at the head a block's time counts once the finalized height reaches it", () => {
    const p = pass();
    p.noteCommit(head(495, 4_950, 500)); // finalized 495: final at once
    p.noteCommit(head(500, 5_000, 500));
    p.noteCommit(head(503, 5_030, 503)); // finalized 498
    expect(p.finalBlockTime).toBe(4_950);
    expect(p.followingHead).toBe(true);
    p.noteCommit(head(505, 5_050, 505)); // finalized 500: block 500's time
    expect(p.finalBlockTime).toBe(5_000);
    p.noteCommit(head(510, 5_100, 510)); // finalized 505
    expect(p.finalBlockTime).toBe(5_050);
  });

  it("a reorg forgets the abandoned heads' times; a head without a time is not counted", () => {
    const p = pass();
    p.noteCommit(head(500, 5_000, 500));
    p.noteCommit(head(503, 9_999, 503)); // abandoned below
    p.noteCommit(head(502, 5_020, 503)); // the new branch's head
    p.noteCommit(head(503, undefined, 503));
    p.noteCommit(head(508, 5_080, 508)); // finalized 503: 503 had no known time on this branch
    expect(p.finalBlockTime).toBe(5_020);
  });

  it("a longer branch's head forgets the times of the heads it replaced", () => {
    const p = pass();
    p.noteCommit(head(500, 5_000, 500));
    p.noteCommit(head(502, 9_999, 502)); // replaced below
    p.noteCommit(head(504, 5_040, 504, 501)); // blocks 501.. replaced
    p.noteCommit(head(507, 5_070, 507)); // finalized 502: block 502's time on the abandoned branch is not used
    expect(p.finalBlockTime).toBe(5_000);
  });
});
