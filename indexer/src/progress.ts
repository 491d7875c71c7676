// Catch-up progress for people watching the terminal: the chain head (polled here, independently of the
// processor) and a line every few seconds with height, rates and time left.

/**
 * Polls eth_blockNumber every `intervalMs`. An RPC that fails twice in a row (one slow reply while the
 * processor loads big blocks is normal) is reported, then every 30 s while it lasts; it is retried forever
 * and never throws: the processor has its own retries, this is only for display and for
 * indexer_state.chain_height.
 */
export class ChainHeadPoller {
  head: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failingSince: number | undefined;
  private failures = 0;
  private lastComplaint: number | undefined;

  constructor(
    private readonly rpcUrl: string,
    private readonly log: (message: string) => void,
    private readonly intervalMs = 1000,
  ) {}

  start(): void {
    if (this.timer) return;
    const tick = async () => {
      await this.poll();
      if (this.timer) this.timer = setTimeout(tick, this.intervalMs);
    };
    this.timer = setTimeout(tick, 0);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One poll; exposed for tests. */
  async poll(): Promise<void> {
    try {
      const response = await fetch(this.rpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }),
        signal: AbortSignal.timeout(Math.max(2000, this.intervalMs * 5)),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
      const body = (await response.json()) as { result?: string; error?: { message?: string } };
      if (typeof body.result !== "string") throw new Error(body.error?.message ?? "no result in the reply");
      const head = Number(BigInt(body.result));
      if (this.failingSince !== undefined && this.lastComplaint !== undefined) {
        const seconds = Math.round((Date.now() - this.failingSince) / 1000);
        this.log(`RPC ${this.rpcUrl} answers again after ${seconds} s (chain head ${head})`);
      }
      this.failingSince = undefined;
      this.failures = 0;
      this.lastComplaint = undefined;
      this.head = head;
    } catch (err) {
      const now = Date.now();
      const reason = describe(err);
      this.failingSince ??= now;
      this.failures += 1;
      if (this.failures < 2) return;
      if (this.lastComplaint === undefined) {
        this.lastComplaint = now;
        this.log(
          `RPC ${this.rpcUrl} is not answering (${reason}); retrying every ${this.intervalMs / 1000} s`,
        );
      } else if (now - this.lastComplaint >= 30_000) {
        this.lastComplaint = now;
        const seconds = Math.round((now - this.failingSince) / 1000);
        this.log(`RPC ${this.rpcUrl} still not answering after ${seconds} s (${reason}); still retrying`);
      }
    }
  }
}

function describe(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === "TimeoutError") return "timed out";
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}

export interface ProgressSample {
  height: number;
  chainHead: number | undefined;
  events: number;
  at: number;
}

/** Formats one progress line from two samples; pure, for tests. */
export function progressLine(prev: ProgressSample, now: ProgressSample): string {
  const seconds = Math.max(0.001, (now.at - prev.at) / 1000);
  const blocksPerSecond = Math.max(0, now.height - prev.height) / seconds;
  const eventsPerSecond = Math.max(0, now.events - prev.events) / seconds;
  const head = now.chainHead === undefined ? undefined : Math.max(now.chainHead, now.height);
  const parts = [`block ${fmt(now.height)} / ${head === undefined ? "?" : fmt(head)}`];
  if (head !== undefined && head > 0)
    parts[0] += ` (${((100 * Math.max(0, now.height)) / head).toFixed(1)}%)`;
  parts.push(`${fmt(blocksPerSecond)} blocks/s`, `${fmt(eventsPerSecond)} events/s`);
  if (head !== undefined) {
    const left = head - now.height;
    if (left <= 0) parts.push("at the chain head");
    else parts.push(blocksPerSecond > 0 ? `${duration(left / blocksPerSecond)} left` : "time left unknown");
  }
  return parts.join(", ");
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

/** CPU seconds this process used (user + system, every thread) since `start` (a `process.cpuUsage()`). */
export function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/**
 * Prints a progress line every `everyMs` while the indexer is behind the chain head; once it has caught up,
 * one line saying so, then one a minute while it follows the head.
 */
export class ProgressReporter {
  private height = -1;
  private events = 0;
  private prev: ProgressSample | undefined;
  private timer: NodeJS.Timeout | undefined;
  private atHead = false;
  private lastAtHeadLine = 0;

  constructor(
    private readonly chainHead: () => number | undefined,
    private readonly log: (message: string) => void,
    private readonly everyMs = 5000,
  ) {}

  /** Counts the logs of a batch (call before mapping it). */
  countEvents(blocks: { logs: unknown[] }[]): void {
    for (const b of blocks) this.events += b.logs.length;
  }

  /** The indexed height after a commit. */
  indexed(height: number): void {
    this.height = height;
  }

  start(): void {
    this.prev = this.sample();
    this.timer = setInterval(() => this.tick(), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sample(): ProgressSample {
    return { height: this.height, chainHead: this.chainHead(), events: this.events, at: Date.now() };
  }

  private tick(): void {
    const now = this.sample();
    const prev = this.prev ?? now;
    this.prev = now;
    if (now.height < 0) return; // nothing indexed yet
    const behind = now.chainHead === undefined || now.height < now.chainHead;
    if (behind) {
      this.atHead = false;
      this.log(progressLine(prev, now));
      return;
    }
    if (!this.atHead) {
      this.atHead = true;
      this.lastAtHeadLine = now.at;
      this.log(`caught up: block ${fmt(now.height)} is the chain head; following it`);
    } else if (now.at - this.lastAtHeadLine >= 60_000) {
      this.lastAtHeadLine = now.at;
      this.log(progressLine(prev, now));
    }
  }
}
