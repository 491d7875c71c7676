import type { Store } from "@subsquid/typeorm-store";
import { In } from "typeorm";
import {
  BucketInterval,
  type Model,
  ModelBucket,
  ModelNode,
  ModelNodeBucket,
  NetworkBucket,
  type Node,
  NodeBucket,
  VerificationMode,
} from "../model";
import { bulkWrite } from "./bulk-write";

const HOUR = 3600;
const DAY = 86_400;

/** Start (unix seconds) of the HOUR and DAY buckets holding time t. */
export function bucketStarts(ts: number): { interval: BucketInterval; start: number }[] {
  return [
    { interval: BucketInterval.HOUR, start: ts - (ts % HOUR) },
    { interval: BucketInterval.DAY, start: ts - (ts % DAY) },
  ];
}

export interface BucketCounts {
  committed: number;
  verified: number;
  failed: number;
  expired: number;
  slashes: number;
  slashedAmount: bigint;
  settlements: number;
  committedVanilla: number;
  committedZkml: number;
  committedTee: number;
  /** model buckets: nodes that committed for the model in this bucket for the first time */
  newNodes: Set<string>;
}

export type CountField = Exclude<keyof BucketCounts, "slashedAmount" | "newNodes">;

function emptyCounts(): BucketCounts {
  return {
    committed: 0,
    verified: 0,
    failed: 0,
    expired: 0,
    slashes: 0,
    slashedAmount: 0n,
    settlements: 0,
    committedVanilla: 0,
    committedZkml: 0,
    committedTee: 0,
    newNodes: new Set(),
  };
}

/** The counts each bucket table keeps (plus slashedAmount for node and network buckets). */
const NODE_COUNTS = ["committed", "verified", "failed", "expired", "slashes"] as const;
const NETWORK_COUNTS = [
  ...NODE_COUNTS,
  "settlements",
  "committedVanilla",
  "committedZkml",
  "committedTee",
] as const;

function zeros<F extends CountField>(fields: readonly F[]): Record<F, number> & { slashedAmount: bigint } {
  return { ...(Object.fromEntries(fields.map((f) => [f, 0])) as Record<F, number>), slashedAmount: 0n };
}

function addCounts<F extends CountField>(
  row: Record<F, number> & { slashedAmount: bigint },
  d: BucketCounts,
  fields: readonly F[],
): void {
  const counts = row as Record<F, number>;
  for (const f of fields) counts[f] += d[f];
  row.slashedAmount += d.slashedAmount;
}

interface PendingBucket {
  subject: "node" | "model" | "network";
  subjectId: string;
  interval: BucketInterval;
  start: number;
  delta: BucketCounts;
}

/**
 * Time-bucket and per-(model, node) changes collected while a batch's events are mapped, applied at the end with
 * one load and one save per table. Every change is an exact integer delta, so the result does not depend on how
 * blocks were cut into batches (a fresh sync and a live sync through reorgs end equal).
 */
export class Aggregates {
  private buckets = new Map<string, PendingBucket>();
  private modelNodes = new Map<
    string,
    { model: Model; node: Node; inferences: number; first: Date; last: Date }
  >();

  private bucket(
    subject: PendingBucket["subject"],
    subjectId: string,
    interval: BucketInterval,
    start: number,
  ): BucketCounts {
    const id = subject === "network" ? `${interval}-${start}` : `${subjectId}-${interval}-${start}`;
    const key = `${subject}:${id}`;
    let b = this.buckets.get(key);
    if (!b) {
      b = { subject, subjectId, interval, start, delta: emptyCounts() };
      this.buckets.set(key, b);
    }
    return b.delta;
  }

  /** Adds `by` to a count of the node's, the model's (when given) and the network's buckets holding time ts. */
  count(field: CountField, ts: number, by: number, node?: string, model?: string): void {
    for (const { interval, start } of bucketStarts(ts)) {
      if (node) this.bucket("node", node, interval, start)[field] += by;
      if (model) this.bucket("model", model, interval, start)[field] += by;
      this.bucket("network", "", interval, start)[field] += by;
    }
  }

  slashed(ts: number, node: string, amount: bigint): void {
    for (const { interval, start } of bucketStarts(ts)) {
      for (const d of [
        this.bucket("node", node, interval, start),
        this.bucket("network", "", interval, start),
      ]) {
        d.slashes += 1;
        d.slashedAmount += amount;
      }
    }
  }

  committed(ts: number, at: Date, node: Node, model: Model, mode: VerificationMode): void {
    this.count("committed", ts, 1, node.id, model.id);
    const modeField: CountField =
      mode === VerificationMode.VANILLA
        ? "committedVanilla"
        : mode === VerificationMode.ZKML
          ? "committedZkml"
          : "committedTee";
    this.count(modeField, ts, 1);
    for (const { interval, start } of bucketStarts(ts))
      this.bucket("model", model.id, interval, start).newNodes.add(node.id);
    const key = `${model.id}-${node.id}`;
    const mn = this.modelNodes.get(key);
    if (mn) {
      mn.inferences++;
      mn.last = at;
    } else {
      this.modelNodes.set(key, { model, node, inferences: 1, first: at, last: at });
    }
  }

  async save(store: Store): Promise<void> {
    await this.saveModelNodes(store);
    await this.saveBuckets(store);
  }

  private async saveModelNodes(store: Store): Promise<void> {
    if (this.modelNodes.size === 0) return;
    const existing = new Map(
      (await store.findBy(ModelNode, { id: In([...this.modelNodes.keys()]) })).map((m) => [m.id, m] as const),
    );
    const out: ModelNode[] = [];
    for (const [id, d] of this.modelNodes) {
      const row = existing.get(id);
      if (row) {
        row.inferences += d.inferences;
        row.lastCommitAt = d.last;
        out.push(row);
      } else {
        out.push(
          new ModelNode({
            id,
            model: d.model,
            node: d.node,
            inferences: d.inferences,
            firstCommitAt: d.first,
            lastCommitAt: d.last,
          }),
        );
      }
    }
    await bulkWrite(store, out, "upsert");
  }

  private async saveBuckets(store: Store): Promise<void> {
    const nodeIds: string[] = [];
    const modelIds: string[] = [];
    const networkIds: string[] = [];
    const markerIds: string[] = [];
    for (const b of this.buckets.values()) {
      if (b.subject === "node") nodeIds.push(`${b.subjectId}-${b.interval}-${b.start}`);
      else if (b.subject === "model") {
        modelIds.push(`${b.subjectId}-${b.interval}-${b.start}`);
        for (const n of b.delta.newNodes) markerIds.push(`${b.subjectId}-${n}-${b.interval}-${b.start}`);
      } else networkIds.push(`${b.interval}-${b.start}`);
    }
    // Sequential on purpose: one transaction, one connection, and the hot-block change log records in order.
    const nodeRows = nodeIds.length ? await store.findBy(NodeBucket, { id: In(nodeIds) }) : [];
    const modelRows = modelIds.length ? await store.findBy(ModelBucket, { id: In(modelIds) }) : [];
    const networkRows = networkIds.length ? await store.findBy(NetworkBucket, { id: In(networkIds) }) : [];
    const markers = markerIds.length ? await store.findBy(ModelNodeBucket, { id: In(markerIds) }) : [];
    const byId = <T extends { id: string }>(rows: T[]) => new Map(rows.map((r) => [r.id, r] as const));
    const nodeMap = byId(nodeRows);
    const modelMap = byId(modelRows);
    const networkMap = byId(networkRows);
    const markerSet = new Set(markers.map((m) => m.id));
    const nodeOut: NodeBucket[] = [];
    const modelOut: ModelBucket[] = [];
    const networkOut: NetworkBucket[] = [];
    const newMarkers: ModelNodeBucket[] = [];
    for (const b of this.buckets.values()) {
      const start = new Date(b.start * 1000);
      const d = b.delta;
      if (b.subject === "node") {
        const id = `${b.subjectId}-${b.interval}-${b.start}`;
        const row =
          nodeMap.get(id) ??
          new NodeBucket({
            id,
            node: { id: b.subjectId } as Node,
            interval: b.interval,
            start,
            ...zeros(NODE_COUNTS),
          });
        addCounts(row, d, NODE_COUNTS);
        nodeOut.push(row);
      } else if (b.subject === "model") {
        const id = `${b.subjectId}-${b.interval}-${b.start}`;
        const row =
          modelMap.get(id) ??
          new ModelBucket({
            id,
            model: { id: b.subjectId } as Model,
            interval: b.interval,
            start,
            inferences: 0,
            verified: 0,
            failed: 0,
            expired: 0,
            distinctNodes: 0,
          });
        row.inferences += d.committed;
        row.verified += d.verified;
        row.failed += d.failed;
        row.expired += d.expired;
        for (const n of d.newNodes) {
          const markerId = `${b.subjectId}-${n}-${b.interval}-${b.start}`;
          if (markerSet.has(markerId)) continue;
          markerSet.add(markerId);
          newMarkers.push(new ModelNodeBucket({ id: markerId }));
          row.distinctNodes += 1;
        }
        modelOut.push(row);
      } else {
        const id = `${b.interval}-${b.start}`;
        const row =
          networkMap.get(id) ??
          new NetworkBucket({ id, interval: b.interval, start, ...zeros(NETWORK_COUNTS) });
        addCounts(row, d, NETWORK_COUNTS);
        networkOut.push(row);
      }
    }
    await bulkWrite(store, nodeOut, "upsert");
    await bulkWrite(store, modelOut, "upsert");
    await bulkWrite(store, networkOut, "upsert");
    await bulkWrite(store, newMarkers, "insert");
  }
}
