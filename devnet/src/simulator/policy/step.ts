import type { Rng } from "../../crypto/rng.ts";
import type { PolicyContext } from "./context.ts";
import { heartbeats } from "./heartbeats.ts";
import { advanceFlights, commits } from "./inferences.ts";
import { scenarioEvents } from "./scenario.ts";
import { batchSettle } from "./settle.ts";
import { completeWithdrawals, topUps } from "./stake.ts";

/** Steps between the live scenario's repeating cycles of events. */
export const LIVE_CYCLE_STEPS = 300;

/**
 * How much traffic: bulk runs commit `perBlock` inferences a block until `inferences` are made (scenario events
 * spread over that span); live runs commit a Poisson number at `rate` a second, the scenario repeating each cycle.
 */
export type Pace = { kind: "bulk"; inferences: number; perBlock: number } | { kind: "live"; rate: number };

/** Blocks in which a bulk run commits; Infinity for a live run. */
export function commitSteps(pace: Pace): number {
  return pace.kind === "bulk" ? Math.ceil(pace.inferences / pace.perBlock) : Infinity;
}

/**
 * Decides one block at time `ts`: scenario events, heartbeats, the next stage of every inference in flight, new
 * commits, stake top-ups and due withdrawals, in that order. A block is never empty (a batch settlement fills it),
 * and with `varyBlocks` (reorgs injected) half of the blocks get one more, so a replacement block differs from the
 * one it replaces. Every draw comes from `rng`, forked per part.
 */
export function stepActions(ctx: PolicyContext, pace: Pace, ts: number, rng: Rng, varyBlocks: boolean): void {
  const s = ctx.state;
  const steps = commitSteps(pace);
  const cycle = pace.kind === "bulk" ? 0 : Math.floor(s.step / LIVE_CYCLE_STEPS);
  const progress =
    pace.kind === "bulk" ? s.step / Math.max(1, steps) : (s.step % LIVE_CYCLE_STEPS) / LIVE_CYCLE_STEPS;
  ctx.resolvingNodes.clear();
  scenarioEvents(ctx, progress, cycle, ts, rng.fork("events"));
  heartbeats(ctx, ts, rng.fork("heartbeats"));
  advanceFlights(ctx, ts, rng.fork("flights"));
  const wanted =
    pace.kind === "bulk"
      ? Math.min(pace.perBlock, pace.inferences - s.committed)
      : poisson(pace.rate * ctx.timing.interval, rng.fork("rate"));
  if (!(pace.kind === "bulk" && s.step >= steps)) commits(ctx, wanted, ts, rng.fork("commits"));
  topUps(ctx);
  completeWithdrawals(ctx, ts);
  if (ctx.actions.length === 0 || (varyBlocks && rng.chance(0.5))) batchSettle(ctx, rng, [1, 500], 8);
}

function poisson(mean: number, rng: Rng): number {
  if (mean > 50)
    return Math.max(
      0,
      Math.round(mean + Math.sqrt(mean) * (rng.float() + rng.float() + rng.float() - 1.5) * 2),
    );
  const l = Math.exp(-mean);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rng.float();
  } while (p > l);
  return k - 1;
}
