import type { IncomingMessage } from "node:http";

// Answers that never go backwards for a client when API replicas read streaming replicas that lag by different
// amounts (docs/deploy.md, "Replicas"). Every answer says in X-Indexed-Height a height that none of its data is
// newer than (a cached answer's and an export's exact position; a computed answer's position read after computing
// it). A client that keeps the highest height it has seen sends it back as X-Min-Height, and an API whose database
// has not replayed that far yet waits for it (up to MIN_HEIGHT_WAIT_MS) before reading anything, and otherwise
// answers 503, so the client retries (behind a load balancer, likely on another replica) instead of being shown
// older data. Replay only moves forward, so everything read after the wait is at least as new as anything the
// client was shown.

export const INDEXED_HEIGHT_HEADER = "X-Indexed-Height";
export const MIN_HEIGHT_HEADER = "X-Min-Height";
/** Seconds a client behind which the replica still is should wait before retrying (Retry-After). */
export const BEHIND_RETRY_AFTER_SECONDS = 1;
const POLL_MS = 25;

/** X-Min-Height of a request: undefined when absent; a string saying what is wrong when it is no block number. */
export function parseMinHeight(req: IncomingMessage): number | undefined | { error: string } {
  const raw = req.headers[MIN_HEIGHT_HEADER.toLowerCase()];
  if (raw === undefined) return undefined;
  const text = Array.isArray(raw) ? raw.join(",") : raw;
  if (!/^\d{1,15}$/.test(text.trim())) {
    const shown = JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text);
    return { error: `Got ${MIN_HEIGHT_HEADER}: ${shown}, expected a block number such as 1234` };
  }
  return Number(text.trim());
}

/**
 * Reads with `read` until `heightOf` its result reaches `minHeight` or `waitMs` have passed; returns the last
 * reading and whether it reached the height (always, when no height is asked for). A reading without a height (the
 * caller's failed read) ends the wait at once, not reached; a read that throws propagates.
 */
export async function readAtLeast<T>(
  read: () => Promise<T>,
  heightOf: (value: T) => number | undefined,
  minHeight: number | undefined,
  waitMs: number,
): Promise<{ value: T; reached: boolean }> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const value = await read();
    const height = heightOf(value);
    if (minHeight === undefined || (height !== undefined && height >= minHeight)) {
      return { value, reached: true };
    }
    if (height === undefined || Date.now() + POLL_MS > deadline) return { value, reached: false };
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** The 503 message of a replica that stayed behind the height a client asked for. */
export function behindMessage(height: number | undefined, minHeight: number): string {
  return `This API's database has indexed up to block ${height ?? "none"}, behind ${MIN_HEIGHT_HEADER}: ${minHeight}; retry shortly`;
}
