import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { ConfigError, loadConfig } from "./config.ts";

const TEE = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const RELAY = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
const ATT = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0";
const ADDRESS_ENV = {
  TEE_REGISTRY_ADDRESS: TEE,
  SETTLEMENT_RELAY_ADDRESS: RELAY,
  ATTESTATION_REGISTRY_ADDRESS: ATT,
};

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), "indexer-config-"));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

function writeDevnet(content: unknown): void {
  writeFileSync(
    join(dataDir, "devnet.json"),
    typeof content === "string" ? content : JSON.stringify(content),
  );
}

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  test("defaults apply when only the addresses are set", () => {
    const config = loadConfig({ ...ADDRESS_ENV, DATA_DIR: dataDir });
    expect(config).toEqual({
      databaseUrl: undefined,
      rpcUrl: "http://127.0.0.1:8545",
      rpcRateLimit: undefined,
      gatewayUrl: undefined,
      addresses: {
        teeRegistry: TEE.toLowerCase(),
        settlementRelay: RELAY.toLowerCase(),
        attestationRegistry: ATT.toLowerCase(),
      },
      addressesFrom: "env",
      startBlock: 0,
      finalityConfirmations: 10,
      headPollIntervalMs: 200,
      prometheusPort: undefined,
      dataDir,
      embeddedPostgresPort: 54329,
      resetIndexOnChainMismatch: false,
      rpcRequestTimeoutMs: 30_000,
      maxOutageSeconds: 600,
      checkpointIntervalSeconds: 60,
    });
  });

  test("MAX_OUTAGE_SECONDS and RPC_REQUEST_TIMEOUT_MS are whole numbers in range", () => {
    const config = loadConfig({
      ...ADDRESS_ENV,
      DATA_DIR: dataDir,
      MAX_OUTAGE_SECONDS: "30",
      RPC_REQUEST_TIMEOUT_MS: "1500",
    });
    expect(config.maxOutageSeconds).toBe(30);
    expect(config.rpcRequestTimeoutMs).toBe(1500);
    const bad = problemsOf({
      ...ADDRESS_ENV,
      DATA_DIR: dataDir,
      MAX_OUTAGE_SECONDS: "0",
      RPC_REQUEST_TIMEOUT_MS: "fast",
    });
    expect(bad.map((p) => p.split(":")[0]).sort()).toEqual(["MAX_OUTAGE_SECONDS", "RPC_REQUEST_TIMEOUT_MS"]);
  });

  test("CHECKPOINT_INTERVAL_SECONDS is a whole number of seconds from 1 to a day", () => {
    expect(
      loadConfig({ ...ADDRESS_ENV, DATA_DIR: dataDir, CHECKPOINT_INTERVAL_SECONDS: "5" })
        .checkpointIntervalSeconds,
    ).toBe(5);
    for (const value of ["0", "86401", "1.5", "soon"]) {
      const bad = problemsOf({ ...ADDRESS_ENV, DATA_DIR: dataDir, CHECKPOINT_INTERVAL_SECONDS: value });
      expect(
        bad.map((p) => p.split(":")[0]),
        value,
      ).toEqual(["CHECKPOINT_INTERVAL_SECONDS"]);
    }
  });

  test("RESET_INDEX_ON_CHAIN_MISMATCH (set by npm start on the devnet) is true or false, nothing else", () => {
    expect(
      loadConfig({ ...ADDRESS_ENV, DATA_DIR: dataDir, RESET_INDEX_ON_CHAIN_MISMATCH: "true" })
        .resetIndexOnChainMismatch,
    ).toBe(true);
    expect(() =>
      loadConfig({ ...ADDRESS_ENV, DATA_DIR: dataDir, RESET_INDEX_ON_CHAIN_MISMATCH: "yes" }),
    ).toThrow(/RESET_INDEX_ON_CHAIN_MISMATCH: got "yes"/);
  });

  test("addresses and start block come from devnet.json when the environment has none", () => {
    writeDevnet({
      chainId: 31337,
      rpcUrl: "http://x",
      deploymentBlock: 1,
      startBlock: 7,
      addresses: { teeRegistry: TEE, settlementRelay: RELAY, attestationRegistry: ATT },
    });
    const config = loadConfig({ DATA_DIR: dataDir });
    expect(config.addressesFrom).toBe("devnet.json");
    expect(config.addresses.teeRegistry).toBe(TEE.toLowerCase());
    expect(config.startBlock).toBe(7);
  });

  test("START_BLOCK set wins over devnet.json's startBlock, and a set address wins over the file's", () => {
    writeDevnet({
      startBlock: 7,
      addresses: { teeRegistry: TEE, settlementRelay: RELAY, attestationRegistry: ATT },
    });
    const other = "0x0000000000000000000000000000000000000001";
    const config = loadConfig({ DATA_DIR: dataDir, START_BLOCK: "3", SETTLEMENT_RELAY_ADDRESS: other });
    expect(config.startBlock).toBe(3);
    expect(config.addresses.settlementRelay).toBe(other);
    expect(config.addresses.teeRegistry).toBe(TEE.toLowerCase());
  });

  test("missing addresses without devnet.json name each missing required variable", () => {
    const problems = problemsOf({ DATA_DIR: dataDir, TEE_REGISTRY_ADDRESS: TEE });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^SETTLEMENT_RELAY_ADDRESS: not set/);
    const none = problemsOf({ DATA_DIR: dataDir });
    expect(none.map((p) => p.split(":")[0])).toEqual(["TEE_REGISTRY_ADDRESS", "SETTLEMENT_RELAY_ADDRESS"]);
  });

  test("two contracts are enough: without ATTESTATION_REGISTRY_ADDRESS none is indexed, even beside a devnet.json", () => {
    writeDevnet({
      startBlock: 7,
      addresses: { teeRegistry: TEE, settlementRelay: RELAY, attestationRegistry: ATT },
    });
    const config = loadConfig({
      DATA_DIR: dataDir,
      TEE_REGISTRY_ADDRESS: TEE,
      SETTLEMENT_RELAY_ADDRESS: RELAY,
    });
    expect(config.addressesFrom).toBe("env");
    expect(config.addresses).toEqual({
      teeRegistry: TEE.toLowerCase(),
      settlementRelay: RELAY.toLowerCase(),
      attestationRegistry: undefined,
    });
    expect(config.startBlock).toBe(0);
  });

  test("every bad variable is reported at once, by name, with the value received", () => {
    const problems = problemsOf({
      ...ADDRESS_ENV,
      DATA_DIR: dataDir,
      RPC_URL: "localhost:8545",
      DATABASE_URL: "mysql://x@y/z",
      START_BLOCK: "-1",
      FINALITY_CONFIRMATIONS: "ten",
      TEE_REGISTRY_ADDRESS: "0x1234",
      PROMETHEUS_PORT: "70000",
    });
    const names = problems.map((p) => p.split(":")[0]).sort();
    expect(names).toEqual(
      [
        "DATABASE_URL",
        "FINALITY_CONFIRMATIONS",
        "PROMETHEUS_PORT",
        "RPC_URL",
        "START_BLOCK",
        "TEE_REGISTRY_ADDRESS",
      ].sort(),
    );
    expect(problems.find((p) => p.startsWith("FINALITY_CONFIRMATIONS"))).toContain('got "ten"');
  });

  test("an empty variable counts as unset", () => {
    const config = loadConfig({
      ...ADDRESS_ENV,
      DATA_DIR: dataDir,
      RPC_URL: "",
      FINALITY_CONFIRMATIONS: " ",
    });
    expect(config.rpcUrl).toBe("http://127.0.0.1:8545");
    expect(config.finalityConfirmations).toBe(10);
  });

  test("a malformed devnet.json is reported with its path", () => {
    writeDevnet("{ not json");
    const problems = problemsOf({ DATA_DIR: dataDir });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain("devnet.json: not valid JSON");
  });

  test("a devnet.json with a bad address names the field", () => {
    writeDevnet({
      startBlock: 1,
      addresses: { teeRegistry: "0x12", settlementRelay: RELAY, attestationRegistry: ATT },
    });
    expect(problemsOf({ DATA_DIR: dataDir })[0]).toContain("addresses.teeRegistry");
  });

  test("numbers and URLs are parsed", () => {
    const config = loadConfig({
      ...ADDRESS_ENV,
      DATA_DIR: dataDir,
      DATABASE_URL: "postgresql://u:p@db:5432/explorer",
      GATEWAY_URL: "https://v2.archive.subsquid.io/network/ethereum-mainnet",
      RPC_RATE_LIMIT: "50",
      START_BLOCK: "12",
      FINALITY_CONFIRMATIONS: "0",
      HEAD_POLL_INTERVAL_MS: "1000",
      PROMETHEUS_PORT: "9090",
      EMBEDDED_PG_PORT: "15432",
    });
    expect(config).toMatchObject({
      databaseUrl: "postgresql://u:p@db:5432/explorer",
      gatewayUrl: "https://v2.archive.subsquid.io/network/ethereum-mainnet",
      rpcRateLimit: 50,
      startBlock: 12,
      finalityConfirmations: 0,
      headPollIntervalMs: 1000,
      prometheusPort: 9090,
      embeddedPostgresPort: 15432,
    });
  });
});
