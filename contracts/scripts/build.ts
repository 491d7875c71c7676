// Builds contracts/out/<Name>.json ({ abi, bytecode }) from contracts/src with the solc npm package, offline.
// Runs from the root postinstall, so the artifacts exist after `npm install`.
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { compile, compilerVersion, readSources } from "./compile.ts";

export const DEPLOYABLE = ["TEERegistry", "InferenceSettlementRelay", "AttestationRegistry"] as const;

const srcDir = fileURLToPath(new URL("../src", import.meta.url));
const outDir = fileURLToPath(new URL("../out", import.meta.url));

const started = Date.now();
const compiled = compile(readSources(srcDir));
mkdirSync(outDir, { recursive: true });
for (const name of DEPLOYABLE) {
  const c = compiled.get(name);
  if (!c) throw new Error(`contract ${name} not found in contracts/src`);
  writeFileSync(
    `${outDir}/${name}.json`,
    `${JSON.stringify({ contractName: name, compiler: compilerVersion(), abi: c.abi, bytecode: c.bytecode, deployedBytecode: c.deployedBytecode }, null, 2)}\n`,
  );
}
console.log(
  `contracts: built ${DEPLOYABLE.join(", ")} with solc ${compilerVersion()} in ${Date.now() - started} ms`,
);
