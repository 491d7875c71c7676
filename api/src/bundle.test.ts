import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

// The API as it runs (api/bundle.mjs -> api/dist/main.js): its own modules in one file, every package an import
// that Node resolves from node_modules, so each must be a production dependency (the image installs no others).

const API_DIR = fileURLToPath(new URL("../", import.meta.url));
const BUILT = join(API_DIR, "dist/main.js");

describe("the built API", () => {
  let text = "";
  beforeAll(() => {
    execFileSync(process.execPath, [join(API_DIR, "bundle.mjs")], { stdio: "pipe" });
    text = readFileSync(BUILT, "utf8");
  });

  it("holds the API's own modules, none left as a TypeScript import", () => {
    const specifiers = [...text.matchAll(/^import\s[^;]*?from\s+"([^"]+)";?$/gm)].map((m) => m[1]);
    expect(specifiers.length).toBeGreaterThan(5);
    expect(specifiers.filter((s) => s.startsWith(".") || s.endsWith(".ts"))).toEqual([]);
    expect(text).toContain("// src/server/app.ts");
  });

  it("imports only Node's modules and the API's production dependencies", () => {
    const pkg = JSON.parse(readFileSync(join(API_DIR, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    const builtins = new Set(builtinModules);
    const imported = new Set(
      [...text.matchAll(/^import\s[^;]*?from\s+"([^"]+)";?$/gm), ...text.matchAll(/\bimport\("([^"]+)"\)/g)]
        .map((m) => m[1])
        .filter((s) => !s.startsWith("node:") && !builtins.has(s))
        .map((s) => (s.startsWith("@") ? s.split("/").slice(0, 2).join("/") : s.split("/")[0])),
    );
    expect([...imported].filter((name) => !(name in pkg.dependencies))).toEqual([]);
  });

  it("--print-node-args gives `npm run api`'s node arguments, its file made absolute", () => {
    const printed = JSON.parse(
      execFileSync(process.execPath, [join(API_DIR, "bundle.mjs"), "--print-node-args"], {
        encoding: "utf8",
      }),
    ) as string[];
    const pkg = JSON.parse(readFileSync(join(API_DIR, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    const run = (pkg.scripts.start.split("&&").at(-1) as string).trim().split(/\s+/);
    expect(run[0]).toBe("node");
    expect(printed).toEqual([...run.slice(1, -1), BUILT]);
    expect(printed).toContain("--max-old-space-size=512");
  });

  it("starts under Node alone and fails on bad configuration with the list of what is wrong", () => {
    const run = spawnSync(process.execPath, ["--enable-source-maps", BUILT], {
      env: { PATH: process.env.PATH, API_PORT: "not-a-port", DATABASE_URL: "postgres://x@127.0.0.1:1/x" },
      encoding: "utf8",
      timeout: 30_000,
    });
    // Every package was resolved and loaded (ES imports come first), then the configuration was refused.
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("invalid API configuration");
    expect(run.stderr).toContain("API_PORT");
    expect(run.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find/);
  });
});
