import { appendFileSync, writeFileSync } from "node:fs";

/** One line per transaction the simulator sent: what it was, where it landed, what it should lead to. */
export interface TruthLine {
  kind: string;
  block: number;
  blockHash?: string;
  tx: string;
  reorged?: boolean;
  [key: string]: unknown;
}

/**
 * Writes the simulator's ground truth as NDJSON. Lines of the last `holdBlocks` blocks are held back, because a
 * reorg may still abandon them; abandoned lines are written with `reorged: true`, then a `reorg` line.
 */
export class GroundTruthWriter {
  private held: TruthLine[] = [];

  constructor(
    private readonly path: string | undefined,
    private readonly holdBlocks: number,
  ) {
    if (path) writeFileSync(path, "");
  }

  add(lines: TruthLine[], head: number): void {
    if (!this.path) return;
    this.held.push(...lines);
    this.flushUpTo(head - this.holdBlocks);
  }

  /** Marks every held line above `lastKept` as reorged and writes them, followed by a reorg record. */
  reorg(lastKept: number, oldHead: number): void {
    if (!this.path) return;
    this.flushUpTo(lastKept);
    const dropped = this.held.map((l) => ({ ...l, reorged: true }));
    this.held = [];
    const marker: TruthLine = {
      kind: "reorg",
      block: lastKept + 1,
      tx: "",
      fromBlock: lastKept + 1,
      toBlock: oldHead,
      depth: oldHead - lastKept,
    };
    this.write([...dropped, marker]);
  }

  close(): void {
    if (!this.path) return;
    this.write(this.held);
    this.held = [];
  }

  private flushUpTo(block: number): void {
    const keep: TruthLine[] = [];
    const out: TruthLine[] = [];
    for (const l of this.held) (l.block <= block ? out : keep).push(l);
    this.held = keep;
    this.write(out);
  }

  private write(lines: TruthLine[]): void {
    if (!this.path || lines.length === 0) return;
    appendFileSync(this.path, `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`);
  }
}
