// Builds the API to run: src/main.ts and the API's own modules as one ES module, dist/main.js (with its source
// map), every package left as an import resolved from node_modules at run time. `npm run api`, `npm start`, the
// API image and the tests' API processes run this file with `node --enable-source-maps --max-old-space-size=512`
// (api/package.json's `start`) instead of the sources under tsx, which kept ~55 MB more resident (tsx, esbuild's
// service, the transformed sources) and spent about 1.5 s more CPU starting (decision 012; BENCHMARKS.md, "the API
// as one built module").
//
// Written to a temporary name and renamed into place, so a process starting the API while another rebuilds it
// reads one whole file or the other. `node api/bundle.mjs --print-node-args` then prints, as a JSON array, Node's
// arguments that run the build as `npm run api` does (the last step of api/package.json's `start`, paths made
// absolute): `npm start` and the tests' API processes start it with those.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const API_DIR = dirname(fileURLToPath(import.meta.url));
export const API_BUNDLE = join(API_DIR, "dist/main.js");

export async function bundleApi() {
  const result = await build({
    absWorkingDir: API_DIR,
    entryPoints: [join(API_DIR, "src/main.ts")],
    outfile: API_BUNDLE,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    sourcemap: "linked",
    sourcesContent: false,
    // src/graphql/schema.ts finds api/schema.graphql from its own URL: one level up from dist/, not two.
    define: { API_BUNDLED: "true" },
    write: false,
    logLevel: "silent",
  });
  mkdirSync(dirname(API_BUNDLE), { recursive: true });
  for (const file of result.outputFiles) {
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
}

/** Node's arguments that run the build: the last step of api/package.json's `start` (`node <flags> <file>.js`). */
export function nodeArgs() {
  const { start } = JSON.parse(readFileSync(join(API_DIR, "package.json"), "utf8")).scripts;
  const [node, ...args] = String(start).split("&&").at(-1).trim().split(/\s+/);
  if (node !== "node") throw new Error(`api/package.json's start does not end with a node command: ${start}`);
  return args.map((a) => (a.endsWith(".js") ? join(API_DIR, a) : a));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    await bundleApi();
    if (process.argv.includes("--print-node-args")) console.log(JSON.stringify(nodeArgs()));
  } catch (err) {
    // esbuild's errors name the file, line and what is wrong.
    console.error(`api: build failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
