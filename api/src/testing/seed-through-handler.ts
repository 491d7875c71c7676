import { BlockBuilder, encodeAction, type SynthBlock } from "../../../bench/api/action-logs.ts";
import { indexingHandler } from "../../../bench/api/through-handler.ts";
import type { Action } from "../../../devnet/src/simulator/policy/actions.ts";
import {
  blockHash,
  buildNetwork,
  CHAIN_HEAD,
  type Extension,
  FINALITY,
  FINALIZED,
  type Fixture,
  HEIGHT,
  hex,
  orphanAction,
  orphanHash,
  REORGS,
  timeOf,
  txHash,
  WORLD,
} from "./network.ts";

// Writes the fixture network (network.ts) into a migrated, empty database with the indexer's own code: its
// actions encoded as the contracts' logs (bench/api/action-logs.ts), every block 1..HEIGHT through the indexer's
// batch handler in ReorgAwareDatabase's transactions (bench/api/through-handler.ts), as the processor does: in
// batches while catching up, then at the head, where two branches are replaced (REORGS).

/** Blocks per handler batch while catching up (the processor's batches hold many blocks). */
const BATCH_BLOCKS = 250;

function block(height: number, hash: string, parentHash: string, b: BlockBuilder): SynthBlock {
  return { header: { height, hash, parentHash, timestamp: timeOf(height) * 1000 }, logs: b.logs };
}

/** The network's blocks 1..HEIGHT as the processor hands them over (blocks without logs included). */
export function networkBlocks(network = buildNetwork()): SynthBlock[] {
  let tx = 1;
  let raw = 0;
  const blocks: SynthBlock[] = [];
  for (let height = 1; height <= HEIGHT; height++) {
    const b = new BlockBuilder(() => txHash(tx++));
    for (const a of network.blocks.get(height) ?? []) encodeAction(b, WORLD, a);
    for (const l of network.rawLogs.get(height) ?? []) {
      b.begin(l.from, l.address, l.input, hex("d6", raw++));
      b.log(l.address, l.log, l.input !== undefined);
    }
    blocks.push(block(height, blockHash(height), blockHash(height - 1), b));
  }
  return blocks;
}

/** The replaced branch of a reorg: blocks from..to, each with its orphan action. */
function orphanBlocks(from: number, to: number): SynthBlock[] {
  const blocks: SynthBlock[] = [];
  for (let height = from; height <= to; height++) {
    const b = new BlockBuilder(() => orphanHash(height));
    encodeAction(b, WORLD, orphanAction(height));
    const parent = height === from ? blockHash(height - 1) : orphanHash(height - 1);
    blocks.push(block(height, orphanHash(height), parent, b));
  }
  return blocks;
}

/** Seeds the database at `url` through the indexer's handler; returns what the tests expect of it. */
export async function seedNetwork(url: string, extend?: Extension): Promise<Fixture> {
  const head = await seedNetworkAtHead(url, extend);
  await head.close();
  return head.fixture;
}

/** The seeded network with the indexer still following its head (a test's own later blocks). */
export interface NetworkHead {
  fixture: Fixture;
  /**
   * Block `height` with these actions, at the head: after HEIGHT or a block given before. With `branch`, the
   * block is on another branch (its hash) whose parent is height - 1's: the blocks from `height` on that were
   * indexed are replaced (a reorg).
   */
  indexBlock(height: number, actions: Action[], branch?: string): Promise<void>;
  close(): Promise<void>;
}

export async function seedNetworkAtHead(url: string, extend?: Extension): Promise<NetworkHead> {
  const network = buildNetwork(extend);
  const blocks = networkBlocks(network);
  const said: string[] = [];
  const handler = await indexingHandler({
    url,
    finalityConfirmations: FINALITY,
    chainHead: CHAIN_HEAD,
    log: (m) => {
      if (!m.startsWith("reorg: ")) said.push(m);
    },
  });
  // Blocks by height; `final(h)`: block h as the finalized head.
  const range = (from: number, to: number) => blocks.slice(from - 1, to);
  const final = (h: number) => ({ height: h, hash: blockHash(h) });
  const [first, second] = REORGS;
  try {
    // Catching up to just before the first reorg's branch, in batches.
    const caughtUp = first.fromBlock - 3;
    for (let from = 1; from <= caughtUp; from += BATCH_BLOCKS)
      await handler.index(range(from, Math.min(caughtUp, from + BATCH_BLOCKS - 1)));
    // Following the head: a branch that the chain replaces, twice.
    await handler.indexHot(
      [...range(caughtUp + 1, first.fromBlock - 1), ...orphanBlocks(first.fromBlock, first.toBlock)],
      final(caughtUp),
    );
    await handler.indexHot(range(first.fromBlock, first.toBlock), final(caughtUp));
    await handler.indexHot(
      [...range(first.toBlock + 1, second.fromBlock - 1), ...orphanBlocks(second.fromBlock, second.toBlock)],
      final(second.fromBlock - 2),
    );
    await handler.indexHot(range(second.fromBlock, HEIGHT), final(FINALIZED));
  } catch (err) {
    await handler.close();
    throw err;
  }
  // The network is a valid chain: the indexer has nothing to warn about.
  if (said.length > 0) {
    await handler.close();
    throw new Error(`the indexer warned while seeding:\n${said.join("\n")}`);
  }
  // Later blocks: hashes by height (and branch), transactions numbered apart from the network's.
  const hashes = new Map<number, string>();
  let tx = 0;
  return {
    fixture: network.fixture,
    async indexBlock(height, actions, branch) {
      const b = new BlockBuilder(() => hex("d5", tx++));
      for (const a of actions) encodeAction(b, WORLD, a);
      const hash = branch ?? blockHash(height);
      hashes.set(height, hash);
      const parent = hashes.get(height - 1) ?? blockHash(height - 1);
      await handler.indexHot([block(height, hash, parent, b)], final(FINALIZED));
      if (said.length > 0) throw new Error(`the indexer warned:\n${said.join("\n")}`);
    },
    close: () => handler.close(),
  };
}
