import type { Store } from "@subsquid/typeorm-store";
import { bulkWrite } from "./bulk-write";
import type { BatchState } from "./state";

/**
 * Writes what mapping changed: one upsert (changed entities) or insert (new rows) per entity type, parents before
 * children (foreign keys), then the buckets' deltas and the network's totals. `profile`: print each write's time.
 */
export async function saveState(store: Store, state: BatchState, profile = false): Promise<void> {
  const timings: string[] = [];
  const write = async <T extends { id: string }>(rows: Iterable<T>, mode: "upsert" | "insert") => {
    const list = [...rows];
    const t = performance.now();
    await bulkWrite(store, list, mode);
    if (profile && list.length)
      timings.push(`${list[0].constructor.name}:${list.length}:${(performance.now() - t).toFixed(0)}`);
  };
  const { dirty, inserts } = state;
  await write(dirty.teeTypes, "upsert");
  await write(dirty.pcrs, "upsert");
  await write(inserts.pcrEvents, "insert");
  await write(dirty.nodes, "upsert");
  await write(state.attestations.values(), "upsert");
  await write(dirty.models, "upsert");
  await write(dirty.settlements, "upsert");
  await write(dirty.inferences, "upsert");
  await write(inserts.verdicts, "insert");
  await write(dirty.challenges, "upsert");
  await write(inserts.slashes, "insert");
  await write(dirty.withdrawals, "upsert");
  await write(inserts.stakeChanges, "insert");
  await write(inserts.teeStatus, "insert");
  await write(inserts.heartbeats, "insert");
  await write(inserts.batchSettlements, "insert");
  await write(inserts.undecoded, "insert");
  const t = performance.now();
  await state.agg.save(store);
  timings.push(`aggregates:${(performance.now() - t).toFixed(0)}`);
  await bulkWrite(store, [state.network], "upsert");
  if (profile) console.log(`  save ${timings.join(" ")}`);
}
