import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { generate } from "@graphql-codegen/cli";
import { expect, test } from "vitest";
import config from "../../codegen";

// The explorer's operation types (app/generated/graphql.ts) must match api/schema.graphql and app/models/*.graphql.
// `npm run codegen -w web` regenerates them (`npm run codegen:check -w web` is the same check from the command line).

test("the generated operation types are current (run npm run codegen -w web when this fails)", async () => {
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const generates = Object.fromEntries(
    Object.entries(config.generates).map(([file, spec]) => [`${root}${file}`, spec]),
  );
  const outputs = await generate(
    {
      ...config,
      schema: `${root}${config.schema}`,
      documents: `${root}${config.documents}`,
      generates,
      cwd: root,
      silent: true,
    },
    false,
  );
  expect(outputs.length).toBe(Object.keys(generates).length);
  for (const output of outputs) {
    expect(readFileSync(output.filename, "utf8"), `${output.filename} is stale`).toBe(output.content);
  }
}, 60_000);
