import { createRequire } from "node:module";
import type * as Pass from "../../indexer/src/checkpoints/checkpoint-pass.ts";

// The indexer's day-end reputation checkpoints (decision 013) on the seeded database, as a running indexer's pass
// would have them: the reputation-history export reads them. The compiled indexer (indexer/lib) runs it.

const require = createRequire(import.meta.url);
const { CheckpointPass } = require("../../indexer/lib/checkpoints/checkpoint-pass.js") as typeof Pass;

/**
 * Every day end before `latest` (the seeded chain's last block, final: no block follows it): computed, or already
 * there from an earlier run.
 */
export async function computeCheckpoints(url: string, latest: Date): Promise<Pass.PassOutcome> {
  const pass = new CheckpointPass({ databaseUrl: url, intervalMs: 60_000, log: () => {} });
  return pass.runOnce(Math.floor(latest.getTime() / 1000));
}
