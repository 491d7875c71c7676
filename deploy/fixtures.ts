import { existsSync, readdirSync } from "node:fs";
import { resolve } from "node:path";
import { CONFIG_VARIABLES as API_VARIABLES } from "../api/src/config.ts";
import { loadConfig as loadIndexerConfig } from "../indexer/src/config.ts";
import { ROOT, read } from "./docker-context.ts";

// What the deploy tests compare docker-compose.yml, the Dockerfiles and .env.example against: the variables each
// part really reads, and an environment that satisfies the compose file.

/** Variables docker-compose.yml cannot do without (`${VAR:?message}`). */
export const REQUIRED = [
  "RPC_URL",
  "TEE_REGISTRY_ADDRESS",
  "SETTLEMENT_RELAY_ADDRESS",
  "POSTGRES_PASSWORD",
  "POSTGRES_READER_PASSWORD",
] as const;

/** The required variables with valid values, and nothing else. */
export const REQUIRED_ENV: Record<(typeof REQUIRED)[number], string> = {
  RPC_URL: "https://rpc.example.org",
  TEE_REGISTRY_ADDRESS: "0x1111111111111111111111111111111111111111",
  SETTLEMENT_RELAY_ADDRESS: "0x2222222222222222222222222222222222222222",
  POSTGRES_PASSWORD: "owner0secret",
  POSTGRES_READER_PASSWORD: "reader0secret",
};

/**
 * The variables indexer/src/config.ts reads, found by running it on an environment that records every lookup
 * (its zod schema is not exported; this also counts any variable read outside the schema).
 */
export function indexerConfigVariables(): string[] {
  const seen = new Set<string>();
  const env = new Proxy({} as NodeJS.ProcessEnv, {
    get(_target, key) {
      if (typeof key === "string") seen.add(key);
      return undefined;
    },
  });
  try {
    loadIndexerConfig(env);
  } catch {
    // No addresses and maybe no .data/devnet.json: the lookups have happened by then.
  }
  return [...seen];
}

/** The variables api/src/config.ts reads (its own list). */
export const apiConfigVariables = (): string[] => [...API_VARIABLES];

/** The explorer's configuration files (zod schemas over process.env). */
export const WEB_CONFIG_FILES = ["web/server.mjs", "web/app/lib/config.server.ts"];

/** The keys of every `z.object({ ... })` in a file whose keys look like environment variables. */
export function zodObjectKeys(source: string): string[] {
  const keys: string[] = [];
  for (const m of source.matchAll(/z\.object\(\{([\s\S]*?)\n\}\)/g)) {
    for (const k of m[1].matchAll(/^\s+([A-Z][A-Z0-9_]*)\s*:/gm)) keys.push(k[1]);
  }
  return keys;
}

export function webConfigVariables(): string[] {
  return [...new Set(WEB_CONFIG_FILES.flatMap((f) => zodObjectKeys(read(f))))];
}

/** Variables the parts read outside their zod schemas (diagnostics, and NODE_ENV for libraries). */
export const EXTRA_VARIABLES = {
  indexer: ["NODE_ENV", "SQD_INFO", "SQD_DEBUG", "INDEXER_PROFILE"],
  api: [] as string[],
  web: ["NODE_ENV"],
};

/** The read-only role's migration (hand-written, indexer/db/migrations/<timestamp>-ReaderRole.js). */
export function readerRoleMigration(): string {
  const dir = resolve(ROOT, "indexer/db/migrations");
  const file = existsSync(dir) ? readdirSync(dir).find((f) => /-ReaderRole\.js$/.test(f)) : undefined;
  if (!file) throw new Error("indexer/db/migrations/*-ReaderRole.js not found");
  return read(`indexer/db/migrations/${file}`);
}
