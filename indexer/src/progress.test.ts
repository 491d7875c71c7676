import { createServer, type Server } from "node:http";
import { afterEach, describe, expect, test } from "vitest";
import { ChainHeadPoller, duration, progressLine } from "./progress.ts";

describe("progressLine", () => {
  test("reports height, head, rates and time left from two samples", () => {
    const line = progressLine(
      { height: 1000, chainHead: 11_000, events: 0, at: 0 },
      { height: 6000, chainHead: 11_000, events: 25_000, at: 5000 },
    );
    expect(line).toBe("block 6,000 / 11,000 (54.5%), 1,000 blocks/s, 5,000 events/s, 5 s left");
  });

  test("says so when the head is reached or unknown", () => {
    expect(
      progressLine(
        { height: 5, chainHead: 9, events: 0, at: 0 },
        { height: 9, chainHead: 9, events: 0, at: 1000 },
      ),
    ).toContain("at the chain head");
    expect(
      progressLine(
        { height: 5, chainHead: undefined, events: 0, at: 0 },
        { height: 5, chainHead: undefined, events: 0, at: 1000 },
      ),
    ).toBe("block 5 / ?, 0 blocks/s, 0 events/s");
  });

  test("durations read naturally", () => {
    expect(duration(42)).toBe("42 s");
    expect(duration(125)).toBe("2 min 5 s");
    expect(duration(7300)).toBe("2 h 1 min");
  });
});

describe("ChainHeadPoller", () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  test("an RPC failing twice in a row is reported once and retried; recovery is reported with the head", async () => {
    const lines: string[] = [];
    let up = false;
    server = createServer((_req, res) => {
      if (!up) {
        res.writeHead(503).end();
        return;
      }
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ jsonrpc: "2.0", id: 1, result: "0x2a" }));
    });
    await new Promise<void>((r) => server?.listen(0, "127.0.0.1", r));
    const { port } = server.address() as { port: number };
    const poller = new ChainHeadPoller(`http://127.0.0.1:${port}`, (m) => lines.push(m), 10);
    await poller.poll();
    expect(lines).toHaveLength(0); // a single failure may be a slow reply
    await poller.poll();
    await poller.poll();
    expect(poller.head).toBeUndefined();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/is not answering \(HTTP 503/);
    up = true;
    await poller.poll();
    expect(poller.head).toBe(42);
    expect(lines[1]).toMatch(/answers again .*chain head 42/);
  });

  test("a refused connection does not throw", async () => {
    const lines: string[] = [];
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const { port } = closed.address() as { port: number };
    await new Promise((r) => closed.close(r));
    const poller = new ChainHeadPoller(`http://127.0.0.1:${port}`, (m) => lines.push(m), 10);
    await expect(poller.poll()).resolves.toBeUndefined();
    await expect(poller.poll()).resolves.toBeUndefined();
    expect(lines[0]).toMatch(/ECONNREFUSED/);
  });
});
