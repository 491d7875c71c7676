import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { startTestPostgres } from "./postgres.ts";

// vitest globalSetup of the api project: the compiled indexer up to date (the tests' data is written by its batch
// handler: seed-through-handler.ts), and one Postgres for every test file (each file copies the template
// database), stopped when the run ends.

declare module "vitest" {
  export interface ProvidedContext {
    apiTestPostgres: { adminUrl: string; readerUrlTemplate: string };
  }
}

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** `tsc -b indexer` (incremental: seconds when nothing changed), as `npm run build -w indexer`. */
function buildIndexer(): void {
  const tsc = spawnSync(`${ROOT}node_modules/.bin/tsc`, ["-b", "indexer"], { cwd: ROOT, encoding: "utf8" });
  if (tsc.status !== 0)
    throw new Error(
      `the indexer (whose handler seeds the tests' data) does not build:\n${tsc.stdout}${tsc.stderr}`,
    );
}

export default async function setup(project: TestProject) {
  buildIndexer();
  const pg = await startTestPostgres();
  project.provide("apiTestPostgres", { adminUrl: pg.url(), readerUrlTemplate: pg.readerUrl("DATABASE") });
  return async () => {
    await pg.stop();
  };
}
