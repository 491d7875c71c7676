// Every shared package as its consumers load it (docs/decisions/010): Node's `require` (the CommonJS indexer) and
// `import` (the ESM API, bench and tests) each reach their own build through the exports map, and both builds
// export what the sources do, with the same constants. Needs the builds (npm install's postinstall, `tsc -b` or
// `npm run build -w packages/<name>`).
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as checksAttestation from "./checks/src/attestation/index.ts";
import * as checks from "./checks/src/index.ts";
import * as embeddedPostgres from "./embedded-postgres/src/index.ts";
import * as repV1 from "./rep-v1/src/index.ts";

/** A consumer's folder: the indexer, which declares the packages (npm links them into the root node_modules). */
const CONSUMER = fileURLToPath(new URL("../indexer/", import.meta.url));

/** Each entry point: its specifier, its sources, and its file within a build (packages/<dir>/{cjs,dist}/<file>). */
const ENTRIES: { specifier: string; source: Record<string, unknown>; dir: string; file: string }[] = [
  { specifier: "@attestation-explorer/rep-v1", source: repV1, dir: "rep-v1", file: "index.js" },
  { specifier: "@attestation-explorer/checks", source: checks, dir: "checks", file: "index.js" },
  {
    specifier: "@attestation-explorer/checks/attestation",
    source: checksAttestation,
    dir: "checks",
    file: "attestation/index.js",
  },
  {
    specifier: "@attestation-explorer/embedded-postgres",
    source: embeddedPostgres,
    dir: "embedded-postgres",
    file: "index.js",
  },
];

interface Loaded {
  file: string;
  exports: string[];
  /** The exports that are strings, numbers or booleans. */
  constants: Record<string, unknown>;
}

/** What plain Node (no vitest, no tsx) loads for `specifier` from CONSUMER, by `require` or by `import`. */
function load(specifier: string, how: "require" | "import"): Loaded {
  const name = JSON.stringify(specifier);
  const report = `const keys = Object.keys(m).filter((k) => k !== "__esModule");
    const constants = Object.fromEntries(keys.filter((k) => ["string", "number", "boolean"].includes(typeof m[k])).map((k) => [k, m[k]]));
    console.log(JSON.stringify({ file, exports: keys, constants }));`;
  const script =
    how === "require"
      ? `const m = require(${name}); const file = require.resolve(${name}); ${report}`
      : `const m = await import(${name}); const file = import.meta.resolve(${name}); ${report}`;
  const args = how === "require" ? ["-e", script] : ["--input-type=module", "-e", script];
  return JSON.parse(execFileSync(process.execPath, args, { cwd: CONSUMER, encoding: "utf8" }));
}

function constantsOf(source: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(source).filter(([, v]) => ["string", "number", "boolean"].includes(typeof v)),
  );
}

describe.each(ENTRIES)("the exports map of $specifier", ({ specifier, source, dir, file }) => {
  const sourceExports = Object.keys(source).sort();

  it.each([
    ["require", "cjs"],
    ["import", "dist"],
  ] as const)("gives `%s` its %s/ build, with every export and constant of the sources", (how, build) => {
    const loaded = load(specifier, how);
    expect(loaded.file).toContain(`packages/${dir}/${build}/${file}`);
    expect(loaded.exports.sort()).toEqual(sourceExports);
    expect(loaded.constants).toEqual(constantsOf(source));
  });
});
