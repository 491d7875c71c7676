import { type FaultProxy, startFaultProxy } from "@attestation-explorer/testkit/fault-proxy";
import { freePort } from "@attestation-explorer/testkit/net";
import { RpcClient } from "@subsquid/rpc-client";
import { type Hex, toHex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningAnvil, startAnvil } from "../../../devnet/src/chain/anvil.ts";
import { JsonRpc } from "../../../devnet/src/chain/rpc.ts";
import { Outage } from "../faults/outage.ts";
import { installRpcFaultPolicy } from "../faults/rpc-client.ts";
import { isTransientRpcError, transientFault } from "../faults/transient.ts";
import { MissingTransactionError, TransactionInputs } from "./transaction-inputs.ts";

// The calldata reader against a real anvil, through the processor's kind of RPC client (@subsquid/rpc-client with
// our fault policy) and a pass-through proxy that counts HTTP requests and injects faults.

let anvil: RunningAnvil;
let rpc: JsonRpc;
let from: Hex;
let to: Hex;
/** 250 transactions mined in one block: hash → the calldata they were sent with. */
const sent = new Map<string, string>();
const proxies: FaultProxy[] = [];
const clients: RpcClient[] = [];

/** A distinct calldata for transaction i (what a registration or a heartbeat would carry, in miniature). */
const payload = (i: number) => `0x${"ab".repeat(4)}${toHex(i, { size: 32 }).slice(2)}`;

async function proxy(faults: Parameters<typeof startFaultProxy>[1]["faults"] = [], every = 1) {
  const p = await startFaultProxy(anvil.rpcUrl, { faults, every, stallMs: 300 });
  proxies.push(p);
  return p;
}

/** An RpcClient like the processor's: retried forever, with our transient-fault policy. */
function client(url: string, outageLines: string[] = []): RpcClient {
  const c = new RpcClient({ url, requestTimeout: 10_000, retryAttempts: Number.MAX_SAFE_INTEGER, log: null });
  const outage = new Outage({
    kind: "rpc",
    what: "RPC",
    maxOutageMs: 30_000,
    log: (m) => outageLines.push(m),
  });
  installRpcFaultPolicy(c, outage, { baseMs: 5, capMs: 40 });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  anvil = await startAnvil({ port: await freePort(), noMining: true, accounts: 2 });
  rpc = new JsonRpc(anvil.rpcUrl);
  [from, to] = await rpc.call<Hex[]>("eth_accounts");
  const hashes = await rpc.batch<string>(
    Array.from({ length: 250 }, (_, i) => ({
      method: "eth_sendTransaction",
      params: [{ from, to, data: payload(i), gas: "0x100000", nonce: toHex(i) }],
    })),
  );
  hashes.forEach((h, i) => {
    sent.set(h, payload(i));
  });
  await rpc.call("evm_mine");
});

afterAll(async () => {
  for (const c of clients) c.close();
  for (const p of proxies) await p.stop();
  await anvil?.stop();
});

describe("TransactionInputs", () => {
  it("reads the inputs of 250 transactions in three JSON-RPC batches of at most 100, then from its cache", async () => {
    const p = await proxy();
    const inputs = new TransactionInputs({ chunkSize: 100, concurrency: 2 });
    const c = client(p.url);
    const got = await inputs.inputsOf(c, sent.keys());
    expect(got).toEqual(sent);
    expect(p.requests).toBe(3);
    expect(inputs.stats).toMatchObject({ fetched: 250, batches: 3 });

    // Asked again (another batch, a restarted run, a re-read after a reorg): nothing goes to the node.
    const again = await inputs.inputsOf(
      c,
      [...sent.keys()].map((h) => h.toUpperCase().replace("0X", "0x")),
    );
    expect(again).toEqual(sent);
    expect(p.requests).toBe(3);
    expect(inputs.stats.cacheHits).toBe(250);
  });

  it("keeps at most cacheSize inputs, dropping the least recently used", async () => {
    const p = await proxy();
    const inputs = new TransactionInputs({ chunkSize: 100, cacheSize: 100 });
    const c = client(p.url);
    const hashes = [...sent.keys()];
    await inputs.inputsOf(c, hashes.slice(0, 100));
    await inputs.inputsOf(c, hashes.slice(0, 10)); // used again: now the most recent
    await inputs.inputsOf(c, hashes.slice(100, 150)); // evicts hashes 10..59
    expect(p.requests).toBe(2);
    await inputs.inputsOf(c, hashes.slice(0, 10));
    expect(p.requests).toBe(2);
    expect((await inputs.inputsOf(c, hashes.slice(10, 20))).size).toBe(10);
    expect(p.requests).toBe(3);
  });

  it("rides out transient faults with the RPC client's retries: HTTP 500, a reset, truncated JSON, header not found", async () => {
    const p = await proxy(["http-500", "reset", "truncated-json", "header-not-found"]);
    const lines: string[] = [];
    const inputs = new TransactionInputs({ chunkSize: 100 });
    const got = await inputs.inputsOf(client(p.url, lines), sent.keys());
    expect(got).toEqual(sent);
    expect(p.injected).toEqual(["http-500", "reset", "truncated-json", "header-not-found"]);
    expect(lines.some((l) => /unavailable/.test(l))).toBe(true);
    expect(lines.some((l) => /recovered/.test(l))).toBe(true);
  });

  describe("a transaction the node answers null for", () => {
    let dropped: string;
    let snapshotTx: { from: Hex; to: Hex; data: string; gas: string; nonce: Hex };

    beforeAll(async () => {
      // A block holding the transaction, then anvil's reorg to a branch without it (anvil_rollback replaces the
      // block by nothing; anvil_reorg would replace it by others; both leave the old transaction unknown).
      const nonce = await rpc.call<Hex>("eth_getTransactionCount", [from, "latest"]);
      snapshotTx = { from, to, data: "0xfeedface", gas: "0x100000", nonce };
      dropped = await rpc.call<string>("eth_sendTransaction", [snapshotTx]);
      await rpc.call("evm_mine");
      expect(await rpc.call("eth_getTransactionByHash", [dropped])).not.toBeNull();
      await rpc.call("anvil_reorg", [1, []]);
      expect(await rpc.call("eth_getTransactionByHash", [dropped])).toBeNull();
    });

    it("is asked again with growing pauses, then fails the batch with a transient error naming it", async () => {
      const p = await proxy();
      const pauses: number[] = [];
      const inputs = new TransactionInputs({
        missingAttempts: 4,
        missingRetryMs: 100,
        sleep: async (ms) => {
          pauses.push(ms);
        },
      });
      const some = [...sent.keys()].slice(0, 5);
      const err = await inputs.inputsOf(client(p.url), [...some, dropped]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MissingTransactionError);
      expect((err as MissingTransactionError).hashes).toEqual([dropped]);
      expect((err as Error).message).toContain(dropped);
      expect((err as Error).message).toMatch(/4 times/);
      expect(pauses).toEqual([100, 200, 400]);
      // Only the missing one was asked again; the others were found the first time and cached.
      expect(p.requests).toBe(4);
      expect(inputs.stats.fetched).toBe(6 + 3);
      // The processor run ends and is restarted from the database's position (faults/run-processor.ts).
      expect(isTransientRpcError(err)).toBe(true);
      expect(transientFault(err)).toBe("rpc");
    });

    it("is found once the node knows it again (the transaction re-included on the new branch)", async () => {
      const p = await proxy();
      const inputs = new TransactionInputs({
        missingRetryMs: 1,
        sleep: async () => {
          // The same sender, nonce and call: the same transaction, so the same hash.
          const again = await rpc.call<string>("eth_sendTransaction", [snapshotTx]);
          expect(again).toBe(dropped);
          await rpc.call("evm_mine");
        },
      });
      const got = await inputs.inputsOf(client(p.url), [dropped]);
      expect(got.get(dropped)).toBe("0xfeedface");
      expect(p.requests).toBe(2);
    });
  });
});
