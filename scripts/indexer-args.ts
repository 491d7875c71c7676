import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

// How the indexer is run, written once: the last step of the root package.json's `indexer` script (`npm run
// indexer`), e.g. `node --max-old-space-size=768 indexer/lib/main.js`. `npm start` and the indexer bench start it
// with these arguments; the indexer image's CMD is checked against the same step (deploy/dockerfiles.test.ts).

const ROOT_PACKAGE = fileURLToPath(new URL("../package.json", import.meta.url));

/** Node's arguments for the indexer (flags, then the script, relative to the repository root). */
export function indexerNodeArgs(): string[] {
  const pkg = JSON.parse(readFileSync(ROOT_PACKAGE, "utf8")) as { scripts?: Record<string, string> };
  const step = pkg.scripts?.indexer?.split("&&").at(-1)?.trim().split(/\s+/) ?? [];
  if (step[0] !== "node" || !step.at(-1)?.endsWith(".js"))
    throw new Error(
      `package.json's indexer script should end in "node [flags] <script>.js", got ${pkg.scripts?.indexer}`,
    );
  return step.slice(1);
}
