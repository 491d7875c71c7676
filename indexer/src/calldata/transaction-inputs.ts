// The calldata of the few transactions whose input the mapping decodes (registrations, heartbeats and two earlier
// registries' PCR calls: TOPICS.teeRegistryWithTransaction), read by hash. Asking the processor for those logs
// `transaction: true` makes its RPC data source fetch every such block whole (eth_getBlockByNumber with every
// transaction: @subsquid/evm-processor 1.27 ds-rpc/request.js), and heartbeats land in nearly every block; so the
// node's work grew with block size, not with these logs (issue 15, docs/decisions/007-calldata-by-transaction-hash.md).
//
// One JSON-RPC batch of eth_getTransactionByHash per chunk of hashes, a few chunks in flight, through the
// processor's own RPC client, so transient faults get the same retries as every other request (faults/rpc-client.ts).
// A hash fixes its transaction, so answers are cached (bounded, least recently used first out), across batches,
// runs and reorgs alike.

export interface RpcCall {
  method: string;
  params: unknown[];
}

/** What is needed of @subsquid/rpc-client's RpcClient (ctx._chain.client): one HTTP request per batchCall. */
export interface BatchRpc {
  batchCall(calls: RpcCall[]): Promise<unknown[]>;
}

export interface TransactionInputsOptions {
  /** Hashes per JSON-RPC batch (one HTTP request). */
  chunkSize?: number;
  /** Batches in flight at once. */
  concurrency?: number;
  /** Inputs kept (by hash). */
  cacheSize?: number;
  /** Attempts for a transaction the node answers null for, before the batch fails. */
  missingAttempts?: number;
  /** Pause after the first null answer; doubled after each later one. */
  missingRetryMs?: number;
  /** For tests: what happens between attempts (default: a timer). */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The node answered null for these transactions, every time it was asked: their blocks were replaced by a reorg
 * after the processor read their logs, or the node (one behind a load balancer) has not seen them yet. Classified
 * as a transient RPC fault (faults/transient.ts): the processor run ends, is restarted from the database's
 * position, and re-reads the range, rolling back the replaced blocks; past MAX_OUTAGE_SECONDS the indexer exits.
 */
export class MissingTransactionError extends Error {
  constructor(
    readonly hashes: string[],
    attempts: number,
    seconds: number,
  ) {
    const shown = hashes.slice(0, 3).join(", ") + (hashes.length > 3 ? `, … (${hashes.length})` : "");
    super(
      `eth_getTransactionByHash answered null for ${hashes.length} transaction(s) whose logs this batch holds (${shown}), ${attempts} times over ${seconds.toFixed(1)} s: their blocks may have been replaced by a reorg, or the node has not indexed them yet; the batch will be read again`,
    );
  }
  override get name() {
    return "MissingTransactionError";
  }
}

/** What a node returned where a transaction was expected, but is none (or not the one asked for). */
export class InvalidTransactionReply extends Error {
  override get name() {
    return "InvalidTransactionReply";
  }
}

const HEX = /^0x(?:[0-9a-fA-F]{2})*$/;

export class TransactionInputs {
  private readonly cache = new Map<string, string>();
  private readonly chunkSize: number;
  private readonly concurrency: number;
  private readonly cacheSize: number;
  private readonly missingAttempts: number;
  private readonly missingRetryMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Transactions asked of the node (not answered from the cache), and JSON-RPC batches sent: for the profile. */
  readonly stats = { fetched: 0, batches: 0, cacheHits: 0 };

  constructor(options: TransactionInputsOptions = {}) {
    this.chunkSize = options.chunkSize ?? 100;
    this.concurrency = options.concurrency ?? 4;
    this.cacheSize = options.cacheSize ?? 20_000;
    this.missingAttempts = options.missingAttempts ?? 5;
    this.missingRetryMs = options.missingRetryMs ?? 250;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** The input of every transaction hash given (lowercase keys); throws MissingTransactionError for ones never found. */
  async inputsOf(rpc: BatchRpc, hashes: Iterable<string>): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const wanted = new Set<string>();
    for (const h of hashes) {
      const hash = h.toLowerCase();
      if (out.has(hash)) continue;
      const cached = this.cache.get(hash);
      if (cached === undefined) {
        wanted.add(hash);
        continue;
      }
      // Most recently used last: Map keeps insertion order.
      this.cache.delete(hash);
      this.cache.set(hash, cached);
      out.set(hash, cached);
      this.stats.cacheHits++;
    }
    let missing = [...wanted];
    const started = Date.now();
    for (let attempt = 1; missing.length > 0; attempt++) {
      const found = await this.fetch(rpc, missing);
      for (const [hash, input] of found) {
        out.set(hash, input);
        this.remember(hash, input);
      }
      missing = missing.filter((h) => !found.has(h));
      if (missing.length === 0) break;
      if (attempt >= this.missingAttempts) {
        throw new MissingTransactionError(missing, attempt, (Date.now() - started) / 1000);
      }
      await this.sleep(this.missingRetryMs * 2 ** (attempt - 1));
    }
    return out;
  }

  private remember(hash: string, input: string): void {
    this.cache.set(hash, input);
    if (this.cache.size > this.cacheSize) {
      const oldest = this.cache.keys().next().value as string;
      this.cache.delete(oldest);
    }
  }

  /** One round over `hashes`: chunks of chunkSize, at most `concurrency` in flight. Null answers are left out. */
  private async fetch(rpc: BatchRpc, hashes: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    const chunks: string[][] = [];
    for (let i = 0; i < hashes.length; i += this.chunkSize) chunks.push(hashes.slice(i, i + this.chunkSize));
    let next = 0;
    const worker = async () => {
      while (next < chunks.length) {
        const chunk = chunks[next++];
        this.stats.batches++;
        this.stats.fetched += chunk.length;
        const replies = await rpc.batchCall(
          chunk.map((hash) => ({ method: "eth_getTransactionByHash", params: [hash] })),
        );
        chunk.forEach((hash, i) => {
          const input = inputOf(replies[i], hash);
          if (input !== undefined) found.set(hash, input);
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, chunks.length) }, worker));
    return found;
  }
}

/** The input of a reply to eth_getTransactionByHash(hash); undefined for null (not found). */
function inputOf(reply: unknown, hash: string): string | undefined {
  if (reply === null || reply === undefined) return undefined;
  const tx = reply as { hash?: unknown; input?: unknown };
  if (typeof tx.hash !== "string" || tx.hash.toLowerCase() !== hash) {
    throw new InvalidTransactionReply(`eth_getTransactionByHash(${hash}) answered another transaction`);
  }
  if (typeof tx.input !== "string" || !HEX.test(tx.input)) {
    throw new InvalidTransactionReply(`eth_getTransactionByHash(${hash}) answered no hex input`);
  }
  return tx.input;
}
