import { readIndexerState } from "../data/indexer-state.ts";
import type { Db } from "../db/database.ts";
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from "../db/unavailable.ts";

// /healthz: 200 only when the database answers and the indexer is live: it wrote its position within the stall
// threshold, or it is at the chain head (a quiet chain produces no batches). 503 otherwise, saying why.

export interface Health {
  status: 200 | 503;
  body: Record<string, unknown>;
}

/** `onDatabaseError` gets the driver's error (for the server log); the answer never carries its text. */
export async function checkHealth(
  db: Db,
  stallSeconds: number,
  now = Date.now(),
  onDatabaseError: (err: unknown) => void = () => {},
): Promise<Health> {
  let state: Awaited<ReturnType<typeof readIndexerState>>;
  try {
    state = await readIndexerState(db);
  } catch (err) {
    onDatabaseError(err);
    return {
      status: 503,
      body: {
        status: "unavailable",
        code: "SERVICE_UNAVAILABLE",
        reason: isDatabaseUnavailable(err)
          ? DATABASE_UNAVAILABLE_MESSAGE
          : "the database could not answer the health query",
      },
    };
  }
  if (!state) {
    return {
      status: 503,
      body: {
        status: "unavailable",
        reason: "the indexer has not recorded a position yet (indexer_state is empty)",
      },
    };
  }
  const secondsSinceUpdate = Math.max(0, Math.round((now - state.updated_at.getTime()) / 1000));
  const atHead = state.chain_height !== null && state.height >= state.chain_height;
  const details = {
    height: state.height,
    chainHeight: state.chain_height,
    lagBlocks: state.chain_height === null ? null : Math.max(0, state.chain_height - state.height),
    updatedAt: state.updated_at.toISOString(),
    secondsSinceUpdate,
    stallThresholdSeconds: stallSeconds,
  };
  if (secondsSinceUpdate <= stallSeconds || atHead)
    return { status: 200, body: { status: "ok", ...details } };
  return {
    status: 503,
    body: {
      status: "stalled",
      reason: `the indexer last wrote its position ${secondsSinceUpdate} s ago (threshold ${stallSeconds} s) and is ${details.lagBlocks ?? "an unknown number of"} blocks behind the chain`,
      ...details,
    },
  };
}
