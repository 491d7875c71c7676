import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { indexerNodeArgs } from "./indexer-args.ts";

test("the indexer's node arguments are the last step of `npm run indexer`, heap bound included", () => {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  const args = indexerNodeArgs();
  expect(`node ${args.join(" ")}`).toBe(pkg.scripts.indexer.split("&&").at(-1).trim());
  expect(args.at(-1)).toBe("indexer/lib/main.js");
  expect(args.some((a) => a.startsWith("--max-old-space-size="))).toBe(true);
});
