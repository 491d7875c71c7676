import pg from "pg";
import { type IndexerStateRow, indexerStatusFromRow, readIndexerState } from "../data/indexer-state.ts";
import { type InferenceRow, inferenceFromRow, type SlashRow, slashFromRow } from "../data/rows.ts";
import type { Db } from "../db/database.ts";
import { sessionOptions } from "../db/database.ts";
import { createScope } from "../graphql/context.ts";
import type { Hub } from "./hub.ts";
import type { IndexerStatusPayload, InferencePayload, SlashPayload } from "./payloads.ts";

// Drives the subscriptions from the indexer's commits: the indexer NOTIFYs `explorer_indexed` after each committed
// batch; on each notification this reads the new position and the rows that batch touched (inferences whose latest
// event is above the previous height, slashes in the new blocks) and publishes them. Nothing is polled.
// After a reorg (or a height that went down), the lower bound drops to the first replaced block, so rows
// re-indexed on the new branch are published again.

export const CHANNEL = "explorer_indexed";
/** Rows published per notification at most, per kind (a catch-up batch can touch many). */
const MAX_ROWS_PER_BATCH = 10_000;

export interface ListenerOptions {
  db: Db;
  hub: Hub;
  connectionString: string;
  role?: string;
  log?: (message: string) => void;
}

export class IndexerListener {
  private client: pg.Client | undefined;
  private lastHeight: number | undefined;
  private lastReorged = 0;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  private readonly log: (m: string) => void;
  /** Notifications handled (for tests and /metrics). */
  batches = 0;

  constructor(private readonly options: ListenerOptions) {
    this.log = options.log ?? ((m) => console.error(m));
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({
      connectionString: this.options.connectionString,
      options: sessionOptions(0),
      application_name: "explorer-api-listen",
    });
    client.on("error", (err) => this.lost(client, err));
    client.on("end", () => this.lost(client, new Error("connection ended")));
    client.on("notification", (msg) => {
      if (msg.channel === CHANNEL) this.schedule();
    });
    try {
      await client.connect();
      if (this.options.role) await client.query(`SET ROLE ${pg.escapeIdentifier(this.options.role)}`);
      await client.query(`LISTEN ${CHANNEL}`);
      this.client = client;
      // Catch up on what happened while not listening (first start: only remember where the indexer is).
      this.schedule();
    } catch (err) {
      client.removeAllListeners("end");
      await client.end().catch(() => {});
      this.log(`api: LISTEN ${CHANNEL} failed (${(err as Error).message}); retrying in 2 s`);
      this.retry = setTimeout(() => void this.connect(), 2_000);
    }
  }

  private lost(client: pg.Client, err: Error): void {
    if (this.client !== client || this.stopped) return;
    this.client = undefined;
    this.log(`api: lost the LISTEN connection (${err.message}); reconnecting`);
    client.end().catch(() => {});
    this.retry = setTimeout(() => void this.connect(), 1_000);
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
    if (this.lastHeight === undefined) {
      this.lastHeight = state.height;
      this.lastReorged = state.reorged_blocks;
      return;
    }
    let lower = Math.min(this.lastHeight, state.height);
    if (state.reorged_blocks !== this.lastReorged) {
      const [r] = await db.query<{ from_block: number | null }>(
        "SELECT min(from_block) AS from_block FROM (SELECT from_block FROM reorg ORDER BY detected_at DESC LIMIT 100) r",
      );
      if (r?.from_block !== null && r?.from_block !== undefined) lower = Math.min(lower, r.from_block - 1);
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
          `SELECT * FROM inference WHERE last_event_block > $1 AND last_event_block <= $2
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
