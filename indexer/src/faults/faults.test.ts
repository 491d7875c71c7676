import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { RpcClient } from "@subsquid/rpc-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backoffDelay, Outage, OutageTooLong, retrySchedule } from "./outage.ts";
import { installRpcFaultPolicy } from "./rpc-client.ts";
import { isTransientDatabaseError, isTransientRpcError, transientFault } from "./transient.ts";

/** Shaped like @subsquid/rpc-client's RpcError (a JSON-RPC error reply). */
class RpcErrorLike extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
  override get name() {
    return "RpcError";
  }
}

describe("transientFault", () => {
  it("retries what a node means as 'try again', not a revert", () => {
    expect(isTransientRpcError(new RpcErrorLike("header not found", -32000))).toBe(true);
    expect(isTransientRpcError(new RpcErrorLike("block 0x10 not found", -32000))).toBe(true);
    expect(isTransientRpcError(new RpcErrorLike("execution reverted", 3))).toBe(false);
    expect(isTransientRpcError(new RpcErrorLike("execution reverted: no such TEE", -32000))).toBe(false);
    expect(isTransientRpcError(new RpcErrorLike("missing trie node abc", -32000))).toBe(false);
    expect(isTransientRpcError(new RpcErrorLike("invalid argument 0", -32602))).toBe(false);
    expect(isTransientRpcError(new RpcErrorLike("limit exceeded", -32005))).toBe(true);
  });

  it("retries HTTP 5xx and 429, timeouts, resets and malformed JSON", () => {
    const http = (status: number) =>
      Object.assign(new Error(`Got ${status}`), { name: "HttpError", response: { status } });
    expect(isTransientRpcError(http(500))).toBe(true);
    expect(isTransientRpcError(http(503))).toBe(true);
    expect(isTransientRpcError(http(429))).toBe(true);
    expect(isTransientRpcError(http(404))).toBe(false);
    expect(isTransientRpcError(http(400))).toBe(false);
    expect(
      isTransientRpcError(
        Object.assign(new Error("request timed out after 5 ms"), { name: "HttpTimeoutError" }),
      ),
    ).toBe(true);
    expect(
      isTransientRpcError(
        Object.assign(new Error("server returned invalid JSON"), { name: "RpcProtocolError" }),
      ),
    ).toBe(true);
    expect(isTransientRpcError(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }))).toBe(
      true,
    );
    expect(
      isTransientRpcError(
        new TypeError("fetch failed", { cause: Object.assign(new Error("x"), { code: "ECONNREFUSED" }) }),
      ),
    ).toBe(true);
    expect(isTransientRpcError(new Error('Cannot decode zero data ("0x")'))).toBe(false);
  });

  it("tells lost database connections from bugs", () => {
    const pg = (code: string, message: string) => Object.assign(new Error(message), { code });
    expect(isTransientDatabaseError(pg("57P01", "terminating connection due to administrator command"))).toBe(
      true,
    );
    expect(isTransientDatabaseError(pg("57P03", "the database system is starting up"))).toBe(true);
    expect(isTransientDatabaseError(pg("08006", "connection failure"))).toBe(true);
    expect(isTransientDatabaseError(new Error("Connection terminated unexpectedly"))).toBe(true);
    expect(
      isTransientDatabaseError(
        Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5"), { code: "ECONNREFUSED" }),
      ),
    ).toBe(true);
    const queryFailed = Object.assign(new Error("x"), {
      name: "QueryFailedError",
      driverError: pg("57P01", "terminating"),
    });
    expect(transientFault(queryFailed)).toBe("database");
    const released = Object.assign(new Error("Query runner already released. Cannot run queries anymore."), {
      name: "QueryRunnerAlreadyReleasedError",
    });
    expect(transientFault(released)).toBe("database");
    // The same, from the store's own queries (seen in the fault-tolerance e2e when Postgres restarts mid-batch).
    const providerReleased = Object.assign(
      new Error(
        "Database connection provided by a query runner was already released, cannot continue to use its querying methods anymore.",
      ),
      { name: "QueryRunnerProviderAlreadyReleasedError" },
    );
    expect(transientFault(providerReleased)).toBe("database");
    expect(transientFault(pg("23505", "duplicate key value violates unique constraint"))).toBeUndefined();
    expect(transientFault(pg("42P01", "relation does not exist"))).toBeUndefined();
    expect(transientFault(new Error("already indexed block 5#abc was not found on chain"))).toBeUndefined();
    expect(transientFault(new TypeError("Cannot read properties of undefined"))).toBeUndefined();
  });
});

describe("backoff and outages", () => {
  it("grows exponentially to the cap, with jitter between half and all of the step", () => {
    const o = { baseMs: 100, capMs: 1000 };
    expect(retrySchedule(o)).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffDelay(1, o, () => 0)).toBe(50);
    expect(backoffDelay(1, o, () => 1)).toBe(100);
    expect(backoffDelay(3, o, () => 1)).toBe(400);
    expect(backoffDelay(50, o, () => 0.5)).toBe(750);
  });

  it("logs an outage once, its end once, and gives up after the budget", () => {
    let now = 0;
    const lines: string[] = [];
    const outage = new Outage({
      kind: "database",
      what: "database",
      maxOutageMs: 10_000,
      log: (m) => lines.push(m),
      now: () => now,
    });
    outage.failed(new Error("Connection terminated unexpectedly"));
    now = 3_000;
    outage.failed(new Error("connect ECONNREFUSED"));
    outage.succeeded();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^database unavailable \(Connection terminated unexpectedly\); retrying with backoff for up to 10 s$/,
    );
    expect(lines[1]).toMatch(/^database recovered after 3\.0 s \(2 failed attempts\)$/);
    outage.failed(new Error("a"));
    now = 14_000;
    expect(() => outage.failed(new Error("still down"))).toThrow(OutageTooLong);
    expect(() => outage.assertWithinBudget()).toThrow(
      /failing for 11 s, longer than MAX_OUTAGE_SECONDS allows; giving up. Last error: still down/,
    );
  });
});

/** A JSON-RPC endpoint that answers eth_blockNumber, after the faults queued for the next requests. */
type Fault = "500" | "429" | "reset" | "stall" | "truncated" | "header-not-found" | "revert";

describe("the RPC client with our policy, against an endpoint injecting faults", () => {
  let server: Server;
  let url: string;
  const faults: Fault[] = [];
  let served = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        served++;
        const call = JSON.parse(Buffer.concat(chunks).toString()) as { id: number };
        const reply = (body: unknown) => {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify(body));
        };
        switch (faults.shift()) {
          case "500":
            res.writeHead(500, { "content-type": "text/plain" }).end("internal");
            return;
          case "429":
            res.writeHead(429, { "content-type": "text/plain" }).end("slow down");
            return;
          case "reset":
            req.socket.destroy();
            return;
          case "stall":
            return; // never answers; the client's request timeout fires
          case "truncated": {
            const text = JSON.stringify({ jsonrpc: "2.0", id: call.id, result: "0x10" });
            res.writeHead(200, { "content-type": "application/json" });
            res.end(text.slice(0, text.length - 5));
            return;
          }
          case "header-not-found":
            return reply({
              jsonrpc: "2.0",
              id: call.id,
              error: { code: -32000, message: "header not found" },
            });
          case "revert":
            return reply({ jsonrpc: "2.0", id: call.id, error: { code: 3, message: "execution reverted" } });
          default:
            return reply({ jsonrpc: "2.0", id: call.id, result: "0x10" });
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const client = (maxOutageMs: number, lines: string[]) => {
    const c = new RpcClient({ url, requestTimeout: 200, retryAttempts: Number.MAX_SAFE_INTEGER, log: null });
    const outage = new Outage({ kind: "rpc", what: "RPC", maxOutageMs, log: (m) => lines.push(m) });
    installRpcFaultPolicy(c, outage, { baseMs: 5, capMs: 40 });
    return c;
  };

  it("rides out every fault kind in a row, logging the outage once and its end once", async () => {
    const lines: string[] = [];
    const c = client(10_000, lines);
    faults.push("500", "429", "reset", "stall", "truncated", "header-not-found");
    served = 0;
    await expect(c.call("eth_blockNumber", [])).resolves.toBe("0x10");
    expect(served).toBe(7);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^RPC unavailable \(HttpError: Got 500/);
    expect(lines[1]).toMatch(/^RPC recovered after [\d.]+ s \(6 failed attempts\)$/);
    c.close();
  });

  it("does not retry a revert", async () => {
    const lines: string[] = [];
    const c = client(10_000, lines);
    faults.push("revert");
    served = 0;
    await expect(c.call("eth_call", [])).rejects.toThrow(/execution reverted/);
    expect(served).toBe(1);
    expect(lines).toEqual([]);
    c.close();
  });

  it("gives up once an outage lasts longer than allowed", async () => {
    const lines: string[] = [];
    const c = client(150, lines);
    faults.push(...Array<Fault>(200).fill("500"));
    const started = Date.now();
    await expect(c.call("eth_blockNumber", [])).rejects.toThrow(/Got 500/);
    expect(Date.now() - started).toBeLessThan(2_000);
    faults.length = 0;
    c.close();
  });
});
