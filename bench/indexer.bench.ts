// Indexer catch-up speed on two chain shapes (issue 15), each against a bare squid that only inserts raw logs from
// the same chain, in the same run:
//   bulk: the simulator's bulk chain: large blocks (500 new inferences each, 300 s apart), few heartbeats;
//   busy: blocks of ~500 transactions 2 s apart, 50 nodes each heartbeating every 120 s of chain time (calldata
//         the indexer reads; the simulator staggers nodes over 7 block offsets, so 7 blocks in 60 hold heartbeats).
// 100,000 lifecycles per shape by default (BENCH_INFERENCES to change); BENCH_SHAPES=busy (or bulk) runs one.
// Printed per shape: events, events/s, the ratio to the bare squid, peak RSS, and CPU seconds of the squid, of
// Postgres and of anvil (the node) during each sync (bench/proc-cpu.ts), with the load average as each sync ended;
// then the ceiling those CPU seconds put on the ratio on this machine's cores, whatever the schedule.
// Target: at least 0.85x the bare squid's rate on both shapes, peak RSS under 1 GB.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { ensureEmbeddedPostgres } from "@attestation-explorer/embedded-postgres";
import { freePort } from "@attestation-explorer/testkit/net";
import pg from "pg";
import type { Address } from "viem";
import { startAnvil } from "../devnet/src/chain/anvil.ts";
import { deployContracts } from "../devnet/src/chain/deploy.ts";
import { JsonRpc } from "../devnet/src/chain/rpc.ts";
import type { SimulatorOptions } from "../devnet/src/simulator/options.ts";
import { Simulator } from "../devnet/src/simulator/simulator.ts";
import { indexerNodeArgs } from "../scripts/indexer-args.ts";
import { postmasterPid, reapedChildrenCpuSeconds, treeCpuSeconds } from "./proc-cpu.ts";

const ROOT = resolve(import.meta.dirname, "..");

interface Summary {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  blocksPerSecond: number;
  peakRssBytes?: number;
  /** The squid process's CPU seconds over `seconds` (every thread). */
  cpuSeconds?: number;
}

/**
 * Runs a squid until it has indexed the chain head, sampling its peak RSS; returns its JSON summary line. With
 * BENCH_OUTPUT_DIR, its output is kept there as `<name>.log` (e.g. the batch timings of INDEXER_PROFILE=1).
 */
export function runToHead(
  name: string,
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
      const keep = process.env.BENCH_OUTPUT_DIR;
      if (keep) {
        mkdirSync(keep, { recursive: true });
        writeFileSync(join(keep, `${name}.log`), `${out}\n${err}`);
      }
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

interface Shape {
  name: string;
  label: string;
  simulator: Pick<SimulatorOptions, "perBlock" | "blockInterval" | "nodes" | "heartbeatInterval">;
}

const SHAPES: Shape[] = [
  {
    name: "bulk",
    label: "large blocks (500 new inferences each, 300 s apart), 12 nodes heartbeating every 600 s",
    simulator: { perBlock: 500 },
  },
  {
    name: "busy",
    label: "~500-transaction blocks 2 s apart, 50 nodes heartbeating every 120 s",
    // ~3.5 transactions per lifecycle (commit, reveal, verdict, often a settlement): 140 new ones per block.
    simulator: { perBlock: 140, blockInterval: 2, nodes: 50, heartbeatInterval: 120 },
  },
];

/**
 * A squid's sync with the CPU seconds it and the two servers used meanwhile, and the machine's load average (1 min)
 * when it ended: on a shared machine the wall time follows the load, the CPU seconds much less.
 */
type Measured = Summary & {
  peakRss: number;
  cpu: { squid: number; postgres: number; anvil: number };
  load: number;
};

export async function measured(
  run: () => Promise<Summary & { peakRss: number }>,
  servers: { postgres: number; anvil: number },
): Promise<Measured> {
  const before = {
    squid: reapedChildrenCpuSeconds(),
    postgres: treeCpuSeconds(servers.postgres),
    anvil: treeCpuSeconds(servers.anvil),
  };
  const summary = await run();
  return {
    ...summary,
    cpu: {
      squid: reapedChildrenCpuSeconds() - before.squid,
      postgres: treeCpuSeconds(servers.postgres) - before.postgres,
      anvil: treeCpuSeconds(servers.anvil) - before.anvil,
    },
    load: loadavg()[0],
  };
}

export async function run(): Promise<void> {
  const inferences = Number(process.env.BENCH_INFERENCES ?? 100_000);
  const wanted = (process.env.BENCH_SHAPES ?? "bulk,busy").split(",").map((s) => s.trim());
  const unknown = wanted.filter((w) => !SHAPES.some((s) => s.name === w));
  if (unknown.length > 0) {
    throw new Error(
      `Got BENCH_SHAPES=${unknown.join(",")}, expected some of ${SHAPES.map((s) => s.name).join(", ")}`,
    );
  }
  const rows: string[] = [];
  for (const shape of SHAPES.filter((s) => wanted.includes(s.name))) {
    rows.push(await runShape(shape, inferences));
  }
  console.log(
    "\nBENCHMARKS.md rows (date, shape, events, bare, indexer, ratio, peak RSS, CPU s squid / Postgres / anvil (load average)):",
  );
  for (const r of rows) console.log(r);
}

async function runShape(shape: Shape, inferences: number): Promise<string> {
  console.log(`\n-- ${shape.name}: ${shape.label}`);
  // A fresh Postgres and a fresh anvil per shape.
  const dataDir = resolve(ROOT, `.data/bench/postgres-${shape.name}`);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const pgPort = await freePort();
  const pgHandle = await ensureEmbeddedPostgres({ dataDir, port: pgPort, log: () => {} });
  const anvil = await startAnvil({ port: await freePort(), noMining: true, accounts: 80 }).catch(
    async (err) => {
      await pgHandle.stop();
      throw err;
    },
  );
  try {
    const postgresPid = postmasterPid(pgPort);
    const anvilPid = anvil.process.pid;
    if (postgresPid === undefined || anvilPid === undefined) {
      throw new Error(`cannot find the processes of Postgres (port ${pgPort}) or anvil to measure their CPU`);
    }
    const servers = { postgres: postgresPid, anvil: anvilPid };
    const rpc = new JsonRpc(anvil.rpcUrl);
    const [deployer] = await rpc.call<Address[]>("eth_accounts");
    const deployment = await deployContracts(rpc, deployer, true);
    console.log(`generating a chain of ${inferences} lifecycles...`);
    const sim = await new Simulator({
      rpcUrl: anvil.rpcUrl,
      addresses: deployment.addresses,
      seed: "bench",
      inferences,
      ...shape.simulator,
    }).run();
    console.log(
      `chain: ${sim.transactions} transactions in ${sim.blocks} blocks (${Math.round(sim.transactions / sim.blocks)} per block; generated in ${sim.seconds.toFixed(0)} s)`,
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
    const bare = await measured(
      () =>
        runToHead(
          `${shape.name}-bare-squid`,
          "indexer/bench/bare-squid/lib/main.js",
          ["--fresh", "--exit-at-head"],
          {
            ...env,
            DATABASE_URL: pgHandle.url,
          },
        ),
      servers,
    );
    // Run as `npm run indexer` runs it (its heap bound included).
    const indexerArgs = indexerNodeArgs();
    const indexer = await measured(
      () =>
        runToHead(
          `${shape.name}-indexer`,
          indexerArgs.at(-1) as string,
          ["--exit-at-head"],
          { ...env, DATABASE_URL: pgHandle.url.replace(/\/[^/]*$/, "/bench_indexer") },
          indexerArgs.slice(0, -1),
        ),
      servers,
    );
    const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
    const cpu = (m: Measured) =>
      `CPU s squid ${m.cpu.squid.toFixed(1)} / Postgres ${m.cpu.postgres.toFixed(1)} / anvil ${m.cpu.anvil.toFixed(1)}`;
    const line = (m: Measured) =>
      `${m.events} events in ${m.seconds.toFixed(1)} s = ${m.eventsPerSecond.toFixed(0)} events/s (peak RSS ${mb(m.peakRss)}; ${cpu(m)}; load ${m.load.toFixed(1)})`;
    console.log(`bare squid: ${line(bare)}`);
    console.log(`indexer:    ${line(indexer)}`);
    const ratio = indexer.eventsPerSecond / bare.eventsPerSecond;
    console.log(
      `${shape.name}: ratio ${ratio.toFixed(2)}x (target >= 0.85x: ${ratio >= 0.85 ? "met" : "MISSED"}); peak RSS target < 1 GB: ${indexer.peakRss < 1024 ** 3 ? "met" : "MISSED"}`,
    );
    // The best ratio any schedule could reach with the CPU this sync used: the indexer's CPU seconds (its own over
    // the measured interval, Postgres's and anvil's over its run) spread over every core with no idle time. The
    // same events: ratio = bare seconds / indexer seconds, and indexer seconds >= its CPU seconds / cores.
    const cores = availableParallelism();
    const work = (indexer.cpuSeconds ?? indexer.cpu.squid) + indexer.cpu.postgres + indexer.cpu.anvil;
    console.log(
      `${shape.name}: the indexer's CPU in the measured interval ${work.toFixed(1)} s (squid ${(indexer.cpuSeconds ?? Number.NaN).toFixed(1)} s, bare squid ${(bare.cpuSeconds ?? Number.NaN).toFixed(1)} s): on ${cores} cores no schedule beats ${((cores * bare.seconds) / work).toFixed(2)}x; 0.85x needs it under ${((cores * bare.seconds) / 0.85).toFixed(1)} s`,
    );
    const n = (x: number) => Math.round(x).toLocaleString("en-US");
    const cpus = (m: Measured) =>
      `${m.cpu.squid.toFixed(1)} / ${m.cpu.postgres.toFixed(1)} / ${m.cpu.anvil.toFixed(1)} (load ${m.load.toFixed(1)})`;
    return `| ${new Date().toISOString().slice(0, 10)} | ${shape.name} | ${n(indexer.events)} (${n(sim.blocks)} blocks, ${n(sim.transactions / sim.blocks)} tx each) | ${n(bare.eventsPerSecond)} events/s (${bare.seconds.toFixed(1)} s) | ${n(indexer.eventsPerSecond)} events/s (${indexer.seconds.toFixed(1)} s) | ${ratio.toFixed(2)}x | ${mb(indexer.peakRss)} | bare ${cpus(bare)}; indexer ${cpus(indexer)} |`;
  } finally {
    await pgHandle.stop();
    await anvil.stop();
  }
}
