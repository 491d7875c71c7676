import type { TestProject } from "vitest/node";
import { startTestPostgres } from "./postgres.ts";

// vitest globalSetup of the api project: one Postgres for every test file (each file copies the template
// database), stopped when the run ends.

declare module "vitest" {
  export interface ProvidedContext {
    apiTestPostgres: { adminUrl: string; readerUrlTemplate: string };
  }
}

export default async function setup(project: TestProject) {
  const pg = await startTestPostgres();
  project.provide("apiTestPostgres", { adminUrl: pg.url(), readerUrlTemplate: pg.readerUrl("DATABASE") });
  return async () => {
    await pg.stop();
  };
}
