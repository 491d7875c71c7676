import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GroundTruthWriter, type TruthLine } from "./ground-truth.ts";

const line = (block: number, tx: string): TruthLine => ({ kind: "commit", block, tx });
const read = (path: string) =>
  readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as TruthLine);

describe("ground truth writer", () => {
  it("holds back the last blocks and marks the ones a reorg abandons", () => {
    const path = join(mkdtempSync(join(tmpdir(), "gt-")), "t.ndjson");
    const w = new GroundTruthWriter(path, 3);
    for (let b = 1; b <= 6; b++) w.add([line(b, `0x${b}`)], b);
    // Blocks 1..3 are beyond reach of a 3-deep reorg at head 6 and are written; 4..6 are held.
    expect(read(path).map((l) => l.block)).toEqual([1, 2, 3]);
    w.reorg(4, 6);
    w.add([line(5, "0x5b")], 5);
    w.close();
    const all = read(path);
    expect(all.map((l) => [l.block, l.tx, l.reorged ?? false])).toEqual([
      [1, "0x1", false],
      [2, "0x2", false],
      [3, "0x3", false],
      [4, "0x4", false],
      [5, "0x5", true],
      [6, "0x6", true],
      [5, "", false],
      [5, "0x5b", false],
    ]);
    expect(all[6]).toMatchObject({ kind: "reorg", fromBlock: 5, toBlock: 6, depth: 2 });
  });

  it("writes nothing without a path", () => {
    const w = new GroundTruthWriter(undefined, 0);
    expect(() => {
      w.add([line(1, "0x1")], 1);
      w.close();
    }).not.toThrow();
  });
});
