/**
 * Runs the compiled indexer (`node indexer/lib/main.js`) as a child process against a devnet and a test
 * database, and watches its progress through the indexer_state row.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./net.ts";
import { connect, type PgClient } from "./postgres.ts";

export const REPO_ROOT = resolve(fileURLToPath(new URL("../../..", import.meta.url)));
export const INDEXER_MAIN = join(REPO_ROOT, "indexer/lib/main.js");

export interface IndexerTarget {
  rpcUrl: string;
  /** Without attestationRegistry the indexer runs on the two contracts OpenGradient's network has. */
  addresses: { teeRegistry: string; settlementRelay: string; attestationRegistry?: string };
  startBlock: number;
  databaseUrl: string;
  finalityConfirmations?: number;
  headPollIntervalMs?: number;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

export interface IndexerState {
  height: number;
  hash: string | null;
  chainHeight: number | null;
  finalizedHeight: number | null;
  reorgedBlocks: number;
}

export class IndexerProcess {
  private child: ChildProcess | undefined;
  private output = "";
  private exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;
  private exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private db: PgClient | undefined;
  readonly dataDir = mkdtempSync(join(tmpdir(), "indexer-e2e-data-"));
  /** How many times it was started. */
  starts = 0;

  constructor(readonly target: IndexerTarget) {}

  /** Fails with a readable message when the indexer has not been built. */
  static assertBuilt(): void {
    if (!existsSync(INDEXER_MAIN)) {
      throw new Error(`${INDEXER_MAIN} does not exist: build the indexer first (npm run build -w indexer)`);
    }
  }

  async start(): Promise<void> {
    IndexerProcess.assertBuilt();
    if (this.running) throw new Error("indexer already running");
    const t = this.target;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: t.databaseUrl,
      RPC_URL: t.rpcUrl,
      TEE_REGISTRY_ADDRESS: t.addresses.teeRegistry,
      SETTLEMENT_RELAY_ADDRESS: t.addresses.settlementRelay,
      ...(t.addresses.attestationRegistry
        ? { ATTESTATION_REGISTRY_ADDRESS: t.addresses.attestationRegistry }
        : {}),
      START_BLOCK: String(t.startBlock),
      FINALITY_CONFIRMATIONS: String(t.finalityConfirmations ?? 5),
      HEAD_POLL_INTERVAL_MS: String(t.headPollIntervalMs ?? 100),
      PROMETHEUS_PORT: String(await freePort()),
      DATA_DIR: this.dataDir,
      EMBEDDED_PG_PORT: String(await freePort()),
      ...t.env,
    };
    this.output = "";
    this.exited = undefined;
    const child = spawn(process.execPath, [INDEXER_MAIN], {
      cwd: REPO_ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
      if (process.env.INDEXER_E2E_VERBOSE) process.stderr.write(chunk);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    this.exit = new Promise((r) =>
      child.once("exit", (code, signal) => {
        this.exited = { code, signal };
        r({ code, signal });
      }),
    );
    this.child = child;
    this.starts++;
  }

  get running(): boolean {
    return this.child !== undefined && this.exited === undefined;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The last 20 kB of its stdout and stderr. */
  get log(): string {
    return this.output;
  }

  /** Stops it: SIGTERM waits for the orderly shutdown (SIGKILL after 30 s), SIGKILL kills it at once. */
  async stop(
    signal: "SIGTERM" | "SIGKILL" = "SIGTERM",
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const child = this.child;
    if (!child || !this.exit) return { code: null, signal: null };
    if (this.exited) return this.exited;
    child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const result = await this.exit;
    clearTimeout(timer);
    return result;
  }

  async restart(signal: "SIGTERM" | "SIGKILL" = "SIGTERM"): Promise<void> {
    await this.stop(signal);
    await this.start();
  }

  private async client(): Promise<PgClient> {
    this.db ??= await connect(this.target.databaseUrl);
    return this.db;
  }

  /** The indexer_state row, or undefined before the first batch (or before the migrations created it). */
  async state(): Promise<IndexerState | undefined> {
    try {
      const { rows } = await (await this.client()).query<{
        height: number;
        hash: string | null;
        chain_height: number | null;
        finalized_height: number | null;
        reorged_blocks: number;
      }>(
        "SELECT height, hash, chain_height, finalized_height, reorged_blocks FROM indexer_state WHERE id = 'indexer'",
      );
      const r = rows[0];
      if (!r) return undefined;
      return {
        height: r.height,
        hash: r.hash,
        chainHeight: r.chain_height,
        finalizedHeight: r.finalized_height,
        reorgedBlocks: r.reorged_blocks,
      };
    } catch (err) {
      if ((err as { code?: string }).code === "42P01") return undefined; // no table yet
      throw err;
    }
  }

  /**
   * Waits until indexer_state.height >= block (and, with `hash`, the indexed head has that hash). Throws with the
   * indexer's output when it exits first or the time runs out.
   */
  async waitForHeight(
    block: number,
    opts: { hash?: string; timeoutMs?: number; pollMs?: number } = {},
  ): Promise<IndexerState> {
    const deadline = Date.now() + (opts.timeoutMs ?? 240_000);
    let last: IndexerState | undefined;
    for (;;) {
      last = await this.state();
      if (last && last.height >= block && (!opts.hash || last.height > block || last.hash === opts.hash))
        return last;
      if (this.exited) {
        throw new Error(
          `the indexer exited (code ${this.exited.code}, signal ${this.exited.signal}) at height ${last?.height ?? "none"} before reaching block ${block}:\n${this.output.slice(-4000)}`,
        );
      }
      if (Date.now() > deadline) {
        throw new Error(
          `the indexer did not reach block ${block}${opts.hash ? ` (${opts.hash})` : ""} in time: height ${last?.height ?? "none"}, hash ${last?.hash}\n${this.output.slice(-4000)}`,
        );
      }
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 100));
    }
  }

  /** Drops the watcher's database connection (after a Postgres restart); the next state() reconnects. */
  async reconnect(): Promise<void> {
    await this.db?.end().catch(() => {});
    this.db = undefined;
  }

  /** Stops the process and closes the watcher's connection. */
  async close(): Promise<void> {
    await this.stop("SIGTERM");
    await this.db?.end().catch(() => {});
    this.db = undefined;
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** The chain's head: number and hash. */
export async function chainHead(
  rpcUrl: string,
): Promise<{ number: number; hash: string; timestamp: number }> {
  const res = await fetch(rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "eth_getBlockByNumber",
      params: ["latest", false],
    }),
  });
  const { result } = (await res.json()) as { result: { number: string; hash: string; timestamp: string } };
  return {
    number: Number(result.number),
    hash: result.hash.toLowerCase(),
    timestamp: Number(result.timestamp),
  };
}
