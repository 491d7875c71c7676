/**
 * The whole system on free ports for the explorer's browser tests, started once per test file:
 *
 * - a devnet (anvil mining on demand, the three contracts) with the simulator's traffic: a bulk run of simulated
 *   days ending about now (many nodes, the eight models in all three modes, TEE settlements, FAILED and EXPIRED
 *   inferences, challenges, slashes, forged signatures), a reorg of a few blocks that the indexer has indexed,
 *   a hostile model registered through the registry on the new branch, then a short live phase on the wall clock;
 * - the compiled indexer (`node indexer/lib/main.js`) writing into a fresh database of its own embedded Postgres;
 * - the API (`node api/dist/main.js`, built from api/src, rate limit off) reading that database;
 * - the explorer (`node web/server.mjs`), built first with `npm run build -w web` when web/build is missing or
 *   older than the sources, and run from a copy of server.mjs and build/ (see snapshotWebServer);
 * - Debian's chromium through playwright-core.
 *
 * close() stops every part, last started first.
 */
import { type ChildProcess, spawn } from "node:child_process";
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmdirSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { encodeFunctionData, keccak256, parseAbi, toHex } from "viem";
import {
  type ApiProcess,
  type Deployment,
  harness,
  type IndexerProcess,
  type JsonRpc,
  REPO_ROOT,
  type RunningAnvil,
  type TestPostgres,
  WEB_ROOT,
} from "./harness.ts";

/** The simulated traffic: 30 nodes so the leaderboard (25 a page) has a second page. */
export const SIM = {
  seed: "web-e2e",
  nodes: 30,
  inferences: 1200,
  perBlock: 12,
  /** Simulated seconds between bulk blocks: about four days of history. */
  blockInterval: 3600,
  /** Depth of the one reorg made after the bulk run, once the indexer has the blocks it abandons. */
  reorgDepth: 3,
  live: { rate: 5, blockTime: 1, maxSteps: 4 },
} as const;
const FINALITY = 5;

/** A model whose name and version are markup: the explorer must show them as text. */
export const HOSTILE_MODEL = {
  name: '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>',
  version: '"><svg onload="window.__xss=3">',
  mode: 0, // VANILLA
};

export interface WebServer {
  url: string;
  readonly log: string;
  stop(): Promise<void>;
}

export interface TwoContractStack {
  api: ApiProcess;
  indexer: IndexerProcess;
  web: WebServer;
  // biome-ignore lint/suspicious/noExplicitAny: tests read untyped JSON answers
  gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
}

export interface Stack {
  rpcUrl: string;
  deployment: Deployment;
  api: ApiProcess;
  indexer: IndexerProcess;
  web: WebServer;
  browser: Browser;
  /** The chain head the indexer reached before the tests (nothing is mined after it). */
  head: { number: number; hash: string; timestamp: number };
  hostileModelId: string;
  /** The reorg made after the bulk run: blocks fromBlock..toBlock were replaced. */
  reorg: { fromBlock: number; toBlock: number; depth: number };
  timings: Record<string, number>;
  /** A GraphQL query straight to the API; throws on errors. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read untyped JSON answers
  gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /**
   * Deposits `wei` to a node's stake in a new block (and mines one more) and waits for the indexer. The API's
   * numbers change, so only the last test may call it.
   */
  deposit(nodeId: string, wei: bigint): Promise<{ number: number; hash: string; timestamp: number }>;
  /**
   * A second indexer, API and explorer on the same chain that read the TEE registry and the settlement relay only
   * (OpenGradient's network: no commit-reveal registry), started on first use (about a minute) and stopped by
   * close(). Call it before anything is mined after the tests began (liveTests).
   */
  twoContracts(): Promise<TwoContractStack>;
  /** Another explorer server, e.g. one pointed at an API that is down. */
  startWebServer(
    env: { API_URL: string; LIVE_POLL_SECONDS?: string },
    expectOk?: boolean,
  ): Promise<WebServer>;
  close(): Promise<void>;
}

/** Processes to kill if the test process exits without close() (a crashed or killed run). */
const children = new Set<ChildProcess>();
const pids = new Set<number>();
process.once("exit", () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

export async function startStack(log: (line: string) => void = () => {}): Promise<Stack> {
  const h = harness;
  h.IndexerProcess.assertBuilt();
  const timings: Record<string, number> = {};
  const t0 = performance.now();
  const lap = (name: string) => {
    timings[name] = Math.round(performance.now() - t0);
    log(`stack: ${name} at ${timings[name]} ms`);
  };
  const parts: {
    anvil?: RunningAnvil;
    postgres?: TestPostgres;
    indexer?: IndexerProcess;
    api?: ApiProcess;
    /** The two-contract indexer and API (twoContracts()). */
    twoIndexer?: IndexerProcess;
    twoApi?: ApiProcess;
    web: WebServer[];
    browser?: Browser;
    snapshot?: string;
  } = { web: [] };
  const close = async () => {
    await parts.browser?.close().catch(() => {});
    for (const w of parts.web.reverse()) await w.stop().catch(() => {});
    await parts.twoApi?.stop().catch(() => {});
    await parts.twoIndexer?.close().catch(() => {});
    await parts.api?.stop().catch(() => {});
    await parts.indexer?.close().catch(() => {});
    await parts.anvil?.stop().catch(() => {});
    await parts.postgres?.stop().catch(() => {});
    pids.clear();
    if (parts.snapshot) rmSync(parts.snapshot, { recursive: true, force: true });
  };

  const startWebServer: Stack["startWebServer"] = async (env, expectOk = true) => {
    if (!parts.snapshot) throw new Error("the explorer has not been built");
    const server = await spawnWebServer(parts.snapshot, await h.freePort(), env, expectOk);
    parts.web.push(server);
    return server;
  };

  try {
    // The explorer runs from a snapshot of web/build, so a rebuild of the working tree during the tests (by a
    // developer, or a test run) cannot pull its files away.
    const build = ensureWebBuild(log).then(() => {
      parts.snapshot = snapshotWebServer();
      lap("web build");
      return parts.snapshot;
    });
    // Chromium starts while the chain is simulated.
    const browser = chromium
      .launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox"] })
      .then((b) => {
        parts.browser = b;
        lap("chromium up");
        return b;
      });

    const chain = (async () => {
      const commitBlocks = Math.ceil(SIM.inferences / SIM.perBlock);
      const startTime = Math.floor(Date.now() / 1000) - (commitBlocks + 15) * SIM.blockInterval;
      const [anvil, postgres] = await Promise.all([
        h
          .startAnvil({
            port: await h.freePort(),
            noMining: true,
            accounts: Math.max(40, h.accountsNeeded(SIM.nodes)),
            genesisTimestamp: startTime - 10 * SIM.blockInterval,
          })
          .then((a) => {
            parts.anvil = a;
            if (a.process.pid) pids.add(a.process.pid);
            return a;
          }),
        h.startTestPostgres().then((pg) => {
          parts.postgres = pg;
          return pg;
        }),
      ]);
      const rpc = new h.JsonRpc(anvil.rpcUrl);
      const accounts = await rpc.call<`0x${string}`[]>("eth_accounts");
      const deployment = await h.deployContracts(rpc, accounts[0], true);
      const databaseUrl = await postgres.createDatabase("web");
      lap("devnet+postgres");
      const indexer = new h.IndexerProcess({
        rpcUrl: anvil.rpcUrl,
        addresses: deployment.addresses,
        startBlock: deployment.deploymentBlock,
        databaseUrl,
        finalityConfirmations: FINALITY,
      });
      parts.indexer = indexer;
      // The indexer follows the simulation as it is mined.
      await indexer.start();
      if (indexer.pid) pids.add(indexer.pid);
      const sim = { rpcUrl: anvil.rpcUrl, addresses: deployment.addresses, seed: SIM.seed, nodes: SIM.nodes };
      const bulk = await new h.Simulator({
        ...sim,
        inferences: SIM.inferences,
        perBlock: SIM.perBlock,
        blockInterval: SIM.blockInterval,
        startTime,
      }).run();
      lap(`bulk simulation (${bulk.blocks} blocks, ${bulk.transactions} txs)`);
      // A reorg the indexer sees for sure: it indexes a branch of empty blocks, which is then replaced by one
      // holding the hostile model's registration.
      const bulkHead = await h.chainHead(anvil.rpcUrl);
      await indexer.waitForHeight(bulkHead.number, { hash: bulkHead.hash, timeoutMs: 150_000 });
      const snapshot = await rpc.call<string>("evm_snapshot");
      let time = Math.max(bulkHead.timestamp + 1, Math.floor(Date.now() / 1000));
      for (let i = 0; i < SIM.reorgDepth; i++) await rpc.call("evm_mine", [time++]);
      await indexer.waitForHeight(bulkHead.number + SIM.reorgDepth, { timeoutMs: 30_000 });
      if (!(await rpc.call<boolean>("evm_revert", [snapshot]))) throw new Error("evm_revert failed");
      time += 5;
      const hostileModelId = await registerHostileModel(rpc, deployment, accounts[1], time++);
      for (let i = 0; i < SIM.reorgDepth; i++) await rpc.call("evm_mine", [time++]);
      const reorg = {
        fromBlock: bulkHead.number + 1,
        toBlock: bulkHead.number + SIM.reorgDepth,
        depth: SIM.reorgDepth,
      };
      lap(`reorg of blocks ${reorg.fromBlock}..${reorg.toBlock}`);
      const live = await new h.Simulator({ ...sim, ...SIM.live, resume: true }).run();
      lap(`live simulation (${live.blocks} blocks, ${live.committed} commits)`);
      const head = await h.chainHead(anvil.rpcUrl);
      await indexer.waitForHeight(head.number, { hash: head.hash, timeoutMs: 150_000 });
      lap(`indexer at head ${head.number}`);
      const api = await h.startApiProcess({ DATABASE_URL: databaseUrl, RATE_LIMIT: "0" });
      parts.api = api;
      if (api.pid) pids.add(api.pid);
      await waitFor(`${api.base}/healthz`, 200, 30_000);
      lap("api healthy");
      /** A deposit to a node in a new block, and an empty block after it; resolves once the indexer has both. */
      const deposit = async (nodeId: string, wei: bigint) => {
        const data = encodeFunctionData({
          abi: parseAbi(["function deposit(bytes32 nodeId) payable"]),
          functionName: "deposit",
          args: [nodeId as `0x${string}`],
        });
        const tx = await rpc.call<string>("eth_sendTransaction", [
          {
            from: accounts[2],
            to: deployment.addresses.attestationRegistry,
            data,
            value: toHex(wei),
            gas: toHex(500_000),
            gasPrice: "0x0",
          },
        ]);
        const before = await h.chainHead(anvil.rpcUrl);
        const at = Math.max(before.timestamp + 1, Math.floor(Date.now() / 1000));
        await rpc.call("evm_mine", [at]);
        const receipt = await rpc.call<{ status: string } | null>("eth_getTransactionReceipt", [tx]);
        if (receipt?.status !== "0x1") throw new Error(`deposit failed: ${JSON.stringify(receipt)}`);
        await rpc.call("evm_mine", [at + 1]);
        const now = await h.chainHead(anvil.rpcUrl);
        await indexer.waitForHeight(now.number, { hash: now.hash, timeoutMs: 60_000 });
        return now;
      };
      /** The same chain read with two contracts, into a database of its own. */
      const startTwoContracts = async () => {
        const { teeRegistry, settlementRelay } = deployment.addresses;
        const databaseUrl = await postgres.createDatabase("web_two");
        const twoIndexer = new h.IndexerProcess({
          rpcUrl: anvil.rpcUrl,
          addresses: { teeRegistry, settlementRelay },
          startBlock: deployment.deploymentBlock,
          databaseUrl,
          finalityConfirmations: FINALITY,
        });
        parts.twoIndexer = twoIndexer;
        await twoIndexer.start();
        if (twoIndexer.pid) pids.add(twoIndexer.pid);
        const now = await h.chainHead(anvil.rpcUrl);
        await twoIndexer.waitForHeight(now.number, { hash: now.hash, timeoutMs: 240_000 });
        return { twoIndexer, databaseUrl };
      };
      return { anvil, deployment, head, hostileModelId, reorg, api, indexer, deposit, startTwoContracts };
    })();

    // All three settle before anything is stopped, so no part starts after close().
    const [chainDone, buildDone, browserDone] = await Promise.allSettled([chain, build, browser]);
    for (const r of [buildDone, chainDone, browserDone]) if (r.status === "rejected") throw r.reason;
    const { anvil, deployment, head, hostileModelId, reorg, api, indexer, deposit, startTwoContracts } = (
      chainDone as PromiseFulfilledResult<Awaited<typeof chain>>
    ).value;
    const web = await startWebServer({ API_URL: api.url, LIVE_POLL_SECONDS: "0" });
    lap("web up");
    const b = await browser;

    const gqlAt =
      (url: string): Stack["gql"] =>
      async (query, variables) => {
        const res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ query, variables }),
        });
        const body = (await res.json()) as { data?: unknown; errors?: { message: string }[] };
        if (body.errors?.length || !body.data) {
          throw new Error(`GraphQL ${res.status}: ${JSON.stringify(body.errors)}\n${query}`);
        }
        // biome-ignore lint/suspicious/noExplicitAny: untyped JSON answers
        return body.data as any;
      };
    const gql = gqlAt(api.url);
    let two: Promise<TwoContractStack> | undefined;
    const twoContracts = () => {
      two ??= (async () => {
        const { twoIndexer, databaseUrl } = await startTwoContracts();
        const twoApi = await h.startApiProcess({ DATABASE_URL: databaseUrl, RATE_LIMIT: "0" });
        parts.twoApi = twoApi;
        if (twoApi.pid) pids.add(twoApi.pid);
        await waitFor(`${twoApi.base}/healthz`, 200, 30_000);
        const twoWeb = await startWebServer({ API_URL: twoApi.url, LIVE_POLL_SECONDS: "0" });
        lap("two-contract indexer, API and explorer up");
        return { api: twoApi, indexer: twoIndexer, web: twoWeb, gql: gqlAt(twoApi.url) };
      })();
      return two;
    };
    return {
      rpcUrl: anvil.rpcUrl,
      deployment,
      api,
      indexer,
      web,
      browser: b,
      head,
      hostileModelId,
      reorg,
      timings,
      gql,
      twoContracts,
      startWebServer,
      deposit,
      close,
    };
  } catch (err) {
    const detail = [
      parts.indexer ? `indexer output:\n${parts.indexer.log.slice(-3000)}` : "",
      parts.api ? `API output:\n${parts.api.log.slice(-3000)}` : "",
    ]
      .filter(Boolean)
      .join("\n");
    await close();
    if (detail) (err as Error).message += `\n${detail}`;
    throw err;
  }
}

/** Registers HOSTILE_MODEL in the AttestationRegistry (one transaction in a block at `timestamp`). */
async function registerHostileModel(
  rpc: JsonRpc,
  deployment: Deployment,
  owner: `0x${string}`,
  timestamp: number,
): Promise<string> {
  const abi = parseAbi([
    "function registerModel(bytes32 modelId, uint8 mode, bytes32 contentHash, string blobId, string name, string version)",
  ]);
  const modelId = keccak256(toHex(`${HOSTILE_MODEL.name}@${HOSTILE_MODEL.version}`));
  const data = encodeFunctionData({
    abi,
    functionName: "registerModel",
    args: [
      modelId,
      HOSTILE_MODEL.mode,
      keccak256(toHex("hostile content")),
      "walrus:<b>blob</b>",
      HOSTILE_MODEL.name,
      HOSTILE_MODEL.version,
    ],
  });
  const hash = await rpc.call<string>("eth_sendTransaction", [
    {
      from: owner,
      to: deployment.addresses.attestationRegistry,
      data,
      gas: toHex(1_000_000),
      gasPrice: "0x0",
    },
  ]);
  const latest = await rpc.call<{ timestamp: string }>("eth_getBlockByNumber", ["latest", false]);
  await rpc.call("evm_mine", [Math.max(Number(latest.timestamp) + 1, timestamp)]);
  const receipt = await rpc.call<{ status: string } | null>("eth_getTransactionReceipt", [hash]);
  if (receipt?.status !== "0x1")
    throw new Error(`registerModel for the hostile model failed: ${JSON.stringify(receipt)}`);
  return modelId;
}

/**
 * Copies web/server.mjs, web/package.json and web/build into web/e2e/.server/<pid>/ (inside web/, so packages
 * resolve as they do for web/server.mjs) and returns that directory. Snapshots of runs that died are removed.
 */
function snapshotWebServer(): string {
  const root = join(WEB_ROOT, "e2e/.server");
  mkdirSync(root, { recursive: true });
  for (const name of readdirSync(root)) {
    const pid = Number(name);
    let alive = false;
    try {
      alive = Number.isInteger(pid) && process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (!alive) rmSync(join(root, name), { recursive: true, force: true });
  }
  const dir = join(root, String(process.pid));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  copyFileSync(join(WEB_ROOT, "server.mjs"), join(dir, "server.mjs"));
  copyFileSync(join(WEB_ROOT, "package.json"), join(dir, "package.json"));
  cpSync(join(WEB_ROOT, "build"), join(dir, "build"), { recursive: true });
  if (
    !existsSync(join(dir, "build/server/index.js")) ||
    readdirSync(join(dir, "build/client/assets")).length === 0
  ) {
    throw new Error("web/build is incomplete (was it being rebuilt?): run the tests again");
  }
  return dir;
}

/** Starts the explorer's server.mjs (of a snapshot) and waits until GET / answers (200 unless expectOk is false). */
async function spawnWebServer(
  dir: string,
  port: number,
  env: { API_URL: string; LIVE_POLL_SECONDS?: string },
  expectOk: boolean,
): Promise<WebServer> {
  let output = "";
  const child = spawn(process.execPath, [join(dir, "server.mjs")], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      WEB_HOST: "127.0.0.1",
      WEB_PORT: String(port),
      LIVE_POLL_SECONDS: "0",
      // One browser makes every request of the suites from loopback: no per-address limit.
      WEB_RATE_LIMIT: "0",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
    if (process.env.WEB_E2E_VERBOSE) process.stderr.write(chunk);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exit = new Promise<void>((r) => child.once("exit", () => r()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exit;
      clearTimeout(timer);
    }
    children.delete(child);
  };
  try {
    await Promise.race([
      waitFor(`${url}/`, expectOk ? 200 : undefined, 30_000),
      exit.then(() => {
        throw new Error(`web/server.mjs exited (code ${child.exitCode}) before serving:\n${output}`);
      }),
    ]);
  } catch (err) {
    await stop();
    (err as Error).message += `\nweb server output:\n${output}`;
    throw err;
  }
  return {
    url,
    get log() {
      return output;
    },
    stop,
  };
}

/** Polls a URL until it answers (with `status` when given). */
async function waitFor(url: string, status: number | undefined, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      await res.arrayBuffer();
      if (status === undefined || res.status === status) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline)
      throw new Error(`${url} did not answer${status ? ` ${status}` : ""} in time: ${last}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Newest modification time (ms) of the files under `dir`, unit tests aside (they are not built). */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isFile() && entry.name.endsWith(".test.ts")) continue;
    const m = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    if (m > newest) newest = m;
  }
  return newest;
}

/**
 * `npm run build -w web` unless web/build/server/index.js is newer than every source (app/, public/, the Vite
 * config, package.json). A lock directory keeps two test runs from building at once.
 */
export async function ensureWebBuild(log: (line: string) => void = () => {}): Promise<void> {
  const output = join(WEB_ROOT, "build/server/index.js");
  const sources = Math.max(
    newestMtime(join(WEB_ROOT, "app")),
    newestMtime(join(WEB_ROOT, "public")),
    statSync(join(WEB_ROOT, "vite.config.ts")).mtimeMs,
    statSync(join(WEB_ROOT, "package.json")).mtimeMs,
  );
  const fresh = () => existsSync(output) && statSync(output).mtimeMs > sources;
  if (fresh()) return;
  const lock = join(tmpdir(), "attestation-explorer-web-e2e-build.lock");
  const deadline = Date.now() + 240_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another run is building; a lock older than 5 minutes is left over from a killed run.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 300_000) rmdirSync(lock);
      if (Date.now() > deadline) throw new Error(`waited 4 minutes for ${lock}: another build is stuck`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    if (fresh()) return;
    log("stack: web/build is missing or older than web/app: npm run build -w web");
    const child = spawn("npm", ["run", "build", "-w", "web"], {
      cwd: REPO_ROOT,
      env: { ...process.env, NODE_ENV: "production" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.add(child);
    let out = "";
    child.stdout?.on("data", (c: Buffer) => {
      out = (out + c.toString()).slice(-10_000);
    });
    child.stderr?.on("data", (c: Buffer) => {
      out = (out + c.toString()).slice(-10_000);
    });
    const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
    children.delete(child);
    if (code !== 0) throw new Error(`npm run build -w web failed (exit ${code}):\n${out}`);
  } finally {
    rmdirSync(lock);
  }
}
