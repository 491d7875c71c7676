import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { COMPOSE_FILE } from "./compose.ts";
import { ROOT } from "./docker-context.ts";
import { REQUIRED_ENV } from "./fixtures.ts";

// `docker compose config` (Compose's own parser and interpolation; no engine needed) on docker-compose.yml, when
// this machine's Docker CLI has the compose plugin. Skipped otherwise, saying why; compose.test.ts checks the same
// file with this repository's own interpolation either way.

function composeAvailability(): { available: boolean; reason: string } {
  const r = spawnSync("docker", ["compose", "version"], { encoding: "utf8", timeout: 30_000 });
  if (r.error)
    return { available: false, reason: `no docker CLI (${(r.error as NodeJS.ErrnoException).code})` };
  if (r.status !== 0) {
    const why = (r.stderr || r.stdout).trim().split("\n")[0];
    return { available: false, reason: `the docker CLI has no compose plugin: "${why}"` };
  }
  return { available: true, reason: r.stdout.trim() };
}

const compose = composeAvailability();
const title = (what: string) => (compose.available ? what : `${what} (skipped: ${compose.reason})`);

// An empty --env-file, so that a developer's .env does not leak in, and an environment with only what is given.
const dir = mkdtempSync(join(tmpdir(), "deploy-compose-"));
const emptyEnvFile = join(dir, "empty.env");
writeFileSync(emptyEnvFile, "");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(env: Record<string, string | undefined>) {
  const clean: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? dir };
  if (process.env.DOCKER_CONFIG) clean.DOCKER_CONFIG = process.env.DOCKER_CONFIG;
  for (const [k, v] of Object.entries(env)) if (v !== undefined) clean[k] = v;
  return spawnSync(
    "docker",
    [
      "compose",
      "--project-directory",
      ROOT,
      "-f",
      join(ROOT, COMPOSE_FILE),
      "--env-file",
      emptyEnvFile,
      "config",
      "--format",
      "json",
    ],
    { cwd: ROOT, env: clean, encoding: "utf8", timeout: 60_000 },
  );
}

interface ResolvedService {
  image?: string;
  environment?: Record<string, string>;
  healthcheck?: { test?: string[] };
  depends_on?: Record<string, { condition: string }>;
  ports?: { target: number | string; published: number | string }[];
  volumes?: ({ type: string; source: string; target: string } | string)[];
}

describe("docker compose config", () => {
  it.skipIf(!compose.available)(
    title("resolves docker-compose.yml with the required variables: services, ports, health checks, roles"),
    () => {
      const r = config(REQUIRED_ENV);
      expect(r.status, r.stderr).toBe(0);
      const resolved = JSON.parse(r.stdout) as {
        services: Record<string, ResolvedService>;
        volumes?: Record<string, unknown>;
      };
      const s = resolved.services;
      expect(Object.keys(s).sort()).toEqual(["api", "db-init", "indexer", "postgres", "web"]);

      expect(s.postgres.image).toMatch(/^postgres:16/);
      const data = (s.postgres.volumes ?? []).map((v) =>
        typeof v === "string"
          ? v.replace(/:(rw|ro)$/, "")
          : `${v.type === "volume" ? v.source : "?"}:${v.target}`,
      );
      expect(data).toContain("pgdata:/var/lib/postgresql/data");
      expect(Object.keys(resolved.volumes ?? {})).toContain("pgdata");

      for (const name of ["postgres", "indexer", "api", "web"]) {
        expect(s[name].healthcheck?.test?.length ?? 0, `${name} health check`).toBeGreaterThan(0);
      }
      expect(s.api.healthcheck?.test?.join(" ")).toContain("/healthz");

      const published = (name: string) => (s[name].ports ?? []).map((p) => `${p.published}:${p.target}`);
      expect(published("api")).toEqual(["4000:4000"]);
      expect(published("web")).toEqual(["3000:3000"]);
      expect(s.postgres.ports ?? []).toEqual([]);

      expect(s.api.environment?.DATABASE_URL).toBe(
        `postgresql://explorer_reader:${REQUIRED_ENV.POSTGRES_READER_PASSWORD}@postgres:5432/explorer`,
      );
      expect(s.indexer.environment?.RPC_URL).toBe(REQUIRED_ENV.RPC_URL);
      expect(s.web.environment?.API_URL).toBe("http://api:4000/graphql");
      expect(s.web.depends_on?.api.condition).toBe("service_healthy");
      expect(s.api.depends_on?.indexer.condition).toBe("service_healthy");
      expect(s.indexer.depends_on?.["db-init"].condition).toBe("service_completed_successfully");
    },
  );

  it.skipIf(!compose.available)(
    title(
      "resolves the profile replica: standby, two API replicas on it, the explorer behind their balancer",
    ),
    () => {
      const r = config({
        ...REQUIRED_ENV,
        COMPOSE_PROFILES: "replica",
        EXPLORER_API_HOST: "api-replicas",
        POSTGRES_REPLICATION_PASSWORD: "replication-secret",
      });
      expect(r.status, r.stderr).toBe(0);
      const s = (JSON.parse(r.stdout) as { services: Record<string, ResolvedService> }).services;
      expect(Object.keys(s).sort()).toEqual(
        [
          "api",
          "api-1",
          "api-2",
          "api-replicas",
          "db-init",
          "indexer",
          "postgres",
          "postgres-standby",
          "web",
        ].sort(),
      );
      for (const name of ["api-1", "api-2"]) {
        expect(new URL(s[name].environment?.DATABASE_URL ?? "").hostname).toBe("postgres-standby");
        expect(s[name].depends_on?.["postgres-standby"].condition).toBe("service_healthy");
      }
      expect(s["postgres-standby"].environment?.PGPASSWORD).toBe("replication-secret");
      expect(s.web.environment?.API_URL).toBe("http://api-replicas:4000/graphql");
      expect(s.web.depends_on?.["api-replicas"].condition).toBe("service_healthy");
    },
  );

  it.skipIf(!compose.available)(title("refuses to resolve without a required variable, naming it"), () => {
    for (const name of ["RPC_URL", "SETTLEMENT_RELAY_ADDRESS", "POSTGRES_READER_PASSWORD"]) {
      const r = config({ ...REQUIRED_ENV, [name]: undefined });
      expect(r.status, name).not.toBe(0);
      expect(r.stderr).toContain(name);
    }
  });
});
