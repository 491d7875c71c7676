// Shared helpers for the contract tests: a real anvil node on a free port, the three contracts deployed from
// contracts/out, and typed helpers to send a transaction (and decode its events) or to expect a custom-error revert.
//
// The anvil launcher is a small copy of devnet/src/chain/anvil.ts: the contracts project is its own TypeScript
// project (composite), so it cannot import files of the devnet project.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { freePort } from "@attestation-explorer/testkit/net";
import {
  type Abi,
  type Address,
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createTestClient,
  createWalletClient,
  decodeErrorResult,
  encodeDeployData,
  encodeFunctionData,
  type Hex,
  http,
  type Log,
  type PublicClient,
  parseEventLogs,
  type TestClient,
  type TransactionReceipt,
  type WalletClient,
} from "viem";

const require = createRequire(import.meta.url);

export const CONTRACTS = ["TEERegistry", "InferenceSettlementRelay", "AttestationRegistry"] as const;
export type ContractName = (typeof CONTRACTS)[number];

export interface Artifact {
  contractName: string;
  abi: Abi;
  bytecode: Hex;
}

/** contracts/out/<name>.json, written by `npm run build -w contracts` (the root postinstall runs it). */
export function loadArtifact(name: ContractName): Artifact {
  const url = new URL(`../../out/${name}.json`, import.meta.url);
  let text: string;
  try {
    text = readFileSync(url, "utf8");
  } catch {
    throw new Error(`contract artifact ${url.pathname} is missing: run \`npm run build -w contracts\``);
  }
  return JSON.parse(text) as Artifact;
}

function anvilBinaryPath(): string {
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch}`;
  try {
    return require.resolve(`${pkg}/bin/anvil`);
  } catch {
    throw new Error(`anvil binary not found: the npm package ${pkg} is missing; run \`npm install\``);
  }
}

interface Anvil {
  rpcUrl: string;
  stop(): Promise<void>;
}

/** Starts anvil (automine: one block per transaction) on a free port and waits until its JSON-RPC answers. */
async function startAnvil(): Promise<Anvil> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await launch(port);
    } catch (e) {
      // Another process may have taken the port between freePort() and anvil's bind: try another one.
      if (attempt >= 3) throw e;
    }
  }
}

async function launch(port: number): Promise<Anvil> {
  const args = ["--host", "127.0.0.1", "--port", String(port), "--accounts", "10", "--balance", "1000000"];
  args.push("--chain-id", "31337", "--silent");
  const child: ChildProcess = spawn(anvilBinaryPath(), args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const rpcUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const early = await Promise.race([exited, new Promise((r) => setTimeout(() => r("wait"), 50))]);
    if (early !== "wait")
      throw new Error(`anvil exited (${String(early)}) before answering on ${rpcUrl}:\n${output}`);
    if (await answers(rpcUrl)) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`anvil did not answer on ${rpcUrl} within 20 s:\n${output}`);
    }
  }
  return {
    rpcUrl,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGKILL");
      await exited;
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

/** A deployed contract: where it is and how to talk to it. */
export interface Deployed {
  name: ContractName;
  address: Address;
  abi: Abi;
}

/** Every custom error declared by the three contracts, so a revert from any of them decodes to its name. */
function allErrors(): Abi {
  const seen = new Set<string>();
  const errors: Abi[number][] = [];
  for (const name of CONTRACTS) {
    for (const item of loadArtifact(name).abi) {
      if (item.type !== "error") continue;
      const key = JSON.stringify(item);
      if (!seen.has(key)) {
        seen.add(key);
        errors.push(item);
      }
    }
  }
  return errors;
}

export interface SendOptions {
  /** Sender (an unlocked anvil account); the deployer when omitted. */
  from?: Address;
  value?: bigint;
}

/** A mined, successful transaction with its events decoded against the called contract's ABI. */
export interface Sent {
  receipt: TransactionReceipt;
  /** Block timestamp of the transaction's block. */
  timestamp: bigint;
  events: DecodedEvent[];
  /** ETH the sender paid for gas. */
  gasCost: bigint;
}

export interface DecodedEvent {
  eventName: string;
  args: Record<string, unknown>;
  address: Address;
  topics: Log["topics"];
}

/** The custom error a transaction or call reverted with. */
export interface Revert {
  errorName: string;
  args: readonly unknown[];
}

// Fixed gas: the transaction is mined even when it reverts (no eth_estimateGas first), so every revert test checks
// what the EVM does in a real block (with that block's timestamp), not only a simulation.
const GAS = 5_000_000n;

export interface Chain {
  rpcUrl: string;
  publicClient: PublicClient;
  walletClient: WalletClient;
  testClient: TestClient;
  /** anvil's unlocked dev accounts; accounts[0] deployed everything and holds every role. */
  accounts: Address[];
  deployer: Address;
  teeRegistry: Deployed;
  settlementRelay: Deployed;
  attestationRegistry: Deployed;
  /** Sends `functionName(args)` to `contract` and fails (with the decoded error) unless it succeeds. */
  send(contract: Deployed, functionName: string, args: readonly unknown[], opts?: SendOptions): Promise<Sent>;
  /**
   * Sends `functionName(args)`; expects it to be mined reverted with the custom error `errorName`, to have emitted
   * nothing, and returns the error's arguments.
   */
  expectRevert(
    contract: Deployed,
    functionName: string,
    args: readonly unknown[],
    errorName: string,
    opts?: SendOptions,
  ): Promise<readonly unknown[]>;
  /** eth_call of a view function. */
  read<T>(contract: Deployed, functionName: string, args?: readonly unknown[]): Promise<T>;
  /** eth_call that must revert with `errorName`; returns the error's arguments. */
  expectCallRevert(
    contract: Deployed,
    functionName: string,
    args: readonly unknown[],
    errorName: string,
  ): Promise<readonly unknown[]>;
  /** eth_call (as `from`) returning the function's return value, e.g. the id a transaction would return. */
  simulate<T>(
    contract: Deployed,
    functionName: string,
    args: readonly unknown[],
    opts?: SendOptions,
  ): Promise<T>;
  balance(address: Address): Promise<bigint>;
  latestTimestamp(): Promise<bigint>;
  /** The next mined block gets exactly this timestamp. */
  setNextTimestamp(timestamp: bigint): Promise<void>;
  stop(): Promise<void>;
}

/** Starts anvil on a free port and deploys TEERegistry, InferenceSettlementRelay(registry) and AttestationRegistry. */
export async function startChain(): Promise<Chain> {
  const anvil = await startAnvil();
  try {
    return await connect(anvil);
  } catch (e) {
    await anvil.stop();
    throw e;
  }
}

async function connect(anvil: Anvil): Promise<Chain> {
  const transport = http(anvil.rpcUrl, { retryCount: 0 });
  // No cached answers: viem reuses a block number for cacheTime (default: the polling interval), so a test reading
  // the head right after a transaction could be told a block before it (a flaky og-evm e2e run: block 48 for 50).
  const publicClient = createPublicClient({ transport, pollingInterval: 20, cacheTime: 0 });
  const walletClient = createWalletClient({ transport, pollingInterval: 20 });
  const testClient = createTestClient({ transport, mode: "anvil", pollingInterval: 20 });
  const accounts = await walletClient.getAddresses();
  const deployer = accounts[0];
  const errors = allErrors();

  const mined = async (hash: Hex): Promise<TransactionReceipt> =>
    publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20, timeout: 30_000 });

  const deploy = async (name: ContractName, args: readonly unknown[] = []): Promise<Deployed> => {
    const artifact = loadArtifact(name);
    const data = encodeDeployData({ abi: artifact.abi, bytecode: artifact.bytecode, args });
    const hash = await walletClient.sendTransaction({
      account: deployer,
      chain: null,
      data,
      gas: 10_000_000n,
    });
    const receipt = await mined(hash);
    if (receipt.status !== "success" || !receipt.contractAddress) throw new Error(`deploying ${name} failed`);
    return { name, address: receipt.contractAddress, abi: artifact.abi };
  };

  /** The revert data of a mined, reverted transaction (anvil's call tracer reports it). */
  const revertOf = async (hash: Hex): Promise<Revert> => {
    const trace = (await publicClient.request({
      method: "debug_traceTransaction" as never,
      params: [hash, { tracer: "callTracer" }] as never,
    })) as { output?: Hex; error?: string };
    const data = trace.output ?? "0x";
    try {
      const decoded = decodeErrorResult({ abi: errors, data });
      return { errorName: decoded.errorName, args: decoded.args ?? [] };
    } catch {
      return { errorName: `<undecodable revert ${data} (${trace.error ?? "no error"})>`, args: [] };
    }
  };

  const submit = async (
    contract: Deployed,
    functionName: string,
    args: readonly unknown[],
    opts: SendOptions,
  ): Promise<TransactionReceipt> => {
    const data = encodeFunctionData({ abi: contract.abi, functionName, args });
    const hash = await walletClient.sendTransaction({
      account: opts.from ?? deployer,
      chain: null,
      to: contract.address,
      data,
      value: opts.value ?? 0n,
      gas: GAS,
    });
    return mined(hash);
  };

  const timestampOf = async (receipt: TransactionReceipt): Promise<bigint> =>
    (await publicClient.getBlock({ blockHash: receipt.blockHash })).timestamp;

  const revertOfCall = (e: unknown): Revert | undefined => {
    if (!(e instanceof BaseError)) return undefined;
    const reverted = e.walk((err) => err instanceof ContractFunctionRevertedError);
    if (!(reverted instanceof ContractFunctionRevertedError)) return undefined;
    if (reverted.data) return { errorName: reverted.data.errorName, args: reverted.data.args ?? [] };
    // The error is declared by another of the three contracts (e.g. none here): decode with all of them.
    if (reverted.raw) {
      const decoded = decodeErrorResult({ abi: errors, data: reverted.raw });
      return { errorName: decoded.errorName, args: decoded.args ?? [] };
    }
    return { errorName: `<revert without data: ${reverted.shortMessage}>`, args: [] };
  };

  const teeRegistry = await deploy("TEERegistry");
  const settlementRelay = await deploy("InferenceSettlementRelay", [teeRegistry.address]);
  const attestationRegistry = await deploy("AttestationRegistry");

  return {
    rpcUrl: anvil.rpcUrl,
    publicClient,
    walletClient,
    testClient,
    accounts,
    deployer,
    teeRegistry,
    settlementRelay,
    attestationRegistry,

    async send(contract, functionName, args, opts = {}) {
      const receipt = await submit(contract, functionName, args, opts);
      if (receipt.status !== "success") {
        const revert = await revertOf(receipt.transactionHash);
        throw new Error(
          `${contract.name}.${functionName} reverted with ${revert.errorName}(${revert.args.map(String).join(", ")})`,
        );
      }
      const events = parseEventLogs({ abi: contract.abi, logs: receipt.logs, strict: true }).map((log) => ({
        eventName: log.eventName,
        args: log.args as unknown as Record<string, unknown>,
        address: log.address,
        topics: log.topics,
      }));
      if (events.length !== receipt.logs.length) throw new Error(`${functionName}: a log did not decode`);
      return {
        receipt,
        timestamp: await timestampOf(receipt),
        events,
        gasCost: receipt.gasUsed * receipt.effectiveGasPrice,
      };
    },

    async expectRevert(contract, functionName, args, errorName, opts = {}) {
      const receipt = await submit(contract, functionName, args, opts);
      if (receipt.status === "success") {
        throw new Error(
          `${contract.name}.${functionName} succeeded; expected it to revert with ${errorName}`,
        );
      }
      if (receipt.logs.length > 0) throw new Error(`${functionName}: a reverted transaction has logs`);
      const revert = await revertOf(receipt.transactionHash);
      if (revert.errorName !== errorName) {
        throw new Error(
          `${contract.name}.${functionName} reverted with ${revert.errorName}(${revert.args.map(String).join(", ")}); expected ${errorName}`,
        );
      }
      return revert.args;
    },

    async read<T>(contract: Deployed, functionName: string, args: readonly unknown[] = []) {
      return (await publicClient.readContract({
        address: contract.address,
        abi: contract.abi,
        functionName,
        args,
      })) as T;
    },

    async expectCallRevert(contract, functionName, args, errorName) {
      let revert: Revert | undefined;
      try {
        await publicClient.readContract({ address: contract.address, abi: contract.abi, functionName, args });
      } catch (e) {
        revert = revertOfCall(e);
        if (!revert) throw e;
      }
      if (!revert)
        throw new Error(`${contract.name}.${functionName} returned; expected a revert with ${errorName}`);
      if (revert.errorName !== errorName) {
        throw new Error(
          `${contract.name}.${functionName} reverted with ${revert.errorName}; expected ${errorName}`,
        );
      }
      return revert.args;
    },

    async simulate<T>(
      contract: Deployed,
      functionName: string,
      args: readonly unknown[],
      opts: SendOptions = {},
    ) {
      const { result } = await publicClient.simulateContract({
        address: contract.address,
        abi: contract.abi,
        functionName,
        args,
        account: opts.from ?? deployer,
        value: opts.value,
      });
      return result as T;
    },

    balance: (address) => publicClient.getBalance({ address }),
    latestTimestamp: async () => (await publicClient.getBlock()).timestamp,
    setNextTimestamp: (timestamp) => testClient.setNextBlockTimestamp({ timestamp }),
    stop: () => anvil.stop(),
  };
}

/** The only event of `sent` named `eventName` (fails when there is not exactly one). */
export function only(sent: Sent, eventName: string): Record<string, unknown> {
  const matching = sent.events.filter((e) => e.eventName === eventName);
  if (matching.length !== 1) {
    throw new Error(
      `expected one ${eventName}, got ${matching.length} (events: ${sent.events.map((e) => e.eventName).join(", ")})`,
    );
  }
  return matching[0].args;
}
