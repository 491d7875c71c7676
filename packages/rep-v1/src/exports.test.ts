// The package as its consumers load it (README.md, "As a package"): Node's `require` (the CommonJS indexer) and
// `import` (the ESM API) each reach their own build through the exports map, and both builds export what the
// sources do. Needs the builds (npm install's postinstall, `tsc -b` or `npm run build -w packages/rep-v1`).
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as source from "./index.ts";

const NAME = "@attestation-explorer/rep-v1";
/** A consumer's folder: the indexer, which declares the package (npm links it into the root node_modules). */
const CONSUMER = fileURLToPath(new URL("../../../indexer/", import.meta.url));

/** What plain Node (no vitest, no tsx) loads for NAME from CONSUMER, by `require` or by `import`. */
function load(how: "require" | "import"): { file: string; exports: string[]; formulaVersion: string } {
  const script =
    how === "require"
      ? `const m = require(${JSON.stringify(NAME)});
         console.log(JSON.stringify({ file: require.resolve(${JSON.stringify(NAME)}), exports: Object.keys(m).filter((k) => k !== "__esModule"), formulaVersion: m.FORMULA_VERSION }));`
      : `const m = await import(${JSON.stringify(NAME)});
         console.log(JSON.stringify({ file: import.meta.resolve(${JSON.stringify(NAME)}), exports: Object.keys(m), formulaVersion: m.FORMULA_VERSION }));`;
  const args = how === "require" ? ["-e", script] : ["--input-type=module", "-e", script];
  return JSON.parse(execFileSync(process.execPath, args, { cwd: CONSUMER, encoding: "utf8" }));
}

describe("the exports map", () => {
  const sourceExports = Object.keys(source).sort();

  it("gives `require` the CommonJS build, with every export of the sources", () => {
    const loaded = load("require");
    expect(loaded.file).toMatch(/packages\/rep-v1\/cjs\/index\.js$/);
    expect(loaded.exports.sort()).toEqual(sourceExports);
    expect(loaded.formulaVersion).toBe(source.FORMULA_VERSION);
  });

  it("gives `import` the ESM build, with every export of the sources", () => {
    const loaded = load("import");
    expect(loaded.file).toMatch(/packages\/rep-v1\/dist\/index\.js$/);
    expect(loaded.exports.sort()).toEqual(sourceExports);
    expect(loaded.formulaVersion).toBe(source.FORMULA_VERSION);
  });
});
