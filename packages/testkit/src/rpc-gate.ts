/**
 * A JSON-RPC pass-through in front of anvil that holds chosen methods (evm_mine, evm_revert) until a gate opens.
 * The simulator talks to the gate, so a test can pace it: e.g. mine the next block, or replace blocks with a
 * reorg, only once the indexer has caught up with the head (it can only see a reorg of blocks it indexed).
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export interface RpcGate {
  url: string;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Starts the gate; `before(method)` runs (and is awaited) before each held method is forwarded. */
export async function startRpcGate(
  upstream: string,
  held: string[],
  before: (method: string) => Promise<void>,
): Promise<RpcGate> {
  const server = createServer((req, res) => {
    void (async () => {
      try {
        const body = await readBody(req);
        const parsed = JSON.parse(body) as { method?: string } | { method?: string }[];
        const methods = (Array.isArray(parsed) ? parsed : [parsed]).map((m) => m.method ?? "");
        for (const m of methods) if (held.includes(m)) await before(m);
        const upstreamRes = await fetch(upstream, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        });
        const text = await upstreamRes.text();
        res.writeHead(upstreamRes.status, { "content-type": "application/json" });
        res.end(text);
      } catch (err) {
        res.writeHead(502, { "content-type": "text/plain" });
        res.end(`rpc gate: ${(err as Error).message}`);
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
