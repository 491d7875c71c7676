import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** The anvil binary shipped inside the @foundry-rs/anvil platform package (no install script or download needed). */
export function anvilBinaryPath(): string {
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch}`;
  let candidate: string;
  try {
    candidate = require.resolve(`${pkg}/bin/anvil`);
  } catch {
    throw new Error(
      `anvil binary not found: the npm package ${pkg} is missing. Run \`npm install\` (it is an optional dependency of @foundry-rs/anvil for ${process.platform}/${process.arch}).`,
    );
  }
  if (!existsSync(candidate)) throw new Error(`anvil binary not found at ${candidate}`);
  return candidate;
}

export interface AnvilOptions {
  port?: number;
  host?: string;
  chainId?: number;
  /** Number of funded dev accounts (anvil's default mnemonic). */
  accounts?: number;
  /** Genesis timestamp (unix seconds). */
  genesisTimestamp?: number;
  /** Load the chain from this file at start and dump it there on exit, so a restart resumes. */
  statePath?: string;
  /** true: blocks are mined only on request (the simulator mines); false: a block per transaction. */
  noMining?: boolean;
  /** How many recent blocks' states anvil keeps for eth_call at an older block (default 64). */
  keepStates?: number;
  /** Print anvil's own output (otherwise only kept for error messages). */
  verbose?: boolean;
}

export interface RunningAnvil {
  rpcUrl: string;
  process: ChildProcess;
  /** Stops anvil (SIGINT, so it dumps its state) and waits for it to exit. */
  stop(): Promise<void>;
}

/** Starts anvil on 127.0.0.1 and resolves once its JSON-RPC answers. */
export async function startAnvil(opts: AnvilOptions = {}): Promise<RunningAnvil> {
  const host = opts.host ?? "127.0.0.1";
  const port = opts.port ?? 8545;
  const args = [
    "--host",
    host,
    "--port",
    String(port),
    "--chain-id",
    String(opts.chainId ?? 31337),
    "--accounts",
    String(opts.accounts ?? 40),
    "--balance",
    "1000000",
    // The simulator puts thousands of transactions in one block; fees play no part in what is indexed.
    "--gas-limit",
    "100000000000",
    "--block-base-fee-per-gas",
    "0",
    "--silent",
    // Keep only recent blocks' states in memory (blocks, transactions and logs all stay): without it anvil
    // persists a state per block and slows down as bulk runs grow. Old-state eth_calls fail, as on most
    // non-archive nodes (spec/run.md).
    "--prune-history",
    String(opts.keepStates ?? 64),
  ];
  if (opts.noMining) args.push("--no-mining");
  if (opts.genesisTimestamp !== undefined) args.push("--timestamp", String(opts.genesisTimestamp));
  // Saved at exit and every 10 s, so a killed devnet resumes close to where it was (scripts/start.ts rebuilds an
  // index that got ahead of the saved chain).
  if (opts.statePath) args.push("--state", opts.statePath, "--state-interval", "10");

  const child = spawn(anvilBinaryPath(), args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
    if (opts.verbose) process.stderr.write(chunk);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  const rpcUrl = `http://${host}:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const early = await Promise.race([exited, new Promise((r) => setTimeout(() => r("wait"), 100))]);
    if (early !== "wait") {
      throw new Error(`anvil exited with code ${String(early)} before answering on ${rpcUrl}:\n${output}`);
    }
    if (await answers(rpcUrl)) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`anvil did not answer on ${rpcUrl} within 30 s:\n${output}`);
    }
  }
  return {
    rpcUrl,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGINT");
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function answers(rpcUrl: string): Promise<boolean> {
  try {
    const res = await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    });
    return res.ok;
  } catch {
    return false;
  }
}
