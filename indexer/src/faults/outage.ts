import { describeError, type FaultKind } from "./transient.ts";

// One outage = the time from the first failure of a kind (RPC or database) to the next success of that kind.
// It is logged once when it starts and once when it ends; it is given up on after MAX_OUTAGE_SECONDS.

export interface BackoffOptions {
  /** First pause, ms. */
  baseMs: number;
  /** Longest pause, ms. */
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 200, capMs: 15_000 };

/**
 * Capped exponential backoff with "equal jitter": attempt n (from 1) waits between half and all of
 * min(cap, base·2^(n-1)), so processes that failed together do not retry together, and no pause is near zero.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random = Math.random,
) {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** The SDK's RPC retry schedule (ms per consecutive failure), capped like ours; jitter is added per pause. */
export function retrySchedule(options: BackoffOptions = DEFAULT_BACKOFF): number[] {
  const out: number[] = [];
  for (let d = options.baseMs; ; d *= 2) {
    out.push(Math.min(d, options.capMs));
    if (d >= options.capMs) return out;
  }
}

/** Thrown when an outage lasted longer than allowed: the process should exit with this message. */
export class OutageTooLong extends Error {
  constructor(
    readonly kind: FaultKind,
    readonly seconds: number,
    readonly last: unknown,
  ) {
    super(
      `${kind === "rpc" ? "the RPC endpoint" : "the database"} has been failing for ${seconds} s, longer than MAX_OUTAGE_SECONDS allows; giving up. Last error: ${describeError(last)}`,
    );
    this.name = "OutageTooLong";
  }
}

export interface OutageOptions {
  kind: FaultKind;
  /** What is failing, for the log lines (e.g. "RPC http://…", "database"). */
  what: string;
  maxOutageMs: number;
  log: (message: string) => void;
  backoff?: BackoffOptions;
  now?: () => number;
}

export class Outage {
  private since: number | undefined;
  private failures = 0;
  private lastError: unknown;
  private readonly now: () => number;

  constructor(private readonly options: OutageOptions) {
    this.now = options.now ?? Date.now;
  }

  get active(): boolean {
    return this.since !== undefined;
  }

  /** How long the current outage has lasted, ms (0 when none). */
  get elapsedMs(): number {
    return this.since === undefined ? 0 : this.now() - this.since;
  }

  /**
   * Records a failure: the first of an outage is logged; later ones are not. Returns the pause before the next
   * attempt, or throws OutageTooLong once the outage has lasted longer than allowed.
   */
  failed(err: unknown): number {
    const now = this.now();
    this.lastError = err;
    this.failures += 1;
    if (this.since === undefined) {
      this.since = now;
      this.options.log(
        `${this.options.what} unavailable (${describeError(err)}); retrying with backoff for up to ${Math.round(this.options.maxOutageMs / 1000)} s`,
      );
    }
    this.assertWithinBudget();
    return backoffDelay(this.failures, this.options.backoff);
  }

  /** Throws OutageTooLong when the current outage has lasted longer than allowed. */
  assertWithinBudget(): void {
    if (this.since === undefined) return;
    const elapsed = this.now() - this.since;
    if (elapsed > this.options.maxOutageMs) {
      throw new OutageTooLong(this.options.kind, Math.round(elapsed / 1000), this.lastError);
    }
  }

  get withinBudget(): boolean {
    return this.since === undefined || this.now() - this.since <= this.options.maxOutageMs;
  }

  /** Records a success: ends the outage, with one line saying how long it lasted. */
  succeeded(): void {
    if (this.since === undefined) return;
    const seconds = ((this.now() - this.since) / 1000).toFixed(1);
    const retries = this.failures;
    this.since = undefined;
    this.failures = 0;
    this.lastError = undefined;
    this.options.log(
      `${this.options.what} recovered after ${seconds} s (${retries} failed attempt${retries === 1 ? "" : "s"})`,
    );
  }
}
