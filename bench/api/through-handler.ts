import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import type { Store } from "@subsquid/typeorm-store";
import type * as Connection from "../../indexer/src/db/connection.ts";
import type * as ReorgDb from "../../indexer/src/db/reorg-aware-database.ts";
import type * as HandleBatch from "../../indexer/src/mapping/handle-batch.ts";
import type { ProcessorContext } from "../../indexer/src/processor.ts";
import { CONTRACTS, type SynthBlock } from "./action-logs.ts";

// Blocks of logs through the indexer's own batch handler (indexer/src/mapping/handle-batch.ts: decode, load, map,
// bulk write) inside ReorgAwareDatabase's transactions, exactly as the processor drives them for finalized
// batches, so every table and derived value (counts, buckets, rep-v1 state, checks) is what the indexer writes.
// The compiled indexer (indexer/lib, `npm run build -w indexer`) is used: TypeormDatabase loads the compiled
// models. Used by the API bench's seeding (seed.ts) and the API tests' fixture network (api/src/testing).

const INDEXER_DIR = resolve(import.meta.dirname, "../../indexer");
const require = createRequire(import.meta.url);
const lib = (path: string) => require(join(INDEXER_DIR, "lib", path));
const { useDatabaseUrl } = lib("db/connection.js") as typeof Connection;
const { ReorgAwareDatabase } = lib("db/reorg-aware-database.js") as typeof ReorgDb;
const { makeBatchHandler } = lib("mapping/handle-batch.js") as typeof HandleBatch;

export interface HandlerOptions {
  /** The database (its migrations applied). */
  url: string;
  finalityConfirmations: number;
  /** The chain head the indexer is told of (default: the last block indexed). */
  chainHead?: number;
  log?: (message: string) => void;
}

export interface IndexingHandler {
  /** One batch of blocks (after the previous one), in one transaction, as the processor's finalized batches. */
  index(blocks: SynthBlock[]): Promise<void>;
  /**
   * Blocks at the chain's head, as the processor hands them over once caught up (transactHot2): those up to
   * `finalized` in one go, each later one as a hot block that a reorg can roll back. The first block's parent
   * must be a block indexed before: below the last one indexed, the blocks above it are rolled back (a reorg).
   */
  indexHot(blocks: SynthBlock[], finalized: { height: number; hash: string }): Promise<void>;
  close(): Promise<void>;
}

type Handler = (ctx: ProcessorContext<Store>) => Promise<void>;

/** The synthetic chains have no RPC endpoint: every registration's calldata gives its key. */
const noRpc = {
  client: {
    call: async () => {
      throw new Error("the synthetic chain has no RPC endpoint");
    },
  },
};

export async function indexingHandler(options: HandlerOptions): Promise<IndexingHandler> {
  const log = options.log ?? console.log;
  let lastHeight = 0;
  useDatabaseUrl(options.url);
  const db = new ReorgAwareDatabase({
    projectDir: INDEXER_DIR,
    finalityConfirmations: options.finalityConfirmations,
    chainHead: () => Math.max(options.chainHead ?? 0, lastHeight),
    log,
  });
  await db.connect();
  const handle = db.wrapHandler(makeBatchHandler(CONTRACTS) as Handler);
  const quiet = { warn: (m: string) => log(`indexer warning: ${m}`) };
  let head = { height: -1, hash: "0x" };
  const context = (blocks: SynthBlock[], store: Store, isHead: boolean) =>
    ({ blocks, store, log: quiet, isHead, _chain: noRpc }) as unknown as ProcessorContext<Store>;
  return {
    async index(blocks) {
      const last = blocks[blocks.length - 1].header;
      const next = { height: last.height, hash: last.hash };
      lastHeight = last.height;
      await db.transact({ prevHead: head, nextHead: next }, (store) => handle(context(blocks, store, false)));
      head = next;
    },
    async indexHot(blocks, finalized) {
      const first = blocks[0].header;
      const baseHead = { height: first.height - 1, hash: first.parentHash };
      const newBlocks = blocks.map((b) => ({ height: b.header.height, hash: b.header.hash }));
      lastHeight = newBlocks[newBlocks.length - 1].height;
      await db.transactHot2({ finalizedHead: finalized, baseHead, newBlocks }, (store, beg, end) =>
        handle(context(blocks.slice(beg, end), store, true)),
      );
      head = finalized;
    },
    close: () => db.disconnect(),
  };
}
