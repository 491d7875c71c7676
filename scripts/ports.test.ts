import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { listening, portsInUse, portsInUseMessage } from "./ports.ts";

describe("npm start's port check", () => {
  let server: Server;
  let busy: number;
  let free: number;

  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    busy = (server.address() as { port: number }).port;
    // A port that was free a moment ago: listen, note it, close.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    free = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test("a port something listens on is in use; a closed one is not", async () => {
    expect(await listening(busy)).toBe(true);
    expect(await listening(free)).toBe(false);
  });

  test("only the taken ports are reported, each with its part and variable", async () => {
    const taken = await portsInUse([
      { port: free, part: "the API", variable: "API_PORT" },
      { port: busy, part: "the explorer", variable: "WEB_PORT" },
    ]);
    expect(taken).toEqual([{ port: busy, part: "the explorer", variable: "WEB_PORT" }]);
    const message = portsInUseMessage(taken);
    expect(message).toContain(`port ${busy} (the explorer, set by WEB_PORT)`);
    expect(message).toContain("Another `npm start` may be running");
    expect(message).toMatch(/choose a\nfree port with WEB_PORT\.$/);
    expect(message).not.toContain(String(free));
  });
});
