import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
// solc-js ships its own compiler build (soljson.js) inside the npm package: no download, works offline.
import solc from "solc";

export interface CompiledContract {
  abi: unknown[];
  bytecode: `0x${string}`;
  deployedBytecode: `0x${string}`;
}

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[];
  contracts: Record<
    string,
    Record<
      string,
      { abi: unknown[]; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }
    >
  >;
}

/** Every .sol file under `dir`, keyed by its path relative to `dir` (the key solc resolves imports against). */
export function readSources(dir: string): Record<string, { content: string }> {
  const sources: Record<string, { content: string }> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith(".sol")) sources[relative(dir, full)] = { content: readFileSync(full, "utf8") };
    }
  };
  walk(dir);
  return sources;
}

/** Compiles the given sources; throws with every compiler error when any source fails. */
export function compile(sources: Record<string, { content: string }>): Map<string, CompiledContract> {
  const input = {
    language: "Solidity",
    sources,
    settings: {
      optimizer: { enabled: true, runs: 200 },
      viaIR: false,
      outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length > 0) {
    throw new Error(`solc ${solc.version()} failed:\n${errors.map((e) => e.formattedMessage).join("\n")}`);
  }
  const result = new Map<string, CompiledContract>();
  for (const file of Object.values(output.contracts)) {
    for (const [name, c] of Object.entries(file)) {
      result.set(name, {
        abi: c.abi,
        bytecode: `0x${c.evm.bytecode.object}`,
        deployedBytecode: `0x${c.evm.deployedBytecode.object}`,
      });
    }
  }
  return result;
}

export const compilerVersion = (): string => solc.version();
