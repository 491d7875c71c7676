import type { Store } from "@subsquid/typeorm-store";
import { bulkWrite, writesQueueInOrder } from "./bulk-write";
import type { BatchState } from "./state";

/** Ids of the inferences and settlements the load phase read from the database: the rows that already exist. */
export interface StoredRows {
  inferences: ReadonlySet<string>;
  settlements: ReadonlySet<string>;
}

/** What the database holds of the batch's inferences and settlements, taken after loading and before mapping. */
export function storedRows(state: BatchState): StoredRows {
  return { inferences: new Set(state.inferences.keys()), settlements: new Set(state.settlements.keys()) };
}

/**
 * Writes what mapping changed: one upsert (changed entities) or insert (new rows) per entity type, parents before
 * children (foreign keys), then the buckets' deltas and the network's totals. Inferences and settlements the load
 * phase did not read are new (it reads every one the batch's events name), so they are inserted (a plain COPY),
 * the others upserted. `profile`: print each write's time.
 */
export async function saveState(
  store: Store,
  state: BatchState,
  stored: StoredRows,
  profile = false,
): Promise<void> {
  const timings: string[] = [];
  const t0 = performance.now();
  // Each write is handed to the connection without waiting for the one before (bulkWrite: the client runs them in
  // order), so the next one's COPY text is built while Postgres stores the previous rows; all are awaited below.
  // Without a client that queues them (writesQueueInOrder), each write waits for the one before.
  const pending: Promise<void>[] = [];
  const queued = writesQueueInOrder(store);
  const write = async <T extends { id: string }>(rows: Iterable<T>, mode: "insert" | "upsert") => {
    const list = [...rows];
    if (list.length === 0) return;
    const done = bulkWrite(store, list, mode);
    pending.push(done);
    // Awaited with the others below; this only keeps a failure from going unhandled if a later write throws first.
    done.catch(() => {});
    if (!queued) await done;
    if (profile)
      void done.then(
        () =>
          timings.push(`${list[0].constructor.name}:${list.length}:${(performance.now() - t0).toFixed(0)}`),
        () => {},
      );
  };
  const { dirty, inserts } = state;
  await write(dirty.teeTypes, "upsert");
  await write(dirty.pcrs, "upsert");
  await write(inserts.pcrEvents, "insert");
  await write(dirty.nodes, "upsert");
  await write(state.attestations.values(), "upsert");
  await write(dirty.models, "upsert");
  const settlements = byStored(dirty.settlements, stored.settlements);
  await write(settlements.stored, "upsert");
  await write(settlements.fresh, "insert");
  const inferences = byStored(dirty.inferences, stored.inferences);
  await write(inferences.stored, "upsert");
  await write(inferences.fresh, "insert");
  await write(inserts.verdicts, "insert");
  await write(dirty.challenges, "upsert");
  await write(inserts.slashes, "insert");
  await write(dirty.withdrawals, "upsert");
  await write(inserts.stakeChanges, "insert");
  await write(inserts.teeStatus, "insert");
  await write(inserts.heartbeats, "insert");
  await write(inserts.batchSettlements, "insert");
  await write(inserts.undecoded, "insert");
  await Promise.all(pending);
  const t = performance.now();
  await state.agg.save(store);
  timings.push(`aggregates:${(performance.now() - t).toFixed(0)}`);
  await bulkWrite(store, [state.network], "upsert");
  if (profile) console.log(`  save (ms from the first write to each one's end) ${timings.join(" ")}`);
}

/** Rows split by whether their id is among the stored ones. */
function byStored<T extends { id: string }>(rows: Iterable<T>, ids: ReadonlySet<string>) {
  const split = { stored: [] as T[], fresh: [] as T[] };
  for (const row of rows) (ids.has(row.id) ? split.stored : split.fresh).push(row);
  return split;
}
