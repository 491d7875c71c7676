import type { StepReport } from "../simulator/simulator.ts";

/** One progress line every `everyMs`, plus every reorg. */
export function progressPrinter(label: string, everyMs = 2000): (r: StepReport) => void {
  let last = 0;
  let txs = 0;
  let since = Date.now();
  return (r) => {
    txs += r.txs;
    if (r.reorg) {
      console.log(
        `${label}: reorg replaced blocks ${r.reorg.fromBlock}..${r.reorg.toBlock} (depth ${r.reorg.depth})`,
      );
    }
    const now = Date.now();
    if (now - last < everyMs) return;
    const rate = (txs / Math.max(1, now - since)) * 1000;
    console.log(
      `${label}: block ${r.block} (${new Date(r.timestamp * 1000).toISOString()}), ${r.committed} inferences committed, ${r.inFlight} in flight, ${rate.toFixed(0)} tx/s`,
    );
    last = now;
    txs = 0;
    since = now;
  };
}
