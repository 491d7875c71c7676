/**
 * Fault tolerance (issue 12): the indexer syncs a finished chain through an RPC proxy that injects every fault
 * kind twice (HTTP 500, HTTP 429, a connection reset, a stall longer than the request timeout, a truncated JSON
 * body, a `header not found` JSON-RPC error), and the Postgres server is restarted under it in the middle of the
 * sync (down for 2 s while the indexer has work to commit). The process must never exit, must reach the chain
 * head, and must end with exactly the tables a clean sync builds. And an outage longer than MAX_OUTAGE_SECONDS
 * (here 2 s) ends the process with exit code 1 and a message naming what failed.
 */

import { type SimulatedChain, simulatedChain } from "@attestation-explorer/testkit/chain";
import { FAULT_KINDS, type FaultProxy, startFaultProxy } from "@attestation-explorer/testkit/fault-proxy";
import { chainHead, IndexerProcess, type IndexerTarget } from "@attestation-explorer/testkit/indexer-process";
import { freePort } from "@attestation-explorer/testkit/net";
import { connect, startTestPostgres, type TestPostgres } from "@attestation-explorer/testkit/postgres";
import {
  type Dump,
  diffDumps,
  dumpTables,
  formatDifferences,
} from "@attestation-explorer/testkit/reference/compare-db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const REQUEST_TIMEOUT_MS = 1_000;

describe("transient faults during a sync", () => {
  let pg: TestPostgres;
  let chain: SimulatedChain;
  let head: { number: number; hash: string };
  let proxy: FaultProxy;
  let clean: IndexerProcess;
  let faulty: IndexerProcess;
  let cleanDump: Dump;
  let faultyDump: Dump;
  let heightAtRestart: number | undefined;
  let runningAtHead = false;
  let faultyLog = "";
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    IndexerProcess.assertBuilt();
    let t = Date.now();
    [pg, chain] = await Promise.all([
      startTestPostgres(),
      simulatedChain({ seed: "fault-tolerance", nodes: 6, inferences: 300, perBlock: 10 }),
    ]);
    timings.setup = Date.now() - t;
    head = await chainHead(chain.devnet.anvil.rpcUrl);
    const target = (rpcUrl: string, databaseUrl: string): IndexerTarget => ({
      rpcUrl,
      addresses: chain.devnet.deployment.addresses,
      startBlock: chain.devnet.deployment.deploymentBlock,
      databaseUrl,
      finalityConfirmations: 5,
      env: { RPC_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS), MAX_OUTAGE_SECONDS: "60" },
    });

    t = Date.now();
    clean = new IndexerProcess(target(chain.devnet.anvil.rpcUrl, await pg.createDatabase("clean")));
    await clean.start();
    await clean.waitForHeight(head.number, { hash: head.hash, timeoutMs: 60_000 });
    await clean.stop();
    timings.cleanSync = Date.now() - t;

    t = Date.now();
    proxy = await startFaultProxy(chain.devnet.anvil.rpcUrl, {
      faults: [...FAULT_KINDS, ...FAULT_KINDS],
      every: 2,
      stallMs: REQUEST_TIMEOUT_MS + 1_500,
    });
    faulty = new IndexerProcess(target(proxy.url, await pg.createDatabase("faulty")));
    await faulty.start();
    // The first commit, then a Postgres restart: the RPC answers are held while the server stops, and let through
    // while it is down, so the indexer's next transaction finds no server.
    const first = await faulty.waitForHeight(chain.devnet.deployment.deploymentBlock, {
      pollMs: 10,
      timeoutMs: 60_000,
    });
    heightAtRestart = first.height;
    proxy.close();
    await faulty.reconnect();
    await pg.restart(2_000, () => proxy.open());
    await faulty.reconnect();
    // Every fault injected (the last ones may land on the head polls), then the head.
    const deadline = Date.now() + 60_000;
    while (proxy.queue.length > 0 && faulty.running && Date.now() < deadline) await sleep(100);
    await faulty.waitForHeight(head.number, { hash: head.hash, timeoutMs: 60_000 });
    await sleep(1_000);
    runningAtHead = faulty.running;
    faultyLog = faulty.log;
    await faulty.stop();
    timings.faultySync = Date.now() - t;

    const [cleanDb, faultyDb] = await Promise.all([
      connect(clean.target.databaseUrl),
      connect(faulty.target.databaseUrl),
    ]);
    [cleanDump, faultyDump] = await Promise.all([dumpTables(cleanDb), dumpTables(faultyDb)]);
    await Promise.all([cleanDb.end(), faultyDb.end()]);
    if (process.env.INDEXER_E2E_VERBOSE) console.log(JSON.stringify({ timings, heightAtRestart, head }));
  });

  afterAll(async () => {
    await clean?.close();
    await faulty?.close();
    await proxy?.stop();
    await chain?.devnet.anvil.stop();
    await pg?.stop();
  });

  it("injected every fault kind twice and restarted Postgres in the middle of the sync", () => {
    expect(proxy.queue).toEqual([]);
    for (const kind of FAULT_KINDS) expect(proxy.injected.filter((k) => k === kind)).toHaveLength(2);
    expect(heightAtRestart).toBeDefined();
    expect(heightAtRestart as number).toBeLessThan(head.number);
  });

  it("never exited: one process from start to head", () => {
    expect(runningAtHead, faultyLog.slice(-4000)).toBe(true);
    expect(faulty.starts).toBe(1);
  });

  it("said so once per outage, and when it recovered", () => {
    expect(faultyLog).toMatch(/indexer: database unavailable \(.*\); retrying with backoff for up to 60 s/);
    expect(faultyLog).toMatch(/indexer: database recovered after [\d.]+ s/);
    expect(faultyLog).toMatch(
      /indexer: RPC http:\/\/127\.0\.0\.1:\d+ unavailable \(.*\); retrying with backoff/,
    );
    expect(faultyLog).toMatch(/indexer: RPC http:\/\/127\.0\.0\.1:\d+ recovered after [\d.]+ s/);
    // One line per outage, not one per failed request: the SDK's own per-request warnings are silenced.
    expect(faultyLog).not.toMatch(/connection failure|will pause new requests/);
  });

  it("ends with exactly the tables a clean sync builds", () => {
    expect(Object.keys(cleanDump).length).toBeGreaterThan(15);
    expect(cleanDump.inference.rows.length).toBe(300);
    const diffs = diffDumps(cleanDump, faultyDump);
    expect(diffs.length, formatDifferences(diffs)).toBe(0);
  });
});

describe("an outage longer than MAX_OUTAGE_SECONDS", () => {
  let pg: TestPostgres;
  const processes: IndexerProcess[] = [];
  beforeAll(async () => {
    IndexerProcess.assertBuilt();
    pg = await startTestPostgres();
  });
  afterAll(async () => {
    for (const p of processes) await p.close();
    await pg?.stop();
  });

  /** Runs the indexer until it exits (at most 30 s); resolves with its exit code and log. */
  async function runUntilExit(target: Pick<IndexerTarget, "rpcUrl" | "databaseUrl">) {
    const p = new IndexerProcess({
      ...target,
      addresses: {
        teeRegistry: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
        settlementRelay: "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512",
      },
      startBlock: 0,
      env: { MAX_OUTAGE_SECONDS: "2", RPC_REQUEST_TIMEOUT_MS: "500" },
    });
    processes.push(p);
    const started = Date.now();
    await p.start();
    while (p.running && Date.now() - started < 30_000) await sleep(100);
    const exit = await p.stop("SIGKILL");
    return { ...exit, seconds: (Date.now() - started) / 1000, log: p.log };
  }

  it("gives up on an RPC endpoint that never answers, saying so", async () => {
    const r = await runUntilExit({
      rpcUrl: `http://127.0.0.1:${await freePort()}`,
      databaseUrl: await pg.createDatabase("no_rpc"),
    });
    expect(r.code, r.log).toBe(1);
    expect(r.log).toMatch(
      /indexer: RPC http:\/\/127\.0\.0\.1:\d+\/? unavailable \(.*\); retrying with backoff for up to 2 s/,
    );
    expect(r.log).toMatch(
      /indexer: the RPC endpoint has been failing for \d+ s, longer than MAX_OUTAGE_SECONDS allows; giving up\. Last error: .*ECONNREFUSED/,
    );
    expect(r.seconds).toBeGreaterThanOrEqual(2);
  });

  it("gives up on a database that never answers, saying so", async () => {
    const r = await runUntilExit({
      rpcUrl: `http://127.0.0.1:${await freePort()}`,
      databaseUrl: `postgresql://postgres:postgres@127.0.0.1:${await freePort()}/none`,
    });
    expect(r.code, r.log).toBe(1);
    expect(r.log).toMatch(
      /indexer: database unavailable \(.*ECONNREFUSED.*\); retrying with backoff for up to 2 s/,
    );
    expect(r.log).toMatch(
      /indexer: the database has been failing for \d+ s, longer than MAX_OUTAGE_SECONDS allows; giving up\. Last error: .*ECONNREFUSED/,
    );
    // The message, not a stack trace.
    expect(r.log).not.toMatch(/\n\s+at /);
  });
});
