// Per-client-address request limit over fixed one-minute windows. Memory stays bounded: entries of past windows
// are dropped when the table grows.

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly exempt: ReadonlySet<string> = new Set(),
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.perMinute > 0;
  }

  take(address: string): RateDecision {
    const limit = this.perMinute;
    if (limit <= 0 || this.exempt.has(address))
      return { allowed: true, limit, remaining: limit, resetSeconds: 0 };
    const now = this.now();
    const start = now - (now % 60_000);
    let w = this.windows.get(address);
    if (!w || w.start !== start) {
      if (this.windows.size >= 100_000) this.prune(start);
      w = { start, count: 0 };
      this.windows.set(address, w);
    }
    w.count++;
    const resetSeconds = Math.ceil((start + 60_000 - now) / 1000);
    return { allowed: w.count <= limit, limit, remaining: Math.max(0, limit - w.count), resetSeconds };
  }

  private prune(currentStart: number): void {
    for (const [address, w] of this.windows) if (w.start !== currentStart) this.windows.delete(address);
  }
}
