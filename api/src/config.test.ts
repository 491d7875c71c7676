import { describe, expect, test } from "vitest";
import { ConfigError, loadConfig } from "./config.ts";

describe("configuration", () => {
  test("defaults: embedded Postgres, port 4000, any origin, 600 requests a minute", () => {
    const c = loadConfig({});
    expect(c.databaseUrl).toBeUndefined();
    expect(c.embeddedPostgresPort).toBe(54329);
    expect(c.port).toBe(4000);
    expect(c.corsOrigins).toBe("*");
    expect(c.rateLimitPerMinute).toBe(600);
    expect(c.production).toBe(false);
    // Errors are masked for clients in every mode unless a developer asks for them.
    expect(c.exposeErrors).toBe(false);
    expect(c.healthStallSeconds).toBe(120);
  });

  test("reads every variable", () => {
    const c = loadConfig({
      DATABASE_URL: "postgres://u:p@db:5432/explorer",
      API_PORT: "4100",
      API_HOST: "0.0.0.0",
      CORS_ORIGINS: "http://localhost:3000, https://explorer.example",
      RATE_LIMIT: "0",
      NODE_ENV: "production",
      HEALTH_STALL_SECONDS: "30",
      TRUST_PROXY: "true",
      API_EXPOSE_ERRORS: "true",
    });
    expect(c).toMatchObject({
      databaseUrl: "postgres://u:p@db:5432/explorer",
      port: 4100,
      host: "0.0.0.0",
      corsOrigins: ["http://localhost:3000", "https://explorer.example"],
      rateLimitPerMinute: 0,
      production: true,
      healthStallSeconds: 30,
      trustProxy: true,
      exposeErrors: true,
    });
  });

  test("subscriptions follow a standby by polling unless told; X-Min-Height waits 2 s by default", () => {
    expect(loadConfig({})).toMatchObject({
      subscriptionSource: "auto",
      subscriptionPollMs: 200,
      minHeightWaitMs: 2000,
    });
    expect(
      loadConfig({ SUBSCRIPTION_SOURCE: "poll", SUBSCRIPTION_POLL_MS: "500", MIN_HEIGHT_WAIT_MS: "0" }),
    ).toMatchObject({ subscriptionSource: "poll", subscriptionPollMs: 500, minHeightWaitMs: 0 });
    expect(() => loadConfig({ SUBSCRIPTION_SOURCE: "notify", SUBSCRIPTION_POLL_MS: "5" })).toThrow(
      /SUBSCRIPTION_SOURCE: got "notify", expected auto, listen or poll\n.*SUBSCRIPTION_POLL_MS: got "5", expected at least 20/,
    );
  });

  test("an empty variable counts as unset", () => {
    expect(loadConfig({ API_PORT: "", DATABASE_URL: "  " }).port).toBe(4000);
  });

  test("every bad variable is reported at once, by name, with what was received", () => {
    try {
      loadConfig({
        DATABASE_URL: "mysql://x",
        API_PORT: "70000",
        RATE_LIMIT: "-1",
        NODE_ENV: "staging",
        CORS_ORIGINS: "localhost:3000",
      });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems;
      expect(problems).toHaveLength(5);
      expect(problems.join("\n")).toContain(
        'DATABASE_URL: got "mysql://x", expected a postgres:// or postgresql:// URL',
      );
      expect(problems.join("\n")).toContain('API_PORT: got "70000", expected at most 65535');
      expect(problems.join("\n")).toContain('RATE_LIMIT: got "-1", expected a whole number');
      expect(problems.join("\n")).toContain(
        'NODE_ENV: got "staging", expected development, production or test',
      );
      expect(problems.join("\n")).toMatch(/CORS_ORIGINS: got "localhost:3000", expected/);
    }
  });
});
