import type { Store } from "@subsquid/typeorm-store";
import type { ProcessorContext } from "../processor";
import { BatchMapper } from "./batch-mapper";
import { type Addresses, decodeLog, type PositionedEvent } from "./decode-logs";
import { rpcTeeInfoReader } from "./tee-info";

/** INDEXER_PROFILE=1 prints where each batch's time goes (load, map, save). */
const PROFILE = process.env.INDEXER_PROFILE === "1";

/**
 * The squid's batch handler: decode every log of the batch in chain order, load what they touch once, map, save
 * once per entity type. A log that does not decode is kept as an UndecodedLog row, never dropped, never fatal.
 */
export function makeBatchHandler(addresses: Addresses) {
  return async function handleBatch(ctx: ProcessorContext<Store>): Promise<void> {
    const teeInfo = rpcTeeInfoReader(
      (method, params) => ctx._chain.client.call(method, params),
      addresses.teeRegistry,
      (m) => ctx.log.warn(m),
    );
    const mapper = new BatchMapper(ctx.store, teeInfo);
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
          mapper.undecodable(log, pos, (err as Error).message);
          ctx.log.warn(
            `kept undecodable log ${log.transactionHash}#${log.logIndex}: ${(err as Error).message}`,
          );
        }
      }
    }
    const t0 = performance.now();
    await mapper.load(events);
    const t1 = performance.now();
    await mapper.map(events);
    const t2 = performance.now();
    await mapper.save();
    const t3 = performance.now();
    if (PROFILE) {
      console.log(
        `batch ${ctx.blocks[0]?.header.height}..${ctx.blocks.at(-1)?.header.height}: ${events.length} events; load ${(t1 - t0).toFixed(0)} ms, map ${(t2 - t1).toFixed(0)} ms, save ${(t3 - t2).toFixed(0)} ms`,
      );
    }
  };
}
