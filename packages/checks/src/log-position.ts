/** Where a log sits in the chain: the order of events is (block number, log index). */
export interface LogPosition {
  blockNumber: number;
  logIndex: number;
}

/** Negative when `a` comes first, positive when `b` does, 0 for the same log. */
export function comparePositions(a: LogPosition, b: LogPosition): number {
  return a.blockNumber - b.blockNumber || a.logIndex - b.logIndex;
}

/** Whether `a` comes strictly after `b`. */
export function isAfter(a: LogPosition, b: LogPosition): boolean {
  return comparePositions(a, b) > 0;
}

/** The one that comes first; either may be missing. On a tie (the same log), `a`. */
export function earliest<T extends LogPosition>(a: T | undefined, b: T | undefined): T | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return comparePositions(b, a) < 0 ? b : a;
}
