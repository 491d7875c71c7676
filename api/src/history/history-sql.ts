import { replaySeries } from "@attestation-explorer/rep-history";
import type { ModeValue } from "../data/models.ts";
import type { Db } from "../db/database.ts";
import { loadReputationEvents } from "../reputation/load-events.ts";
import {
  addBig,
  type BucketRange,
  bucketRange,
  denseBuckets,
  INTERVAL_SECONDS,
  type Interval,
  rollUp,
} from "./buckets.ts";
import { type MinuteRow, type MinuteScope, minuteRows } from "./minute-sql.ts";

// history() of a node, a model and the network from the indexer's node_bucket / model_bucket / network_bucket
// (HOUR and DAY rows; WEEK sums DAY rows; MINUTE rows are counted from the events' own rows, minute-sql.ts).

export interface HistoryArgs {
  interval: Interval;
  from?: Date;
  to?: Date;
  /** The latest indexed block's time (unix seconds). */
  asOf: number;
}

/** [first, end) in unix seconds of the rows to read for a range (DAY rows for WEEK buckets). */
function rowWindow(range: BucketRange): { table: "HOUR" | "DAY"; start: number; end: number } {
  return {
    table: range.interval === "HOUR" ? "HOUR" : "DAY",
    start: range.first,
    end: range.last + INTERVAL_SECONDS[range.interval],
  };
}

/**
 * The rows of a range: `fromTable` reads the indexer's bucket table; MINUTE ranges are counted from the events'
 * rows instead (which hold every column a bucket table has).
 */
async function bucketRows<K extends keyof MinuteRow>(
  db: Db,
  range: BucketRange,
  scope: MinuteScope,
  fromTable: (w: ReturnType<typeof rowWindow>) => Promise<Pick<MinuteRow, K>[]>,
): Promise<Pick<MinuteRow, K>[]> {
  const w = rowWindow(range);
  if (range.interval === "MINUTE") return minuteRows(db, scope, w.start, w.end);
  return fromTable(w);
}

export interface NodeBucketOut {
  start: Date;
  committed: number;
  verified: number;
  failed: number;
  expired: number;
  slashes: number;
  slashedAmount: string;
  score: number;
}

type NodeBucketRow = Pick<
  MinuteRow,
  "start" | "committed" | "verified" | "failed" | "expired" | "slashes" | "slashed_amount"
>;

export async function nodeHistory(db: Db, nodeId: string, args: HistoryArgs): Promise<NodeBucketOut[]> {
  const range = bucketRange(args.interval, args.from, args.to, args.asOf);
  const rows = await bucketRows(db, range, { kind: "node", id: nodeId }, (w) =>
    db.query<NodeBucketRow>(
      `SELECT extract(epoch FROM start)::float8 AS start, committed, verified, failed, expired, slashes, slashed_amount
           FROM node_bucket
          WHERE node_id = $1 AND interval = $2 AND start >= to_timestamp($3::float8) AND start < to_timestamp($4::float8)`,
      [nodeId, w.table, w.start, w.end],
    ),
  );
  const byStart = rollUp(rows, range.interval, (a, b) => ({
    start: a.start,
    committed: a.committed + b.committed,
    verified: a.verified + b.verified,
    failed: a.failed + b.failed,
    expired: a.expired + b.expired,
    slashes: a.slashes + b.slashes,
    slashed_amount: addBig(a.slashed_amount, b.slashed_amount),
  }));
  const size = INTERVAL_SECONDS[range.interval];
  const buckets = denseBuckets(range, byStart, (start, r) => ({ start, r }));
  if (buckets.length === 0) return [];
  // Score as of each bucket's end, or asOf for the open (last) bucket: one query for the events, one sweep.
  const times = buckets.map((b) => Math.min(b.start + size, args.asOf));
  const until = Math.max(...times);
  const events = (await loadReputationEvents(db, "node", [nodeId], until)).get(nodeId) ?? [];
  const scores = replaySeries(events, times, "node");
  return buckets.map((b, i) => ({
    start: new Date(b.start * 1000),
    committed: b.r?.committed ?? 0,
    verified: b.r?.verified ?? 0,
    failed: b.r?.failed ?? 0,
    expired: b.r?.expired ?? 0,
    slashes: b.r?.slashes ?? 0,
    slashedAmount: b.r?.slashed_amount ?? "0",
    score: scores[i].score,
  }));
}

export interface ModelBucketOut {
  start: Date;
  inferences: number;
  verified: number;
  failed: number;
  expired: number;
  distinctNodes: number;
}

type ModelBucketRow = Pick<
  MinuteRow,
  "start" | "inferences" | "verified" | "failed" | "expired" | "distinct_nodes"
>;

export async function modelHistory(db: Db, modelId: string, args: HistoryArgs): Promise<ModelBucketOut[]> {
  const range = bucketRange(args.interval, args.from, args.to, args.asOf);
  const w = rowWindow(range);
  const rows = await bucketRows(db, range, { kind: "model", id: modelId }, () =>
    db.query<ModelBucketRow>(
      `SELECT extract(epoch FROM start)::float8 AS start, inferences, verified, failed, expired, distinct_nodes
           FROM model_bucket
          WHERE model_id = $1 AND interval = $2 AND start >= to_timestamp($3::float8) AND start < to_timestamp($4::float8)`,
      [modelId, w.table, w.start, w.end],
    ),
  );
  const byStart = rollUp(rows, range.interval, (a, b) => ({
    start: a.start,
    inferences: a.inferences + b.inferences,
    verified: a.verified + b.verified,
    failed: a.failed + b.failed,
    expired: a.expired + b.expired,
    distinct_nodes: 0, // distinct nodes do not add up across days: counted from the commits below
  }));
  if (range.interval === "WEEK" && byStart.size > 0) {
    const weeks = await db.query<{ week: number; nodes: number }>(
      `SELECT floor((extract(epoch FROM committed_at) - 345600) / 604800)::int * 604800 + 345600 AS week,
              count(DISTINCT node_id)::int AS nodes
         FROM inference
        WHERE model_id = $1 AND committed_at >= to_timestamp($2::float8) AND committed_at < to_timestamp($3::float8)
        GROUP BY 1`,
      [modelId, w.start, w.end],
    );
    for (const { week, nodes } of weeks) {
      const bucket = byStart.get(week);
      if (bucket) bucket.distinct_nodes = nodes;
    }
  }
  return denseBuckets(range, byStart, (start, r) => ({
    start: new Date(start * 1000),
    inferences: r?.inferences ?? 0,
    verified: r?.verified ?? 0,
    failed: r?.failed ?? 0,
    expired: r?.expired ?? 0,
    distinctNodes: r?.distinct_nodes ?? 0,
  }));
}

export interface ModeCount {
  mode: ModeValue;
  count: number;
}

export interface NetworkBucketOut {
  start: Date;
  committed: number;
  verified: number;
  failed: number;
  expired: number;
  slashes: number;
  slashedAmount: string;
  settlements: number;
  byMode: ModeCount[];
}

type NetworkBucketRow = Omit<MinuteRow, "inferences" | "distinct_nodes">;

export function byMode(vanilla: number, zkml: number, tee: number): ModeCount[] {
  return [
    { mode: "VANILLA", count: vanilla },
    { mode: "ZKML", count: zkml },
    { mode: "TEE", count: tee },
  ];
}

export async function networkHistory(db: Db, args: HistoryArgs): Promise<NetworkBucketOut[]> {
  const range = bucketRange(args.interval, args.from, args.to, args.asOf);
  const rows = await bucketRows(db, range, { kind: "network" }, (w) =>
    db.query<NetworkBucketRow>(
      `SELECT extract(epoch FROM start)::float8 AS start, committed, verified, failed, expired, slashes, slashed_amount,
                settlements, committed_vanilla, committed_zkml, committed_tee
           FROM network_bucket
          WHERE interval = $1 AND start >= to_timestamp($2::float8) AND start < to_timestamp($3::float8)`,
      [w.table, w.start, w.end],
    ),
  );
  const byStart = rollUp(rows, range.interval, (a, b) => ({
    start: a.start,
    committed: a.committed + b.committed,
    verified: a.verified + b.verified,
    failed: a.failed + b.failed,
    expired: a.expired + b.expired,
    slashes: a.slashes + b.slashes,
    slashed_amount: addBig(a.slashed_amount, b.slashed_amount),
    settlements: a.settlements + b.settlements,
    committed_vanilla: a.committed_vanilla + b.committed_vanilla,
    committed_zkml: a.committed_zkml + b.committed_zkml,
    committed_tee: a.committed_tee + b.committed_tee,
  }));
  return denseBuckets(range, byStart, (start, r) => ({
    start: new Date(start * 1000),
    committed: r?.committed ?? 0,
    verified: r?.verified ?? 0,
    failed: r?.failed ?? 0,
    expired: r?.expired ?? 0,
    slashes: r?.slashes ?? 0,
    slashedAmount: r?.slashed_amount ?? "0",
    settlements: r?.settlements ?? 0,
    byMode: byMode(r?.committed_vanilla ?? 0, r?.committed_zkml ?? 0, r?.committed_tee ?? 0),
  }));
}
