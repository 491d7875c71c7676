/**
 * A JSON-RPC pass-through in front of anvil that injects faults into the indexer's processor requests: the next
 * fault of a queue every `every`-th request, and a gate that holds every request while closed. The indexer's
 * own head poll (ChainHeadPoller: a single eth_blockNumber with id 1) passes untouched, so every fault lands on
 * the processor (its data source, its head poll and the mapping's eth_call).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type FaultKind = "http-500" | "http-429" | "reset" | "stall" | "truncated-json" | "header-not-found";

export const FAULT_KINDS: FaultKind[] = [
  "http-500",
  "http-429",
  "reset",
  "stall",
  "truncated-json",
  "header-not-found",
];

export interface FaultProxy {
  url: string;
  /** Faults still to inject, in order. */
  readonly queue: FaultKind[];
  /** Faults injected so far, in order. */
  readonly injected: FaultKind[];
  /** Requests forwarded (or faulted) so far. */
  readonly requests: number;
  /** Holds every request (the head poll's too) until open(). */
  close(): void;
  open(): void;
  stop(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

const POLLER = '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"';

export async function startFaultProxy(
  upstream: string,
  options: { faults: FaultKind[]; every?: number; stallMs: number },
): Promise<FaultProxy> {
  const queue = [...options.faults];
  const injected: FaultKind[] = [];
  const every = options.every ?? 2;
  let requests = 0;
  let gate: { promise: Promise<void>; release: () => void } | undefined;

  async function inject(kind: FaultKind, body: string, req: IncomingMessage, res: ServerResponse) {
    switch (kind) {
      case "http-500":
        res.writeHead(500, { "content-type": "text/plain" }).end("internal server error (injected)");
        return;
      case "http-429":
        res.writeHead(429, { "content-type": "text/plain" }).end("too many requests (injected)");
        return;
      case "reset":
        req.socket.destroy();
        return;
      case "stall":
        // Longer than the indexer's request timeout; then the connection is dropped.
        await new Promise((r) => setTimeout(r, options.stallMs));
        req.socket.destroy();
        return;
      case "truncated-json": {
        const text = await forward(body);
        res.writeHead(200, { "content-type": "application/json" });
        res.end(text.slice(0, Math.max(1, Math.floor(text.length / 2))));
        return;
      }
      case "header-not-found": {
        const parsed = JSON.parse(body) as { id: number } | { id: number }[];
        const error = (id: number) => ({
          jsonrpc: "2.0",
          id,
          error: { code: -32000, message: "header not found" },
        });
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(Array.isArray(parsed) ? parsed.map((c) => error(c.id)) : error(parsed.id)));
        return;
      }
    }
  }

  async function forward(body: string): Promise<string> {
    const upstreamRes = await fetch(upstream, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    return upstreamRes.text();
  }

  const server = createServer((req, res) => {
    void (async () => {
      try {
        const body = await readBody(req);
        while (gate) await gate.promise;
        if (!body.startsWith(POLLER)) {
          requests++;
          const kind = requests % every === 0 ? queue.shift() : undefined;
          if (kind) {
            injected.push(kind);
            return await inject(kind, body, req, res);
          }
        }
        const text = await forward(body);
        res.writeHead(200, { "content-type": "application/json" });
        res.end(text);
      } catch (err) {
        if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
        res.end(`fault proxy: ${(err as Error).message}`);
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    queue,
    injected,
    get requests() {
      return requests;
    },
    close() {
      if (gate) return;
      let release = () => {};
      const promise = new Promise<void>((r) => {
        release = r;
      });
      gate = { promise, release };
    },
    open() {
      const g = gate;
      gate = undefined;
      g?.release();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        gate?.release();
        gate = undefined;
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
