/**
 * A round-robin HTTP load balancer for the replica test: each request goes to the next backend in turn (per
 * request, not per connection, as nginx's upstream does in the Compose profile `replica`), and what each backend
 * answered is counted. Bodies and headers pass through unchanged.
 */
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

export interface RoundRobin {
  /** http://127.0.0.1:<port> */
  base: string;
  /** Statuses answered, per backend base URL. */
  answered: Map<string, number[]>;
  close(): Promise<void>;
}

export async function startRoundRobin(backends: string[]): Promise<RoundRobin> {
  let next = 0;
  const answered = new Map(backends.map((b) => [b, [] as number[]]));
  const server = createServer((req, res) => {
    const backend = new URL(backends[next++ % backends.length]);
    const upstream = request(
      {
        host: backend.hostname,
        port: backend.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: backend.host },
      },
      (answer) => {
        answered.get(backend.origin)?.push(answer.statusCode ?? 0);
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    answered,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
