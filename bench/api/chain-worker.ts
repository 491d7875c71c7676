import { parentPort, workerData } from "node:worker_threads";
import type { SynthBlock } from "./action-logs.ts";
import { type ChainOptions, type ChainStats, EXTRA_KEYS, SyntheticChain } from "./chain.ts";
import { teeKeys } from "./keys.ts";

// The synthetic chain generated in a worker thread (started by seed.ts), so the next batch of blocks is built and
// signed while the indexer's handler writes the previous one. Each message from the parent asks for one batch:
// blocks up to about `batchEvents` events; an empty batch carries the chain's statistics and ends it.

export interface WorkerInput {
  options: ChainOptions;
  nodesWithKeys: number;
  batchEvents: number;
}

export type WorkerMessage =
  | { kind: "keys"; count: number; seconds: number }
  | { kind: "batch"; blocks: SynthBlock[]; events: number }
  | { kind: "done"; stats: ChainStats };

const { options, nodesWithKeys, batchEvents } = workerData as WorkerInput;
const port = parentPort;
if (!port) throw new Error("chain-worker.ts runs as a worker thread");
const t = performance.now();
const keys = teeKeys(nodesWithKeys + EXTRA_KEYS);
port.postMessage({
  kind: "keys",
  count: keys.length,
  seconds: (performance.now() - t) / 1000,
} satisfies WorkerMessage);
const chain = new SyntheticChain(options, keys);
const blocks = chain.blocks();

port.on("message", () => {
  const batch: SynthBlock[] = [];
  let events = 0;
  while (events < batchEvents) {
    const next = blocks.next();
    if (next.done) break;
    batch.push(next.value);
    events += next.value.logs.length;
  }
  const message: WorkerMessage =
    batch.length > 0 ? { kind: "batch", blocks: batch, events } : { kind: "done", stats: chain.stats };
  port.postMessage(message);
});
