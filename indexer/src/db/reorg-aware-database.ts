import { TypeormDatabase, type TypeormDatabaseOptions } from "@subsquid/typeorm-store";
import type { EntityManager } from "typeorm";
import type { ContractAddresses } from "../config.ts";

// TypeormDatabase (hot blocks on) plus what the explorer needs around each of its transactions:
//
// - Reorg records. TypeormDatabase.transactHot2(info, cb) first rolls back, through its change log, every hot
//   block above info.baseHead (the common ancestor of the old and the new branch), then maps the new blocks.
//   A baseHead below the head we committed last is a rollback, and a reorg when a rolled-back block comes back
//   with another hash (or not at all): fromBlock = the first such block (normally baseHead + 1), toBlock = the
//   abandoned head. (When it restarts at the chain head, the processor rolls back and re-applies the unchanged
//   head block: a rollback, not a reorg.) A reorg is written to `reorg` with plain SQL, which the change log
//   does not see, so a later rollback never erases it (schema.graphql, Reorg).
// - The `indexer_state` row (id 'indexer'), written the same way after every transaction: indexed head,
//   chain head seen, finalized height = chain head - FINALITY_CONFIRMATIONS, sum of reorg depths.
// - NOTIFY explorer_indexed with a JSON payload, inside the transaction: Postgres delivers it at commit, so a
//   listener (the API's subscriptions) never sees a notification for data it cannot read yet.
//
// All three happen in the store's own transaction. TypeormDatabase keeps its EntityManager to itself: every
// transaction goes through its private submit(tx), which we wrap on the instance (typeorm-store 1.5.1; see
// node_modules/@subsquid/typeorm-store/lib/database.js). Pinned version: re-check this on upgrade.

export const NOTIFY_CHANNEL = "explorer_indexed";

type HashAndHeight = { height: number; hash: string };
type HotTxInfo = Parameters<TypeormDatabase["transactHot2"]>[0];
type FinalTxInfo = Parameters<TypeormDatabase["transact"]>[0];

export interface Reorg {
  id: string;
  detectedAt: Date;
  /** First block number that was replaced. */
  fromBlock: number;
  /** Last block number of the abandoned branch. */
  toBlock: number;
  depth: number;
}

/** Blocks fromBlock..toBlock of the mapped data were rolled back in the current transaction. */
export interface Rollback {
  fromBlock: number;
  toBlock: number;
  /** Set when a reorg caused it; otherwise the processor restarted below hot blocks it had already indexed. */
  reorg: Reorg | undefined;
}

/** The indexer's position after a commit, as written to indexer_state. */
export interface IndexedHead {
  height: number;
  hash: string;
  /** Block time in ms, when the head block went through the handler. */
  timestamp: number | undefined;
  chainHeight: number;
  finalizedHeight: number;
  reorg: Reorg | undefined;
}

export interface ReorgAwareDatabaseOptions extends Omit<TypeormDatabaseOptions, "supportHotBlocks"> {
  finalityConfirmations: number;
  /** The latest chain head seen outside the processor (e.g. an eth_blockNumber poll); undefined when unknown. */
  chainHead?: () => number | undefined;
  /** The contracts indexed, written to indexer_state for the API (which parts of the product exist). */
  contracts?: ContractAddresses;
  log?: (message: string) => void;
}

interface PendingTx {
  base: HashAndHeight;
  head: HashAndHeight;
  rollback: Rollback | undefined;
  /** The last block the handler saw in this transaction. */
  seen: { hash: string; timestamp: number } | undefined;
  /** What afterUpdates wrote to indexer_state. */
  written: IndexedHead | undefined;
}

type Submit = <T>(tx: (em: EntityManager) => Promise<T>) => Promise<T>;

export class ReorgAwareDatabase extends TypeormDatabase {
  private lastHead: HashAndHeight | undefined;
  /** Hashes of the hot (not yet final) blocks committed, by height: to tell a reorg from a re-applied block. */
  private readonly hotHashes = new Map<number, string>();
  private lastTimestamp: number | undefined;
  private pending: PendingTx | undefined;
  private inFlight: Promise<unknown> | undefined;
  private stopping = false;
  private readonly rollbackListeners = new Set<(r: Rollback) => void | Promise<void>>();
  private readonly commitListeners = new Set<(h: IndexedHead) => void>();
  private readonly finality: number;
  private readonly contracts: ContractAddresses | undefined;
  private readonly chainHead: () => number | undefined;
  private readonly log: (message: string) => void;

  constructor(options: ReorgAwareDatabaseOptions) {
    const { finalityConfirmations, chainHead, contracts, log, ...rest } = options;
    super({ ...rest, supportHotBlocks: true });
    this.contracts = contracts;
    this.finality = finalityConfirmations;
    this.chainHead = chainHead ?? (() => undefined);
    this.log = log ?? ((m) => console.log(m));
    const self = this as unknown as { submit: Submit };
    const submit = self.submit.bind(this) as Submit;
    self.submit = (tx) =>
      submit(async (em) => {
        // Asynchronous commit: the batch and the squid's status commit together or not at all, so an OS crash can
        // only lose the last few batches, which are indexed again from the status on restart; nothing is torn.
        // It saves a WAL flush per batch and per hot block.
        await em.query("SET LOCAL synchronous_commit = off");
        await this.beforeUpdates(em);
        const result = await tx(em);
        await this.afterUpdates(em);
        return result;
      });
  }

  /**
   * Tells `listener` about every rollback, inside the transaction and before the new blocks are mapped, so an
   * in-memory cache can be dropped. Returns a function that removes the listener.
   */
  onRollback(listener: (r: Rollback) => void | Promise<void>): () => void {
    this.rollbackListeners.add(listener);
    return () => this.rollbackListeners.delete(listener);
  }

  /** Called after each commit with the new position (progress reporting). */
  onCommit(listener: (h: IndexedHead) => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  /**
   * Wraps the batch handler to note the block time of the last block of each batch: the store's transaction
   * info carries only heights and hashes, and indexer_state.timestamp is the head block's time.
   */
  wrapHandler<C extends { blocks: { header: { hash: string; timestamp: number } }[] }>(
    handler: (ctx: C) => Promise<void>,
  ): (ctx: C) => Promise<void> {
    return async (ctx) => {
      const header = ctx.blocks[ctx.blocks.length - 1]?.header;
      if (header && this.pending) this.pending.seen = { hash: header.hash, timestamp: header.timestamp };
      await handler(ctx);
    };
  }

  override async connect() {
    const state = await super.connect();
    this.lastHead = state.top[state.top.length - 1] ?? { height: state.height, hash: state.hash };
    this.hotHashes.clear();
    for (const b of state.top) this.hotHashes.set(b.height, b.hash);
    return state;
  }

  override transact(info: FinalTxInfo, cb: Parameters<TypeormDatabase["transact"]>[1]): Promise<void> {
    // Runs for finalized batches. Hot blocks above prevHead (left by an earlier run) are rolled back first.
    return this.run(info.prevHead, info.nextHead, undefined, () => super.transact(info, cb));
  }

  override transactHot2(info: HotTxInfo, cb: Parameters<TypeormDatabase["transactHot2"]>[1]): Promise<void> {
    const head = info.newBlocks[info.newBlocks.length - 1] ?? info.baseHead;
    return this.run(info.baseHead, head, info, () => super.transactHot2(info, cb));
  }

  /**
   * Lets the transaction in flight commit, then parks every later one (the processor has no stop method: its
   * loop just waits) and closes the connection. The caller exits the process afterwards.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.inFlight?.catch(() => {});
    await this.disconnect().catch(() => {});
  }

  private async run(
    base: HashAndHeight,
    head: HashAndHeight,
    hot: HotTxInfo | undefined,
    body: () => Promise<void>,
  ): Promise<void> {
    if (this.stopping) return new Promise<void>(() => {});
    const last = this.lastHead;
    let rollback: Rollback | undefined;
    if (last && base.height < last.height) {
      let reorg: Reorg | undefined;
      if (hot) {
        const replacement = new Map(hot.newBlocks.map((b) => [b.height, b.hash]));
        for (let h = base.height + 1; h <= last.height; h++) {
          const before = this.hotHashes.get(h);
          if (before === undefined || replacement.get(h) !== before) {
            const id = `${h}-${Date.now()}`;
            reorg = {
              id,
              detectedAt: new Date(),
              fromBlock: h,
              toBlock: last.height,
              depth: last.height - h + 1,
            };
            break;
          }
        }
      }
      rollback = { fromBlock: base.height + 1, toBlock: last.height, reorg };
    }
    this.pending = { base, head, rollback, seen: undefined, written: undefined };
    const done = body();
    this.inFlight = done;
    let indexed: IndexedHead;
    try {
      await done;
      indexed = this.committed();
      this.trackHotBlocks(base, hot);
    } finally {
      this.pending = undefined;
      this.inFlight = undefined;
    }
    if (rollback?.reorg) {
      const r = rollback.reorg;
      this.log(
        `reorg: blocks ${r.fromBlock}..${r.toBlock} (depth ${r.depth}) replaced; common ancestor ${base.height} ${base.hash}, new head ${head.height}`,
      );
    }
    for (const listener of this.commitListeners) listener(indexed);
  }

  private async beforeUpdates(em: EntityManager): Promise<void> {
    const rollback = this.pending?.rollback;
    if (!rollback) return;
    for (const listener of this.rollbackListeners) await listener(rollback);
    const r = rollback.reorg;
    if (r) {
      await em.query(
        "INSERT INTO reorg (id, detected_at, from_block, to_block, depth) VALUES ($1, $2, $3, $4, $5)",
        [r.id, r.detectedAt, r.fromBlock, r.toBlock, r.depth],
      );
    }
  }

  private async afterUpdates(em: EntityManager): Promise<void> {
    const p = this.pending;
    if (!p) return;
    const s = this.stateAfter(p);
    p.written = s;
    const timestamp = s.timestamp === undefined ? null : new Date(s.timestamp);
    // timestamp: when the head block did not go through the handler (a transaction without new blocks), keep
    // the stored one if the head is unchanged.
    await em.query(
      `INSERT INTO indexer_state (id, height, hash, timestamp, chain_height, finalized_height, reorged_blocks, updated_at,
                                  tee_registry, settlement_relay, attestation_registry)
       VALUES ('indexer', $1, $2, $3, $4, $5, (SELECT COALESCE(SUM(depth), 0)::int FROM reorg), now(), $6, $7, $8)
       ON CONFLICT (id) DO UPDATE SET
         height = EXCLUDED.height,
         hash = EXCLUDED.hash,
         timestamp = CASE WHEN EXCLUDED.timestamp IS NULL AND indexer_state.hash = EXCLUDED.hash
                          THEN indexer_state.timestamp ELSE EXCLUDED.timestamp END,
         chain_height = EXCLUDED.chain_height,
         finalized_height = EXCLUDED.finalized_height,
         reorged_blocks = EXCLUDED.reorged_blocks,
         updated_at = EXCLUDED.updated_at,
         tee_registry = EXCLUDED.tee_registry,
         settlement_relay = EXCLUDED.settlement_relay,
         attestation_registry = EXCLUDED.attestation_registry`,
      [
        s.height,
        s.hash,
        timestamp,
        s.chainHeight,
        s.finalizedHeight,
        this.contracts?.teeRegistry ?? null,
        this.contracts?.settlementRelay ?? null,
        this.contracts?.attestationRegistry ?? null,
      ],
    );
    const reorg = s.reorg && { fromBlock: s.reorg.fromBlock, toBlock: s.reorg.toBlock, depth: s.reorg.depth };
    const payload = JSON.stringify({
      height: s.height,
      hash: s.hash,
      chainHeight: s.chainHeight,
      finalizedHeight: s.finalizedHeight,
      ...(reorg ? { reorg } : {}),
    });
    await em.query("SELECT pg_notify($1, $2)", [NOTIFY_CHANNEL, payload]);
  }

  private stateAfter(p: PendingTx): IndexedHead {
    const timestamp =
      p.seen?.hash === p.head.hash
        ? p.seen.timestamp
        : p.head.hash === this.lastHead?.hash
          ? this.lastTimestamp
          : undefined;
    // The chain head is at least the block just indexed, whatever the last poll said.
    const chainHeight = Math.max(this.chainHead() ?? -1, p.head.height);
    return {
      height: p.head.height,
      hash: p.head.hash,
      timestamp,
      chainHeight,
      // No block is "more final" than genesis: clamp at 0 while the chain is shorter than the confirmations.
      finalizedHeight: Math.max(0, chainHeight - this.finality),
      reorg: p.rollback?.reorg,
    };
  }

  /** After a commit: the hot blocks now in the store (a finalized batch leaves none). */
  private trackHotBlocks(base: HashAndHeight, hot: HotTxInfo | undefined): void {
    if (!hot) {
      this.hotHashes.clear();
      return;
    }
    for (const h of [...this.hotHashes.keys()]) {
      if (h > base.height || h <= hot.finalizedHead.height) this.hotHashes.delete(h);
    }
    for (const b of hot.newBlocks)
      if (b.height > hot.finalizedHead.height) this.hotHashes.set(b.height, b.hash);
  }

  /** After a commit: remember the head (reorg detection) and its time. */
  private committed(): IndexedHead {
    const p = this.pending as PendingTx;
    const s = p.written ?? this.stateAfter(p);
    this.lastHead = p.head;
    this.lastTimestamp = s.timestamp;
    return s;
  }
}
