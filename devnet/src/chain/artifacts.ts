import { readFileSync } from "node:fs";
import type { Abi, Hex } from "viem";

export const CONTRACT_NAMES = ["TEERegistry", "InferenceSettlementRelay", "AttestationRegistry"] as const;
export type ContractName = (typeof CONTRACT_NAMES)[number];

export interface Artifact {
  abi: Abi;
  bytecode: Hex;
}

const cache = new Map<ContractName, Artifact>();

/** Reads contracts/out/<name>.json, built by `npm run build -w contracts` (run by the root postinstall). */
export function loadArtifact(name: ContractName): Artifact {
  const hit = cache.get(name);
  if (hit) return hit;
  const url = new URL(`../../../contracts/out/${name}.json`, import.meta.url);
  let text: string;
  try {
    text = readFileSync(url, "utf8");
  } catch {
    throw new Error(`contract artifact ${url.pathname} is missing: run \`npm run build -w contracts\``);
  }
  const artifact = JSON.parse(text) as Artifact;
  cache.set(name, artifact);
  return artifact;
}
