import type { Store } from "@subsquid/typeorm-store";
import type { TransactionInputs } from "../calldata/transaction-inputs";
import { type ProcessorContext, TOPICS } from "../processor";
import { mapEvents } from "./batch-mapper";
import { type Addresses, decodeLog, type PositionedEvent } from "./decode-logs";
import { needsTeeInfo } from "./handlers/tee-registry";
import { loadState } from "./load";
import { saveState, storedRows } from "./save";
import { BatchState } from "./state";
import { readTeeInfos } from "./tee-info";

/**
 * INDEXER_PROFILE=1 prints, per batch, how long loading from the database took, how long the batch then waited
 * for the calldata (read while loading, in parallel) and the getTEE reads of registrations that need them (after
 * the calldata), mapping, and saving (with, per entity type, the ms from the first write to the end of its own:
 * the writes are queued back to back).
 */
const PROFILE = process.env.INDEXER_PROFILE === "1";

/** The TEE registry's events whose transaction's calldata the mapping decodes. */
const WITH_CALLDATA = new Set(TOPICS.teeRegistryWithTransaction);

/**
 * The squid's batch handler: decode every log of the batch in chain order, load what they touch once, map, save
 * once per entity type. A log that does not decode is kept as an UndecodedLog row, never dropped, never fatal.
 * `calldata`: where the inputs of the transactions the mapping decodes come from when the logs do not carry them
 * (the processor asks for none: calldata/transaction-inputs.ts); without it, only what the logs carry.
 */
export function makeBatchHandler(addresses: Addresses, calldata?: TransactionInputs) {
  return async function handleBatch(ctx: ProcessorContext<Store>): Promise<void> {
    // Read while the state loads from the database (the mapping needs the inputs, loading does not). A failure
    // is awaited below; the catch only keeps it from being unhandled if loading fails first.
    const needed = calldata ? calldataNeeded(ctx, addresses) : [];
    const reading = calldata && needed.length > 0 ? calldata.inputsOf(ctx._chain.client, needed) : undefined;
    reading?.catch(() => {});
    const state = new BatchState();
    const events: PositionedEvent[] = [];
    for (const block of ctx.blocks) {
      const ts = Math.floor(block.header.timestamp / 1000);
      const at = new Date(ts * 1000);
      for (const log of block.logs) {
        const pos = {
          block: block.header.height,
          blockHash: block.header.hash,
          at,
          ts,
          tx: log.transactionHash,
          logIndex: log.logIndex,
          txInput: log.transaction?.input,
        };
        try {
          events.push({ ...decodeLog(log, addresses), pos } as PositionedEvent);
        } catch (err) {
          state.undecodable(log, pos, (err as Error).message);
          ctx.log.warn(
            `kept undecodable log ${log.transactionHash}#${log.logIndex}: ${(err as Error).message}`,
          );
        }
      }
    }
    const t0 = performance.now();
    await loadState(ctx.store, events, state);
    const stored = storedRows(state);
    const tl = performance.now();
    if (reading) {
      const inputs = await reading;
      for (const e of events) e.pos.txInput ??= inputs.get(e.pos.tx.toLowerCase());
    }
    // getTEE of the registrations whose mapping needs it (their calldata does not give the key or the PCR hash),
    // asked once the calldata is in: mapping makes no RPC call, and registrations the calldata describes cost none.
    const registrations = events.flatMap((e) =>
      e.kind === "TEERegistered" && needsTeeInfo(e) ? [{ teeId: e.teeId, block: e.pos.block }] : [],
    );
    if (registrations.length > 0) {
      state.teeInfos = await readTeeInfos(ctx._chain.client, addresses.teeRegistry, registrations, (m) =>
        ctx.log.warn(m),
      );
    }
    const t1 = performance.now();
    mapEvents(state, events);
    const t2 = performance.now();
    await saveState(ctx.store, state, stored, PROFILE);
    const t3 = performance.now();
    if (PROFILE) {
      console.log(
        `batch ${ctx.blocks[0]?.header.height}..${ctx.blocks.at(-1)?.header.height}: ${events.length} events; load ${(tl - t0).toFixed(0)} ms, then calldata of ${needed.length} and getTEE of ${registrations.length} ${(t1 - tl).toFixed(0)} ms, map ${(t2 - t1).toFixed(0)} ms, save ${(t3 - t2).toFixed(0)} ms`,
      );
    }
  };
}

/** Hashes of the batch's transactions whose calldata the mapping decodes and the logs do not carry. */
function calldataNeeded(ctx: ProcessorContext<Store>, addresses: Addresses): string[] {
  const hashes: string[] = [];
  for (const block of ctx.blocks) {
    for (const log of block.logs) {
      if (log.transaction !== undefined || log.address.toLowerCase() !== addresses.teeRegistry) continue;
      const topic = log.topics[0];
      if (topic !== undefined && WITH_CALLDATA.has(topic)) hashes.push(log.transactionHash);
    }
  }
  return hashes;
}
