import { createHash } from "node:crypto";

// Whole GraphQL answers, served again while the database has not changed. Every answer is a function of the
// request and of the data (asOf is the latest indexed block's time, never the clock). The data changes only when
// a write transaction commits, and every commit changes the database snapshot (pg_current_snapshot(): xmax is
// one past the latest completed transaction, and the in-progress list loses the committed one); snapshots only
// move forward, so two equal readings mean that nothing committed in between.
//
// A request reads the snapshot first (with the indexer's position, in one statement: readSnapshotAndState). An
// answer computed after reading snapshot S is kept under S; a later request that reads S again, with a reading
// taken after the answer was kept, proves that nothing committed from before the answer was computed until
// now: the kept answer is then exactly what computing it again would give, and is served. The snapshot is
// cluster-wide, so writes to other databases of the same cluster only make the cache miss more.
//
// Kept: successful POSTed queries (no errors), by body and Accept header, bounded in bytes; a request with
// `Cache-Control: no-cache` (or no-store) neither reads nor fills it.

export interface CachedAnswer {
  snapshot: string;
  status: number;
  headers: [string, string][];
  body: string;
  /** Metrics labels of the operation. */
  operation: string;
  type: string;
}

interface Entry extends CachedAnswer {
  /** tick() when it was kept: only readings taken later can prove it current. */
  kept: number;
}

const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
const DEFAULT_MAX_ENTRY_BYTES = 2 * 1024 * 1024;

export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private ticks = 0;
  /** The latest snapshot read: answers kept under any other can no longer be served, and are dropped. */
  private snapshot: string | undefined;

  constructor(
    private readonly maxBytes = DEFAULT_MAX_BYTES,
    private readonly maxEntryBytes = DEFAULT_MAX_ENTRY_BYTES,
  ) {}

  get enabled(): boolean {
    return this.maxBytes > 0;
  }

  key(accept: string, body: Buffer): string {
    return createHash("sha256").update(accept).update("\n").update(body).digest("base64url");
  }

  /** Orders snapshot readings and kept answers: take one just before reading the snapshot. */
  tick(): number {
    return ++this.ticks;
  }

  /** The answer kept for `key`, if a snapshot reading taken at `readTick` proves it current. */
  get(key: string, snapshot: string, readTick: number): CachedAnswer | undefined {
    this.observe(snapshot);
    const entry = this.entries.get(key);
    if (!entry || entry.snapshot !== snapshot || entry.kept >= readTick) return undefined;
    // Least recently used first: a hit moves to the end.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  /** Keeps an answer computed after reading `answer.snapshot`. */
  set(key: string, answer: CachedAnswer): void {
    // Under an older snapshot than the latest read, it could never be served.
    if (answer.snapshot !== this.snapshot) return;
    const entry: Entry = { ...answer, kept: this.tick() };
    const size = sizeOf(entry);
    if (size > this.maxEntryBytes) return;
    this.delete(key);
    this.entries.set(key, entry);
    this.bytes += size;
    for (const [oldest, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= sizeOf(old);
    }
  }

  private delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= sizeOf(entry);
  }

  private observe(snapshot: string): void {
    if (snapshot === this.snapshot) return;
    this.snapshot = snapshot;
    this.entries.clear();
    this.bytes = 0;
  }
}

function sizeOf(answer: CachedAnswer): number {
  // UTF-16 strings, plus the key and bookkeeping.
  return 2 * answer.body.length + 512;
}
