import pg from "pg";
import { type IndexerStateRow, indexerStatusFromRow, readIndexerState } from "../data/indexer-state.ts";
import { refreshRanking } from "../data/node-ranking.ts";
import {
  type InferenceRow,
  inferenceColumns,
  inferenceFromRow,
  type SlashRow,
  slashFromRow,
} from "../data/rows.ts";
import type { Db } from "../db/database.ts";
import { pgCode, sessionOptions } from "../db/database.ts";
import { createScope } from "../graphql/context.ts";
import type { Hub } from "./hub.ts";
import type { IndexerStatusPayload, InferencePayload, SlashPayload } from "./payloads.ts";

// Drives the subscriptions from the indexer's commits: the indexer NOTIFYs `explorer_indexed` after each committed
// batch; on each notification this reads the new position and the rows that batch touched (inferences whose latest
// event is above the previous height, slashes in the new blocks) and publishes them.
// After a reorg (or a height that went down), the lower bound drops to the first replaced block, so rows
// re-indexed on the new branch are published again.
// A hot standby (a streaming replica) refuses LISTEN and receives no NOTIFY: there the listener follows the
// replica's own replayed indexer_state instead, reading its row version every `pollMs` and running the same update
// when it changed (docs/decisions/008-api-on-streaming-replicas.md). Either way it publishes only rows the database
// it reads already holds, so a subscriber never hears of a row that a query to the same API cannot return yet.

export const CHANNEL = "explorer_indexed";
/** Rows published per notification at most, per kind (a catch-up batch can touch many). */
const MAX_ROWS_PER_BATCH = 10_000;

export interface ListenerOptions {
  db: Db;
  hub: Hub;
  connectionString: string;
  role?: string;
  log?: (message: string) => void;
  /** "auto" (the default): poll when the database is a hot standby (pg_is_in_recovery()), else LISTEN. */
  source?: "auto" | "listen" | "poll";
  /** Poll interval in ms (poll mode); default 200. */
  pollMs?: number;
}

export class IndexerListener {
  private client: pg.Client | undefined;
  private lastHeight: number | undefined;
  private lastReorged = 0;
  /** Newest reorg record already accounted for. */
  private lastReorgAt: Date | null = null;
  /** Lowest first replaced block named by notifications not yet handled. */
  private pendingReorgFrom = Number.POSITIVE_INFINITY;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  /** Failed connection attempts in a row (logged once per outage, then every 30th). */
  private failures = 0;
  private readonly log: (m: string) => void;
  /** The indexer_state row version seen by the last poll (poll mode). */
  private polledVersion: string | null | undefined;
  private pollFailing = false;
  /** Notifications handled (for tests and /metrics). */
  batches = 0;
  /** How updates arrive: decided at start ("auto" asks the database whether it is a standby). */
  mode: "listen" | "poll" | undefined;

  constructor(private readonly options: ListenerOptions) {
    this.log = options.log ?? ((m) => console.error(m));
  }

  async start(): Promise<void> {
    this.stopped = false;
    if (this.options.source === "poll") return this.startPolling();
    await this.connect();
  }

  private startPolling(): void {
    this.mode = "poll";
    void this.poll();
  }

  /** Poll mode: one primary-key read of indexer_state's row version; an update runs when it changed. */
  private async poll(): Promise<void> {
    if (this.stopped) return;
    try {
      const [row] = await this.options.db.query<{ version: string }>(
        "SELECT xmin::text AS version FROM indexer_state WHERE id = 'indexer'",
      );
      const version = row?.version ?? null;
      if (this.pollFailing) this.log("api: reading indexer_state for subscriptions works again");
      this.pollFailing = false;
      if (version !== this.polledVersion && !this.stopped) {
        this.polledVersion = version;
        this.schedule();
      }
    } catch (err) {
      // Before the indexer's migrations (undefined_table) or during an outage: try again at the next tick.
      if (!this.pollFailing && pgCode(err) !== "42P01") {
        this.log(`api: reading indexer_state for subscriptions failed (${(err as Error).message}); retrying`);
        this.pollFailing = true;
      }
    }
    if (!this.stopped) this.retry = setTimeout(() => void this.poll(), this.options.pollMs ?? 200);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({
      connectionString: this.options.connectionString,
      options: sessionOptions(0, this.options.role),
      application_name: "explorer-api-listen",
    });
    client.on("error", (err) => this.lost(client, err));
    client.on("end", () => this.lost(client, new Error("connection ended")));
    client.on("notification", (msg) => {
      if (msg.channel !== CHANNEL) return;
      this.notePayload(msg.payload);
      this.schedule();
    });
    try {
      await client.connect();
      if (this.options.source !== "listen") {
        const [{ standby }] = (
          await client.query<{ standby: boolean }>("SELECT pg_is_in_recovery() AS standby")
        ).rows;
        if (standby) {
          client.removeAllListeners("end");
          await client.end().catch(() => {});
          this.log(
            `api: the database is a hot standby (no LISTEN there): subscriptions follow its replayed indexer_state every ${this.options.pollMs ?? 200} ms`,
          );
          return this.startPolling();
        }
      }
      await client.query(`LISTEN ${CHANNEL}`);
      this.mode = "listen";
      this.client = client;
      if (this.failures > 0) this.log(`api: LISTEN ${CHANNEL} restored`);
      this.failures = 0;
      // Catch up on what happened while not listening (first start: only remember where the indexer is).
      this.schedule();
    } catch (err) {
      client.removeAllListeners("end");
      await client.end().catch(() => {});
      const delay = Math.min(10_000, 1_000 * 2 ** Math.min(this.failures, 4));
      if (this.failures % 30 === 0) {
        this.log(
          `api: LISTEN ${CHANNEL} failed (${(err as Error).message}); retrying in ${delay / 1000} s, then backing off up to 10 s`,
        );
      }
      this.failures++;
      this.retry = setTimeout(() => void this.connect(), delay);
    }
  }

  private lost(client: pg.Client, err: Error): void {
    if (this.client !== client || this.stopped) return;
    this.client = undefined;
    this.log(`api: lost the LISTEN connection (${err.message}); reconnecting`);
    client.end().catch(() => {});
    this.retry = setTimeout(() => void this.connect(), 1_000);
  }

  /** The indexer's payload: {height, hash, chainHeight, finalizedHeight, reorg?: {fromBlock, toBlock, depth}}. */
  private notePayload(payload: string | undefined): void {
    try {
      const fromBlock = (JSON.parse(payload ?? "{}") as { reorg?: { fromBlock?: unknown } }).reorg?.fromBlock;
      if (typeof fromBlock === "number" && Number.isSafeInteger(fromBlock)) {
        this.pendingReorgFrom = Math.min(this.pendingReorgFrom, fromBlock);
      }
    } catch {
      // Not JSON: the position is read from indexer_state anyway.
    }
  }

  /** Runs one update at a time; notifications arriving meanwhile coalesce into one more run. */
  private schedule(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.update();
        } catch (err) {
          this.log(`api: publishing indexer updates failed: ${(err as Error).stack ?? err}`);
        }
      } while (this.again && !this.stopped);
      this.running = undefined;
    })();
  }

  /** Resolves once every notification received so far has been handled (tests). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async update(): Promise<void> {
    const { db, hub } = this.options;
    const state = await readIndexerState(db);
    if (!state) return;
    refreshRanking(db, state);
    if (this.lastHeight === undefined) {
      this.lastHeight = state.height;
      this.lastReorged = state.reorged_blocks;
      const [r] = await db.query<{ at: Date | null }>("SELECT max(detected_at) AS at FROM reorg");
      this.lastReorgAt = r?.at ?? null;
      this.pendingReorgFrom = Number.POSITIVE_INFINITY;
      return;
    }
    let lower = Math.min(this.lastHeight, state.height, this.pendingReorgFrom - 1);
    this.pendingReorgFrom = Number.POSITIVE_INFINITY;
    if (state.reorged_blocks !== this.lastReorged) {
      // Reorgs recorded since the last update (also those whose notification was coalesced or missed).
      const [r] = await db.query<{ from_block: number | null; at: Date | null }>(
        "SELECT min(from_block) AS from_block, max(detected_at) AS at FROM reorg WHERE $1::timestamptz IS NULL OR detected_at > $1",
        [this.lastReorgAt],
      );
      if (r?.from_block !== null && r?.from_block !== undefined) lower = Math.min(lower, r.from_block - 1);
      if (r?.at) this.lastReorgAt = r.at;
    }
    this.batches++;
    await this.publish(hub, db, state, lower);
    this.lastHeight = state.height;
    this.lastReorged = state.reorged_blocks;
  }

  private async publish(hub: Hub, db: Db, state: IndexerStateRow, lower: number): Promise<void> {
    // One scope per batch: every subscriber resolves this batch's rows through the same loaders.
    const scope = createScope(db);
    const height = state.height;
    if (height > lower) {
      const [inferences, slashes] = await Promise.all([
        db.query<InferenceRow>(
          `SELECT ${inferenceColumns("inference")} FROM inference WHERE last_event_block > $1 AND last_event_block <= $2
            ORDER BY last_event_block, committed_block, committed_log_index, id LIMIT ${MAX_ROWS_PER_BATCH}`,
          [lower, height],
        ),
        db.query<SlashRow>(
          `SELECT * FROM slash WHERE block > $1 AND block <= $2 ORDER BY block, log_index, id LIMIT ${MAX_ROWS_PER_BATCH}`,
          [lower, height],
        ),
      ]);
      for (const row of inferences) {
        hub.publish("inference", { inference: inferenceFromRow(row), scope } satisfies InferencePayload);
      }
      for (const row of slashes)
        hub.publish("slash", { slash: slashFromRow(row), scope } satisfies SlashPayload);
    }
    hub.publish("indexerStatus", {
      status: indexerStatusFromRow(state),
      scope,
    } satisfies IndexerStatusPayload);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await this.idle();
    if (client) {
      client.removeAllListeners("end");
      await client.end().catch(() => {});
    }
  }
}
