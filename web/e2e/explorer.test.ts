/**
 * The explorer in a real browser against a real stack (devnet + simulator, indexer, API, web server; see
 * support/stack.ts), started once for every suite in this file. Screenshots of every page type go to
 * web/e2e/artifacts/ (light and dark, desktop and phone).
 */
import { afterAll, beforeAll } from "vitest";
import { accessibilityTests } from "./suites/accessibility.ts";
import {
  checkYourselfTests,
  errorTests,
  hostileInputTests,
  leaderboardTests,
  liveTests,
  searchTests,
  trailTests,
} from "./suites/interactions.ts";
import { listTests } from "./suites/lists.ts";
import { pageTypeTests } from "./suites/pages.ts";
import { pageDetailTests, searchAndChartTests } from "./suites/search-and-charts.ts";
import { securityTests } from "./suites/security.ts";
import { twoContractTests } from "./suites/two-contracts.ts";
import { e2e } from "./support/context.ts";
import { findSamples } from "./support/samples.ts";
import { startStack } from "./support/stack.ts";

beforeAll(async () => {
  e2e.stack = await startStack((line) => console.log(line));
  e2e.samples = await findSamples(e2e.stack);
}, 300_000);

afterAll(async () => {
  await e2e.stack?.close();
});

pageTypeTests();
accessibilityTests();
leaderboardTests();
listTests();
searchTests();
searchAndChartTests();
pageDetailTests();
trailTests();
checkYourselfTests();
hostileInputTests();
securityTests();
errorTests();
// Before liveTests: the two-contract indexer reads the chain as the other tests see it.
twoContractTests();
// Last: it mines more blocks.
liveTests();
