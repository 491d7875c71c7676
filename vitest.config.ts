import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// One runner for the whole repository: each workspace is a project, so `npm test` reports one total.
export default defineConfig({
  test: {
    projects: [
      {
        // The shared workspace packages (packages/*), each tested from its sources; e2e/ folders start real
        // servers (embedded-postgres: Postgres); exports.test.ts loads every package's builds as consumers do.
        test: {
          name: "packages",
          root: "./packages",
          include: ["exports.test.ts", "*/src/**/*.test.ts", "*/e2e/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: "contracts",
          root: "./contracts",
          include: ["src/**/*.test.ts", "test/**/*.test.ts", "e2e/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: "devnet",
          root: "./devnet",
          include: ["src/**/*.test.ts", "e2e/**/*.test.ts"],
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: "indexer",
          root: "./indexer",
          include: ["src/**/*.test.ts", "e2e/**/*.test.ts"],
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
      {
        // graphql 16 ships CommonJS (index.js) and ESM (index.mjs) copies; Node and Apollo Server load the
        // CommonJS one, so the API's sources must too, or schema objects come from two realms of graphql-js.
        resolve: { alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }] },
        test: {
          name: "api",
          root: "./api",
          include: ["src/**/*.test.ts", "e2e/**/*.test.ts"],
          // One Postgres (the indexer's embedded server, its migrations applied) for every file of the project.
          globalSetup: ["./src/testing/global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        // The explorer's sources import each other as ~/… (web/vite.config.ts).
        resolve: {
          alias: [{ find: /^~\//, replacement: fileURLToPath(new URL("./web/app/", import.meta.url)) }],
        },
        test: {
          name: "web",
          root: "./web",
          include: ["app/**/*.test.ts", "e2e/**/*.test.ts"],
          // One stack (devnet, indexer, API, explorer, chromium) for the browser tests: a single file starts it.
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // Pages re-render after client-side navigations; on 2 busy cores that can take seconds.
          expect: { poll: { timeout: 10_000 } },
        },
      },
      {
        // docker-compose.yml, the Dockerfiles and .env.example checked together (docs/deploy.md).
        test: {
          name: "deploy",
          root: "./deploy",
          include: ["**/*.test.ts"],
          testTimeout: 60_000,
        },
      },
      {
        // `npm start` in a fresh clone (scripts/e2e): npm ci, two starts, two Ctrl-Cs; several minutes on 2 cores.
        test: {
          name: "scripts",
          root: "./scripts",
          include: ["e2e/**/*.test.ts", "**/*.test.ts"],
          exclude: ["**/node_modules/**"],
          testTimeout: 300_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
