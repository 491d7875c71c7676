import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import {
  contextFiles,
  copySources,
  dockerignore,
  fileExists,
  type Instruction,
  parseDockerfile,
  ROOT,
  read,
  type Stage,
} from "./docker-context.ts";

// The three Dockerfiles and .dockerignore: multi-stage builds whose final stage is a slim Node 20 image running as
// `node` with a HEALTHCHECK and the same command as the package scripts; dependency stages that `npm ci` only the
// workspaces needed (production dependencies only in what ships); every file they copy present in the context.

const PARTS = ["indexer", "api", "web"] as const;
type Part = (typeof PARTS)[number];

const rootPackage = JSON.parse(read("package.json")) as {
  workspaces: string[];
  scripts: Record<string, string>;
};
const ignored = dockerignore(read(".dockerignore"));

/** The workspaces in packages/ that `part` declares as production dependencies (their folders). */
function sharedPackagesOf(part: Part): string[] {
  const nameOf = (w: string) => (JSON.parse(read(`${w}/package.json`)) as { name: string }).name;
  const { dependencies } = JSON.parse(read(`${part}/package.json`)) as {
    dependencies: Record<string, string>;
  };
  return rootPackage.workspaces.filter((w) => w.startsWith("packages/") && nameOf(w) in dependencies);
}

function load(part: Part) {
  const parsed = parseDockerfile(read(`${part}/Dockerfile`));
  const args = Object.fromEntries(
    parsed.globalArgs.map((a) => {
      const [name, value = ""] = a.split("=");
      return [name, value];
    }),
  );
  const image = (from: string) =>
    from.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_m, n: string) => args[n] ?? "");
  return { ...parsed, image, final: parsed.stages.at(-1) as Stage };
}

const runs = (stage: Stage): string[] =>
  stage.instructions.filter((i) => i.keyword === "RUN").map((i) => i.args.replace(/^(--\S+\s+)*/, ""));

/** The `npm ci` invocations of a stage, each as its list of arguments. */
const npmCis = (stage: Stage): string[][] =>
  runs(stage).flatMap((r) =>
    r
      .split(/&&|;/)
      .map((c) => c.trim().split(/\s+/))
      .filter((w) => w[0] === "npm" && w[1] === "ci"),
  );

/** `-w x` / `--workspace=x` arguments of a command. */
function workspaces(words: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    if (words[i] === "-w" || words[i] === "--workspace") out.push(words[i + 1]);
    const m = /^--workspace=(.+)$/.exec(words[i]);
    if (m) out.push(m[1]);
  }
  return out;
}

/** The exec-form CMD of a stage and the WORKDIR in force when it runs. */
function command(stage: Stage): { cmd: string[]; workdir: string } {
  let workdir = "/";
  let cmd: string[] = [];
  for (const i of stage.instructions) {
    if (i.keyword === "WORKDIR") workdir = i.args.startsWith("/") ? i.args : join(workdir, i.args);
    if (i.keyword === "CMD") cmd = JSON.parse(i.args) as string[];
  }
  return { cmd, workdir };
}

const lastIndex = (stage: Stage, pred: (i: Instruction) => boolean) => stage.instructions.findLastIndex(pred);

describe.each(PARTS)("%s/Dockerfile", (part) => {
  const df = load(part);

  it("is multi-stage, its final stage a slim Node 20 image", () => {
    expect(df.stages.length).toBeGreaterThanOrEqual(2);
    expect(df.image(df.final.from)).toMatch(
      /^node:20([.-][^:]*)?-(slim|alpine)$|^node:20[.\d]*-[a-z]+-slim$/,
    );
    for (const s of df.stages) expect(df.image(s.from), `stage ${s.name}`).toMatch(/^node:20\b/);
  });

  it("runs as the unprivileged node user in its final stage", () => {
    const user = lastIndex(df.final, (i) => i.keyword === "USER");
    expect(user, "a USER instruction").toBeGreaterThanOrEqual(0);
    const name = df.final.instructions[user].args.split(":")[0];
    expect(name).not.toMatch(/^(root|0)$/);
    expect(name).toBe("node");
    expect(user, "USER before CMD").toBeLessThan(lastIndex(df.final, (i) => i.keyword === "CMD"));
    expect(
      lastIndex(df.final, (i) => i.keyword === "RUN"),
      "nothing RUN after USER",
    ).toBeLessThan(user);
  });

  it("has a HEALTHCHECK in its final stage that fetches a local HTTP endpoint", () => {
    const check = df.final.instructions.find((i) => i.keyword === "HEALTHCHECK");
    expect(check, "HEALTHCHECK").toBeDefined();
    expect(check?.args).not.toMatch(/^NONE\b/i);
    expect(check?.args).toMatch(/\bCMD\b/);
    expect(check?.args).toMatch(/fetch\('http:\/\/127\.0\.0\.1:/);
    // curl and wget are not in the slim images: the check must use node.
    expect(check?.args).not.toMatch(/\b(curl|wget)\b/);
  });

  it("installs dependencies with npm ci --ignore-scripts, for existing workspaces only", () => {
    const all = df.stages.flatMap(npmCis);
    expect(all.length).toBeGreaterThan(0);
    for (const words of all) {
      expect(words, words.join(" ")).toContain("--ignore-scripts");
      expect(workspaces(words).length, `${words.join(" ")} names its workspaces`).toBeGreaterThan(0);
      for (const w of workspaces(words)) expect(rootPackage.workspaces).toContain(w);
    }
    expect(all.some((w) => workspaces(w).includes(part))).toBe(true);
  });

  it("ships only production dependencies: no npm in the final stage, node_modules from an --omit=dev stage", () => {
    expect(runs(df.final).join("\n")).not.toMatch(/\bnpm\b/);
    // Stages whose node_modules the final stage takes (their whole /app, or a node_modules folder).
    const fromStages = df.final.instructions
      .filter((i) => i.keyword === "COPY")
      .map((i) => copySources(i.args))
      .filter((c) => c.from && c.sources.some((s) => /^\/app\/?$|node_modules/.test(s)))
      .map((c) => c.from);
    const depStages = df.stages.filter((s) => s.name && fromStages.includes(s.name));
    expect(depStages.length, "a dependency stage copied into the final one").toBeGreaterThan(0);
    for (const s of depStages) expect(npmCis(s).length, `${s.name} runs npm ci`).toBeGreaterThan(0);
    for (const s of depStages) {
      for (const words of npmCis(s)) {
        expect(words, `${s.name}: ${words.join(" ")}`).toContain("--omit=dev");
        expect(words).not.toContain("--include-workspace-root");
        expect(workspaces(words)).toEqual([part]);
      }
    }
    // No whole-context copy into what ships.
    for (const i of df.final.instructions.filter((i) => i.keyword === "COPY")) {
      const { from, sources } = copySources(i.args);
      if (!from) expect(sources, i.args).not.toContain(".");
    }
  });

  it("copies from earlier stages only, and from the context only files that exist and .dockerignore keeps", () => {
    const context = contextFiles();
    df.stages.forEach((stage, index) => {
      const earlier = df.stages.slice(0, index).map((s) => s.name);
      for (const i of stage.instructions.filter((i) => i.keyword === "COPY" || i.keyword === "ADD")) {
        const { from, sources } = copySources(i.args);
        if (from) {
          expect(earlier, `${stage.name}: ${i.args}`).toContain(from);
          continue;
        }
        expect(i.keyword, "COPY, not ADD").toBe("COPY");
        for (const src of sources) {
          const path = src.replace(/^\.\/?/, "").replace(/\/$/, "");
          if (path === "") continue;
          expect(fileExists(path), `${part}/Dockerfile copies ${src}, which exists`).toBe(true);
          expect(ignored(path), `${src} is not excluded by .dockerignore`).toBe(false);
          expect(
            context.some((f) => f === path || f.startsWith(`${path}/`)),
            `${src} has files in the build context`,
          ).toBe(true);
        }
      }
    });
  });

  it("copies every workspace manifest and the lockfile into the dependency stages (npm ci needs them all)", () => {
    const manifests = df.stages.find((s) => s.name === "manifests");
    expect(manifests, "a manifests stage").toBeDefined();
    const script = runs(manifests as Stage).join("\n");
    expect(script).toContain("package-lock.json");
    expect(script).toMatch(/find \. -maxdepth 3 -name package\.json/);
    for (const w of rootPackage.workspaces) {
      expect(
        /^(packages\/)?[^/*]+$/.test(w),
        `workspace ${w} is a top-level folder or one in packages/ (found by -maxdepth 3)`,
      ).toBe(true);
      expect(ignored(`${w}/package.json`), `${w}/package.json in the context`).toBe(false);
    }
    expect(ignored("package-lock.json")).toBe(false);
  });
});

describe("what each image runs", () => {
  it("runs each step of the root postinstall in the image that needs it, in postinstall order", () => {
    // The builds use `npm ci --ignore-scripts`, so they must run the postinstall's steps themselves. The
    // contracts' artifacts are the indexer's ABIs; the shared packages are built for the images that import them.
    const imagesOf: Record<string, Part[]> = {
      "packages/rep-v1": ["indexer", "api"],
      "packages/checks": ["indexer", "api"],
      "packages/rep-history": ["indexer", "api"],
      "packages/embedded-postgres": ["indexer", "api"],
      contracts: ["indexer"],
      indexer: ["indexer"],
      api: ["api"],
      web: ["web"],
    };
    const steps = rootPackage.scripts.postinstall.split("&&").map((s) => s.trim());
    expect(steps.length).toBeGreaterThanOrEqual(3);
    const at: Partial<Record<Part, number>> = {};
    for (const step of steps) {
      const stepWorkspaces = workspaces(step.split(/\s+/));
      for (const w of stepWorkspaces)
        expect(imagesOf[w], `"${step}": ${w} belongs to an image`).toBeDefined();
      const parts = [...new Set(stepWorkspaces.flatMap((w) => imagesOf[w] ?? []))];
      for (const part of parts) {
        const build = runs(load(part).stages.find((s) => s.name === "build") as Stage).join(" && ");
        const found = build.indexOf(step, (at[part] ?? -1) + 1);
        expect(
          found,
          `${part}/Dockerfile's build stage runs "${step}" (in postinstall order)`,
        ).toBeGreaterThan(at[part] ?? -1);
        at[part] = found;
      }
    }
    expect(at.indexer, "the indexer image builds the contracts and the indexer").toBeDefined();
  });

  it("indexer: `node --max-old-space-size=768 indexer/lib/main.js` from the repository root", () => {
    const df = load("indexer");
    const { cmd, workdir } = command(df.final);
    const script = rootPackage.scripts.indexer.split("&&").at(-1)?.trim();
    expect(cmd.join(" ")).toBe(script);
    expect(workdir).toBe("/app");
    const copied = df.final.instructions
      .filter((i) => i.keyword === "COPY")
      .map((i) => copySources(i.args).sources);
    expect(copied.flat()).toEqual(expect.arrayContaining(["/app/indexer/lib", "indexer/db"]));
  });

  it("api: `npm run start -w api`'s command from api/, on the build its build stage made", () => {
    const df = load("api");
    const apiPackage = JSON.parse(read("api/package.json")) as {
      scripts: Record<string, string>;
      dependencies: Record<string, string>;
    };
    const { cmd, workdir } = command(df.final);
    // `start` builds (api/bundle.mjs), then runs the build: the image runs the second half on the first's output.
    const [buildStep, runStep] = apiPackage.scripts.start.split("&&").map((s) => s.trim());
    expect(buildStep).toBe(apiPackage.scripts.build);
    expect(cmd.join(" ")).toBe(runStep);
    expect(workdir).toBe("/app/api");
    const built = cmd.find((a) => a.endsWith(".js")) as string;
    const copied = df.final.instructions
      .filter((i) => i.keyword === "COPY")
      .flatMap((i) => copySources(i.args).sources.map((s) => s.replace(/\/$/, "")));
    expect(copied, `the final stage copies ${built}'s folder from the build stage`).toContain(
      `/app/api/${built.split("/")[0]}`,
    );
    expect(runs(df.stages.find((s) => s.name === "build") as Stage)).toContain("npm run build -w api");
    // What ships runs with Node alone: neither tsx nor esbuild is installed by `npm ci --omit=dev`.
    expect(cmd).not.toContain("--import");
    for (const tool of ["tsx", "esbuild"]) expect(apiPackage.dependencies[tool], tool).toBeUndefined();
  });

  it("api: imports no indexer source; the image holds the ESM build of every shared package it declares", () => {
    const df = load("api");
    const copied = df.final.instructions
      .filter((i) => i.keyword === "COPY")
      .flatMap((i) => copySources(i.args).sources.map((s) => s.replace(/\/$/, "")));
    // The indexer's code that the API uses lives in shared packages (docs/decisions/010), never imported by path.
    const indexerImports: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
        const path = `${dir}/${e.name}`;
        if (e.isDirectory()) walk(path);
        else if (/\.ts$/.test(e.name) && !/\.test\.ts$/.test(e.name) && !path.includes("/testing/")) {
          for (const m of read(path).matchAll(/from\s+"((?:\.\.\/)+indexer\/[^"]+)"/g)) {
            indexerImports.push(`${path}: ${m[1]}`);
          }
        }
      }
    };
    walk("api/src");
    expect(indexerImports).toEqual([]);
    const shared = sharedPackagesOf("api");
    expect(shared.length).toBeGreaterThan(0);
    for (const dir of shared)
      expect(copied, `api/Dockerfile copies ${dir}/dist`).toContain(`/app/${dir}/dist`);
    expect(copied).toEqual(expect.arrayContaining(["/app/api/dist", "api/schema.graphql"]));
  });

  it("indexer: the image holds the CommonJS build of every shared package the indexer declares", () => {
    const copied = load("indexer")
      .final.instructions.filter((i) => i.keyword === "COPY")
      .flatMap((i) => copySources(i.args).sources.map((s) => s.replace(/\/$/, "")));
    const shared = sharedPackagesOf("indexer");
    expect(shared.length).toBeGreaterThan(0);
    for (const dir of shared)
      expect(copied, `indexer/Dockerfile copies ${dir}/cjs`).toContain(`/app/${dir}/cjs`);
  });

  it("web: `npm run start -w web`'s command from web/, after `npm run build -w web`", () => {
    const df = load("web");
    const webPackage = JSON.parse(read("web/package.json")) as { scripts: Record<string, string> };
    const build = df.stages.find((s) => s.name === "build") as Stage;
    expect(runs(build).join("\n")).toContain("npm run build -w web");
    const { cmd, workdir } = command(df.final);
    expect(cmd.join(" ")).toBe(webPackage.scripts.start);
    expect(workdir).toBe("/app/web");
    const fromBuild = df.final.instructions
      .filter((i) => i.keyword === "COPY" && copySources(i.args).from === "build")
      .flatMap((i) => copySources(i.args).sources);
    expect(fromBuild).toContain("/app/web/build");
  });

  it("sets the listen address to every interface and NODE_ENV to production where the part reads them", () => {
    const env = (part: Part) =>
      load(part)
        .final.instructions.filter((i) => i.keyword === "ENV")
        .map((i) => i.args)
        .join(" ");
    expect(env("api")).toMatch(/\bAPI_HOST=0\.0\.0\.0\b/);
    expect(env("web")).toMatch(/\bWEB_HOST=0\.0\.0\.0\b/);
    expect(env("indexer")).toMatch(/\bPROMETHEUS_PORT=\d+\b/);
    for (const part of PARTS) expect(env(part)).toMatch(/\bNODE_ENV=production\b/);
  });
});

describe(".dockerignore", () => {
  it("keeps dependencies, local state, build outputs and secrets out of the build context", () => {
    for (const path of [
      "node_modules",
      "node_modules/x/index.js",
      "api/node_modules/graphql/index.js",
      "web/node_modules/.bin/remix",
      ".data",
      ".data/postgres/PG_VERSION",
      ".env",
      ".env.production",
      ".git",
      "indexer/lib/main.js",
      "indexer/src/model/generated/node.model.ts",
      "indexer/src/abi/TEERegistry.ts",
      "contracts/out/TEERegistry.json",
      "web/build/server/index.js",
      "indexer/tsconfig.tsbuildinfo",
    ]) {
      expect(ignored(path), path).toBe(true);
    }
  });

  it("keeps what the builds need", () => {
    for (const path of [
      ".env.example",
      "package.json",
      "package-lock.json",
      "tsconfig.base.json",
      "contracts/src",
      "indexer/schema.graphql",
      "indexer/db/migrations",
      "indexer/src/main.ts",
      "api/src/main.ts",
      "web/server.mjs",
      "web/app/root.tsx",
      "web/app/lib/config.server.ts",
    ]) {
      expect(ignored(path), path).toBe(false);
    }
  });
});

describe("the API image and the indexer sources the API imports", () => {
  // The API's build (api/bundle.mjs) takes in its own sources and any indexer source they import, and leaves every
  // package an import: every package those sources import, directly or through each other, must be a dependency
  // of the API's workspace, as its deps stage installs `-w api --omit=dev` only.
  const importsOf = (file: string) =>
    [...read(file).matchAll(/^(?:import|export)[^"']*?from\s+["']([^"']+)["']/gm)]
      .filter((m) => !/^import\s+type\b|^export\s+type\b/.test(m[0]))
      .map((m) => m[1]);
  const apiFiles = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory()
        ? apiFiles(join(dir, e.name))
        : e.name.endsWith(".ts") && !e.name.endsWith(".test.ts")
          ? [join(dir, e.name)]
          : [],
    );
  const indexerFiles = new Set<string>();
  const visit = (file: string) => {
    for (const spec of importsOf(file)) {
      if (!spec.startsWith(".")) continue;
      const target = relative(ROOT, join(ROOT, file, "..", spec));
      if (!target.startsWith("indexer/") || indexerFiles.has(target)) continue;
      indexerFiles.add(target);
      visit(target);
    }
  };
  for (const file of apiFiles("api/src")) visit(file);

  it("declares every package they import as a dependency of the API", () => {
    const api = JSON.parse(read("api/package.json")) as { dependencies: Record<string, string> };
    for (const file of indexerFiles) {
      for (const spec of importsOf(file)) {
        if (spec.startsWith(".") || spec.startsWith("node:")) continue;
        const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
        expect(api.dependencies[name], `${file} imports ${name}`).toBeDefined();
      }
    }
  });
});
