// Compiles OpenGradient's contracts (og-evm, third-party test fixtures in ../shared/fixtures/og-evm, never copied
// into this repository) and our mock of their TEE precompile, offline: solc-js 0.8.20 (npm alias solc-0.8.20)
// and @openzeppelin/contracts 5.4.0 from npm, optimizer on, 200 runs (/work/shared/fixtures/og-evm/README.md).
// The result is cached by the hash of every input under node_modules/.cache/og-evm/, so only the first test
// run of a machine pays for the compiler (~10 s on 2 cores).
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Abi, Hex } from "viem";

const require = createRequire(import.meta.url);

/** The repository root (this file is contracts/og-evm/compile.ts). */
export const REPO_ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
/** Shared test fixtures, beside the repository (the same layout in CI). */
export const FIXTURES_DIR = resolve(REPO_ROOT, "../shared/fixtures");
export const OG_EVM_DIR = join(FIXTURES_DIR, "og-evm");
/** The real AWS Nitro attestation document of og-evm's precompile tests. */
export const NITRO_DOCUMENT_PATH = join(FIXTURES_DIR, "nitro/attestation_doc.bin");

const MOCK_DIR = fileURLToPath(new URL(".", import.meta.url));
const CACHE_DIR = join(REPO_ROOT, "node_modules/.cache/og-evm");

export const OG_EVM_VERSIONS = ["113ae07", "758e149", "6030478"] as const;
export type OgEvmVersion = (typeof OG_EVM_VERSIONS)[number];

/** As contracts/scripts/compile.ts's CompiledContract, with viem's Abi type. */
export interface OgEvmContract {
  abi: Abi;
  bytecode: Hex;
  deployedBytecode: Hex;
}

export interface OgEvmArtifacts {
  compiler: string;
  /** Current og-evm main: TEERegistry, TEEInferenceVerifier (the relay's constructor argument), the relay. */
  current: {
    TEERegistry: OgEvmContract;
    TEEInferenceVerifier: OgEvmContract;
    InferenceSettlementRelay: OgEvmContract;
  };
  /** Earlier registries: 758e149 (PCRRevoked(bytes32,uint256), TEEDeactivated/Activated, TEERemoved). */
  registry758e149: OgEvmContract;
  /** 6030478 (PCRApproved(bytes32,string), PCRRevoked(bytes32), TEEDeactivated/Activated, TEETypeDeactivated). */
  registry6030478: OgEvmContract;
  /** Ours: contracts/og-evm/MockTEEVerifier.sol, for 0x…0900. */
  MockTEEVerifier: OgEvmContract;
}

interface Solc {
  version(): string;
  compile(
    input: string,
    callbacks?: { import: (path: string) => { contents: string } | { error: string } },
  ): string;
}

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[];
  contracts: Record<
    string,
    Record<string, { abi: Abi; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }>
  >;
}

const ROOT_SOURCES = [
  "og-evm/113ae07/TEERegistry.sol",
  "og-evm/113ae07/InferenceSettlementRelay.sol",
  "og-evm/758e149/TEERegistry.sol",
  "og-evm/6030478/TEERegistry.sol",
  "mock/MockTEEVerifier.sol",
];

const SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
};

/** The file behind a solc source unit name: og-evm/… (fixtures), mock/… (ours), @openzeppelin/contracts/… (npm). */
function sourcePath(unit: string): string {
  if (unit.startsWith("og-evm/")) return join(FIXTURES_DIR, unit);
  if (unit.startsWith("mock/")) return join(MOCK_DIR, unit.slice("mock/".length));
  if (unit.startsWith("@openzeppelin/contracts/")) {
    const pkg = dirname(require.resolve("@openzeppelin/contracts/package.json"));
    return join(pkg, unit.slice("@openzeppelin/contracts/".length));
  }
  throw new Error(`og-evm compile: no file for import ${unit}`);
}

function readSource(unit: string): string {
  const path = sourcePath(unit);
  if (!existsSync(path)) {
    throw new Error(
      `og-evm compile: ${path} is missing (${unit}). The og-evm fixtures must be at ${OG_EVM_DIR} (../shared/fixtures beside the repository).`,
    );
  }
  return readFileSync(path, "utf8");
}

/** Every file that can be an input: the fixture folders, our .sol files, and the pinned versions. */
function inputsHash(solcPackageVersion: string): string {
  const hash = createHash("sha256");
  hash.update(`solc ${solcPackageVersion}\n${JSON.stringify(SETTINGS)}\n${ROOT_SOURCES.join("\n")}\n`);
  hash.update(
    `openzeppelin ${(require("@openzeppelin/contracts/package.json") as { version: string }).version}\n`,
  );
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith(".sol"))
        hash.update(`${relative(REPO_ROOT, full)}\n`).update(readFileSync(full));
    }
  };
  for (const v of OG_EVM_VERSIONS) walk(join(OG_EVM_DIR, v));
  walk(MOCK_DIR);
  return hash.digest("hex").slice(0, 24);
}

let memo: OgEvmArtifacts | undefined;

/** Compiles (or loads from the cache) og-evm's contracts and our mock precompile. */
export function compileOgEvm(options: { noCache?: boolean } = {}): OgEvmArtifacts {
  if (memo && !options.noCache) return memo;
  const solcPackageVersion = (require("solc-0.8.20/package.json") as { version: string }).version;
  if (solcPackageVersion !== "0.8.20") throw new Error(`solc-0.8.20 is solc ${solcPackageVersion}`);
  const cacheFile = join(CACHE_DIR, `${inputsHash(solcPackageVersion)}.json`);
  if (!options.noCache && existsSync(cacheFile)) {
    memo = JSON.parse(readFileSync(cacheFile, "utf8")) as OgEvmArtifacts;
    return memo;
  }
  const solc = require("solc-0.8.20") as Solc;
  const sources: Record<string, { content: string }> = {};
  for (const unit of ROOT_SOURCES) sources[unit] = { content: readSource(unit) };
  const input = { language: "Solidity", sources, settings: SETTINGS };
  const output = JSON.parse(
    solc.compile(JSON.stringify(input), {
      import: (unit) => {
        try {
          return { contents: readSource(unit) };
        } catch (err) {
          return { error: (err as Error).message };
        }
      },
    }),
  ) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length > 0) {
    throw new Error(`solc ${solc.version()} failed:\n${errors.map((e) => e.formattedMessage).join("\n")}`);
  }
  const get = (unit: string, name: string): OgEvmContract => {
    const c = output.contracts[unit]?.[name];
    if (!c) throw new Error(`og-evm compile: ${name} not in ${unit}`);
    return {
      abi: c.abi,
      bytecode: `0x${c.evm.bytecode.object}`,
      deployedBytecode: `0x${c.evm.deployedBytecode.object}`,
    };
  };
  const artifacts: OgEvmArtifacts = {
    compiler: solc.version(),
    current: {
      TEERegistry: get("og-evm/113ae07/TEERegistry.sol", "TEERegistry"),
      TEEInferenceVerifier: get("og-evm/113ae07/TEEInferenceVerifier.sol", "TEEInferenceVerifier"),
      InferenceSettlementRelay: get(
        "og-evm/113ae07/InferenceSettlementRelay.sol",
        "InferenceSettlementRelay",
      ),
    },
    registry758e149: get("og-evm/758e149/TEERegistry.sol", "TEERegistry"),
    registry6030478: get("og-evm/6030478/TEERegistry.sol", "TEERegistry"),
    MockTEEVerifier: get("mock/MockTEEVerifier.sol", "MockTEEVerifier"),
  };
  if (!options.noCache) {
    // Written then renamed, so test files compiling at the same time never read half a file.
    mkdirSync(CACHE_DIR, { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(artifacts));
    renameSync(tmp, cacheFile);
  }
  memo = artifacts;
  return artifacts;
}
