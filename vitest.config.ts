import { defineConfig } from "vitest/config";

// One runner for the whole repository: each workspace is a project, so `npm test` reports one total.
export default defineConfig({
  test: {
    projects: [
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
    ],
  },
});
