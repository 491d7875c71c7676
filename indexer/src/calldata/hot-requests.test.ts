import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type SimulatedChain, simulatedChain } from "@attestation-explorer/testkit/chain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseProcessor, createProcessor, type ProcessorSettings, TOPICS } from "../processor.ts";
import { withoutLogTransactions } from "./hot-requests.ts";

// With a gateway set, the logs whose calldata the mapping reads are requested `transaction: true` (the gateway
// serves only their transactions); the RPC data source must still fetch blocks without transactions. Checked on
// the processor's real RPC data source against anvil, through a proxy that records every JSON-RPC call.

let chain: SimulatedChain;
let proxy: Server;
let proxyUrl: string;
/** eth_getBlockByNumber's second parameter (full transactions?) of every call seen. */
let fullBlocks: boolean[] = [];

beforeAll(async () => {
  chain = await simulatedChain({ seed: "hot-requests", inferences: 30, perBlock: 10 });
  const upstream = chain.devnet.anvil.rpcUrl;
  proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const parsed = JSON.parse(body) as
        | { method: string; params: unknown[] }
        | { method: string; params: unknown[] }[];
      for (const call of Array.isArray(parsed) ? parsed : [parsed]) {
        if (call.method === "eth_getBlockByNumber") fullBlocks.push(call.params[1] === true);
      }
      void fetch(upstream, { method: "POST", headers: { "content-type": "application/json" }, body })
        .then((r) => r.text())
        .then((text) => res.writeHead(200, { "content-type": "application/json" }).end(text));
    });
  });
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterAll(async () => {
  proxy?.closeAllConnections();
  await new Promise((r) => proxy?.close(r));
  await chain?.devnet.anvil.stop();
});

function settings(gatewayUrl: string | undefined): ProcessorSettings {
  const a = chain.devnet.deployment.addresses;
  return {
    rpcUrl: proxyUrl,
    rpcRateLimit: undefined,
    // Never contacted: only the RPC data source is run here.
    gatewayUrl,
    addresses: {
      teeRegistry: a.teeRegistry.toLowerCase(),
      settlementRelay: a.settlementRelay.toLowerCase(),
      attestationRegistry: a.attestationRegistry.toLowerCase(),
    },
    startBlock: chain.devnet.deployment.deploymentBlock,
    finalityConfirmations: 0,
    headPollIntervalMs: 100,
    prometheusPort: undefined,
    rpcRequestTimeoutMs: 10_000,
  };
}

interface Internals {
  getBatchRequests(): { request: { logs?: { topic0?: string[]; transaction?: boolean }[] } }[];
  getHotDataSource(): {
    getFinalizedBlocks(
      requests: unknown,
      stopOnHead: boolean,
    ): AsyncIterable<{ blocks: { logs: { topics: string[]; transaction?: unknown }[] }[] }>;
  };
  getChainRpcClient(): { close(): void };
}

/** Every log the processor's RPC data source delivers from the start block to the head. */
async function syncLogs(processor: object) {
  const p = processor as Internals;
  const logs: { topics: string[]; transaction?: unknown }[] = [];
  try {
    for await (const batch of p.getHotDataSource().getFinalizedBlocks(p.getBatchRequests(), true)) {
      for (const b of batch.blocks) logs.push(...b.logs);
    }
  } finally {
    p.getChainRpcClient().close();
  }
  return logs;
}

const needsCalldata = (topics: string[]) => TOPICS.teeRegistryWithTransaction.includes(topics[0]);

describe("with a gateway", () => {
  it("asks the gateway for the calldata logs' transactions", () => {
    const withGateway = createProcessor(settings("http://127.0.0.1:9")) as unknown as Internals;
    const asked = withGateway.getBatchRequests().flatMap((r) => r.request.logs ?? []);
    expect(asked.filter((l) => l.transaction)).toHaveLength(1);
    expect(asked.find((l) => l.transaction)?.topic0).toEqual(TOPICS.teeRegistryWithTransaction);
    const rpcOnly = createProcessor(settings(undefined)) as unknown as Internals;
    expect(
      rpcOnly
        .getBatchRequests()
        .flatMap((r) => r.request.logs ?? [])
        .some((l) => l.transaction),
    ).toBe(false);
  });

  it("fetches blocks from the RPC node without their transactions all the same", async () => {
    fullBlocks = [];
    const logs = await syncLogs(createProcessor(settings("http://127.0.0.1:9")));
    const withCalldata = logs.filter((l) => needsCalldata(l.topics));
    expect(withCalldata.length).toBeGreaterThan(0); // the simulator's registrations and heartbeats
    expect(withCalldata.every((l) => l.transaction === undefined)).toBe(true);
    expect(fullBlocks.length).toBeGreaterThan(0);
    expect(fullBlocks.every((full) => !full)).toBe(true);
  });

  it("(without the wrapper, the same request would fetch every block whole)", async () => {
    fullBlocks = [];
    const s = settings(undefined);
    const plain = baseProcessor(s).addLog({
      address: [s.addresses.teeRegistry],
      topic0: TOPICS.teeRegistryWithTransaction,
      transaction: true,
    });
    const logs = await syncLogs(plain);
    expect(logs.some((l) => l.transaction !== undefined)).toBe(true);
    expect(fullBlocks.length).toBeGreaterThan(0);
    expect(fullBlocks.every((full) => full)).toBe(true);
  });
});

describe("withoutLogTransactions", () => {
  it("drops transaction from every log request and keeps the rest", () => {
    const req = { logs: [{ address: ["0xa"], transaction: true }, { topic0: ["0xb"] }], transactions: [{}] };
    expect(withoutLogTransactions(req)).toEqual({
      logs: [{ address: ["0xa"] }, { topic0: ["0xb"] }],
      transactions: [{}],
    });
    expect(req.logs[0].transaction).toBe(true);
    expect(withoutLogTransactions(undefined)).toBeUndefined();
  });
});
