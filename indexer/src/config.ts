import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";

// The indexer's configuration, validated once at start-up (spec/run.md, "Environment"). Every bad variable is
// reported together, by name, with what was received and what was expected.

/** The repository root: this file is indexer/src/config.ts, compiled to indexer/lib/config.js. */
export const REPO_ROOT = resolve(__dirname, "..", "..");

export interface ContractAddresses {
  teeRegistry: string;
  settlementRelay: string;
  /**
   * This project's commit-reveal / stake / slashing contract. OpenGradient's network has none: without it the
   * indexer reads the TEE registry and the settlement relay only (README, "Two contracts").
   */
  attestationRegistry: string | undefined;
}

export interface IndexerConfig {
  /** Unset: an embedded Postgres in `<dataDir>/postgres` on `embeddedPostgresPort`. */
  databaseUrl: string | undefined;
  rpcUrl: string;
  /** Requests per second allowed to the RPC endpoint; unset: no limit. */
  rpcRateLimit: number | undefined;
  gatewayUrl: string | undefined;
  /** Lowercase 0x-prefixed addresses. */
  addresses: ContractAddresses;
  /** Where the addresses (and the default start block) came from. */
  addressesFrom: "env" | "devnet.json";
  startBlock: number;
  finalityConfirmations: number;
  headPollIntervalMs: number;
  prometheusPort: number | undefined;
  dataDir: string;
  embeddedPostgresPort: number;
  /** Devnet only (npm start): rebuild the index when the chain no longer has its blocks (see db/chain-mismatch.ts). */
  resetIndexOnChainMismatch: boolean;
  /** How long an RPC request may take before it is abandoned and retried, ms. */
  rpcRequestTimeoutMs: number;
  /** How long the RPC endpoint or the database may keep failing before the indexer gives up and exits, s. */
  maxOutageSeconds: number;
  /** How often the day-end reputation checkpoint pass looks for work while following the head, s. */
  checkpointIntervalSeconds: number;
}

/** Thrown by loadConfig; `problems` has one line per bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid indexer configuration:\n${problems.map((p) => `  ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "expected a 0x-prefixed 20-byte hex address")
  .transform((a) => a.toLowerCase());

const httpUrl = z
  .string()
  .url("expected a URL")
  .refine((u) => /^(https?|wss?):\/\//.test(u), "expected an http(s):// or ws(s):// URL");

const postgresUrl = z
  .string()
  .url("expected a URL")
  .refine((u) => /^postgres(ql)?:\/\//.test(u), "expected a postgres:// or postgresql:// URL");

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .regex(/^\d+$/, "expected a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const port = int(1, 65_535);

// Every variable is a string or absent; an empty string counts as absent (a blank line in .env).
const envSchema = z.object({
  DATABASE_URL: postgresUrl.optional(),
  RPC_URL: httpUrl.default("http://127.0.0.1:8545"),
  RPC_RATE_LIMIT: int(1).optional(),
  GATEWAY_URL: httpUrl.optional(),
  TEE_REGISTRY_ADDRESS: address.optional(),
  SETTLEMENT_RELAY_ADDRESS: address.optional(),
  ATTESTATION_REGISTRY_ADDRESS: address.optional(),
  START_BLOCK: int(0).optional(),
  FINALITY_CONFIRMATIONS: int(0, 10_000).default("10"),
  HEAD_POLL_INTERVAL_MS: int(10, 60_000).default("200"),
  PROMETHEUS_PORT: port.optional(),
  DATA_DIR: z.string().optional(),
  EMBEDDED_PG_PORT: port.default("54329"),
  RESET_INDEX_ON_CHAIN_MISMATCH: z.enum(["true", "false"]).default("false"),
  RPC_REQUEST_TIMEOUT_MS: int(100, 600_000).default("30000"),
  MAX_OUTAGE_SECONDS: int(1, 7 * 86_400).default("600"),
  CHECKPOINT_INTERVAL_SECONDS: int(1, 86_400).default("60"),
});

type EnvKey = keyof typeof envSchema.shape;

// .data/devnet.json as the devnet writes it (devnet/src/chain/devnet-file.ts); only the fields read here.
const devnetFileSchema = z.object({
  startBlock: z.number().int().nonnegative(),
  addresses: z.object({ teeRegistry: address, settlementRelay: address, attestationRegistry: address }),
});

const ADDRESS_VARS = {
  teeRegistry: "TEE_REGISTRY_ADDRESS",
  settlementRelay: "SETTLEMENT_RELAY_ADDRESS",
  attestationRegistry: "ATTESTATION_REGISTRY_ADDRESS",
} as const satisfies Record<keyof ContractAddresses, EnvKey>;

/** The two contracts every network has; ATTESTATION_REGISTRY_ADDRESS is optional. */
const REQUIRED_ADDRESSES = ["teeRegistry", "settlementRelay"] as const;

/**
 * Reads the configuration from `env` (and, for the contract addresses and start block, from
 * `<DATA_DIR>/devnet.json` when the environment does not give all three addresses). Throws a ConfigError
 * naming every bad variable; never exits.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): IndexerConfig {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key]?.trim();
    if (value) raw[key] = value;
  }
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const name = String(i.path[0]);
        return `${name}: got ${JSON.stringify(raw[name])}, ${i.message}`;
      }),
    );
  }
  const e = parsed.data;
  // A relative DATA_DIR is taken from the repository root, wherever the process was started.
  const dataDir = resolve(REPO_ROOT, e.DATA_DIR ?? ".data");
  const problems: string[] = [];

  const fromEnv = {
    teeRegistry: e.TEE_REGISTRY_ADDRESS,
    settlementRelay: e.SETTLEMENT_RELAY_ADDRESS,
    attestationRegistry: e.ATTESTATION_REGISTRY_ADDRESS,
  };
  let addresses: ContractAddresses | undefined;
  let addressesFrom: IndexerConfig["addressesFrom"] = "env";
  let startBlock = e.START_BLOCK ?? 0;
  if (fromEnv.teeRegistry && fromEnv.settlementRelay) {
    // A chain of its own (OpenGradient's): the attestation registry is optional and never taken from the devnet.
    addresses = {
      teeRegistry: fromEnv.teeRegistry,
      settlementRelay: fromEnv.settlementRelay,
      attestationRegistry: fromEnv.attestationRegistry,
    };
  } else {
    const devnetFile = resolve(dataDir, "devnet.json");
    const devnet = readDevnetFile(devnetFile, problems);
    if (devnet) {
      // A variable that is set wins over the file, so one contract can be pointed elsewhere.
      addresses = {
        teeRegistry: fromEnv.teeRegistry ?? devnet.addresses.teeRegistry,
        settlementRelay: fromEnv.settlementRelay ?? devnet.addresses.settlementRelay,
        attestationRegistry: fromEnv.attestationRegistry ?? devnet.addresses.attestationRegistry,
      };
      addressesFrom = "devnet.json";
      startBlock = e.START_BLOCK ?? devnet.startBlock;
    } else if (problems.length === 0) {
      const missing = REQUIRED_ADDRESSES.filter((k) => !fromEnv[k]).map((k) => ADDRESS_VARS[k]);
      for (const name of missing) {
        problems.push(
          `${name}: not set, and ${devnetFile} does not exist (start the devnet or set the variable)`,
        );
      }
    }
  }
  if (problems.length > 0 || !addresses) throw new ConfigError(problems);

  return {
    databaseUrl: e.DATABASE_URL,
    rpcUrl: e.RPC_URL,
    rpcRateLimit: e.RPC_RATE_LIMIT,
    gatewayUrl: e.GATEWAY_URL,
    addresses,
    addressesFrom,
    startBlock,
    finalityConfirmations: e.FINALITY_CONFIRMATIONS,
    headPollIntervalMs: e.HEAD_POLL_INTERVAL_MS,
    prometheusPort: e.PROMETHEUS_PORT,
    dataDir,
    embeddedPostgresPort: e.EMBEDDED_PG_PORT,
    resetIndexOnChainMismatch: e.RESET_INDEX_ON_CHAIN_MISMATCH === "true",
    rpcRequestTimeoutMs: e.RPC_REQUEST_TIMEOUT_MS,
    maxOutageSeconds: e.MAX_OUTAGE_SECONDS,
    checkpointIntervalSeconds: e.CHECKPOINT_INTERVAL_SECONDS,
  };
}

function readDevnetFile(path: string, problems: string[]): z.output<typeof devnetFileSchema> | undefined {
  if (!existsSync(path)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    problems.push(`${path}: not valid JSON (${(err as Error).message})`);
    return undefined;
  }
  const parsed = devnetFileSchema.safeParse(json);
  if (!parsed.success) {
    for (const i of parsed.error.issues) problems.push(`${path}: ${i.path.join(".")}: ${i.message}`);
    return undefined;
  }
  return parsed.data;
}

/** loadConfig for a program's start: prints every problem and exits 1 on a bad configuration. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): IndexerConfig {
  try {
    return loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(1);
  }
}
