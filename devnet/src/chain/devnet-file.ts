import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { Deployment } from "./deploy.ts";

/** The repository's .data folder (git-ignored): devnet.json, anvil's state, embedded Postgres. */
export const DATA_DIR = resolve(fileURLToPath(new URL("../../../.data", import.meta.url)));
export const DEVNET_FILE = resolve(DATA_DIR, "devnet.json");

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/);
const deploymentSchema = z.object({
  chainId: z.number().int(),
  rpcUrl: z.string().url(),
  deployer: address,
  deploymentBlock: z.number().int().nonnegative(),
  startBlock: z.number().int().nonnegative(),
  addresses: z.object({ teeRegistry: address, settlementRelay: address, attestationRegistry: address }),
});

export function writeDevnetFile(d: Deployment, path = DEVNET_FILE): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify({ ...d, writtenAt: new Date().toISOString() }, null, 2)}\n`);
}

/** Reads .data/devnet.json; undefined when absent; throws naming the bad fields when malformed. */
export function readDevnetFile(path = DEVNET_FILE): Deployment | undefined {
  if (!existsSync(path)) return undefined;
  const parsed = deploymentSchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
  if (!parsed.success) {
    throw new Error(
      `${path} is malformed: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  }
  return parsed.data as Deployment;
}
