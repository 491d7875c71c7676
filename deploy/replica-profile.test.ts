import { READER_ROLE } from "@attestation-explorer/embedded-postgres";
import { describe, expect, it } from "vitest";
import { dependenciesOf, environmentOf, loadCompose, resolveCompose, variableRefs } from "./compose.ts";
import { fileExists, read } from "./docker-context.ts";
import { apiConfigVariables, REQUIRED_ENV } from "./fixtures.ts";

// docker-compose.yml's profile `replica` (docs/deploy.md, "Replicas"): a streaming standby of postgres, two API
// replicas reading it, a load balancer in front of them that the explorer uses. Checked as written and resolved
// here; compose-config.test.ts has Compose itself resolve it where the CLI has the compose plugin.

const compose = loadCompose();
const services = compose.services;
const REPLICA_ENV = {
  ...REQUIRED_ENV,
  POSTGRES_REPLICATION_PASSWORD: "replication-secret",
  EXPLORER_API_HOST: "api-replicas",
};
const resolved = resolveCompose(compose, REPLICA_ENV);
const PROFILED = ["postgres-standby", "api-1", "api-2", "api-replicas"];
const API_REPLICAS = ["api-1", "api-2"];

const mountsOf = (name: string) =>
  (services[name].volumes ?? []).map((v) => (typeof v === "string" ? v : `${v.source}:${v.target}`));
const script = (name: string) => {
  const c = resolved.services[name].command;
  return Array.isArray(c) ? c.join("\n") : (c ?? "");
};

describe("docker-compose.yml: profile replica", () => {
  it("adds a standby, two API replicas and their load balancer, only with the profile", () => {
    const profiled = Object.keys(services).filter((n) => services[n].profiles);
    expect(profiled.sort()).toEqual([...PROFILED].sort());
    for (const name of PROFILED) expect(services[name].profiles).toEqual(["replica"]);
  });

  it("starts the standby from a base backup of postgres that streams as the role replicator", () => {
    const standby = services["postgres-standby"];
    expect(standby.image).toBe(services.postgres.image);
    expect(dependenciesOf(standby)).toEqual({
      postgres: "service_healthy",
      "db-init": "service_completed_successfully",
    });
    expect(environmentOf(resolved.services["postgres-standby"]).PGPASSWORD).toBe("replication-secret");
    const mounts = mountsOf("postgres-standby");
    expect(mounts).toContain("pgdata-standby:/var/lib/postgresql/data");
    expect(Object.keys(compose.volumes ?? {})).toContain("pgdata-standby");
    const file = mounts.find((m) => m.endsWith(":/usr/local/bin/standby.sh:ro"))?.split(":")[0] ?? "";
    expect(fileExists(file.replace(/^\.\//, ""))).toBe(true);
    const text = read(file.replace(/^\.\//, ""));
    expect(text).toMatch(
      /pg_basebackup -h postgres -p 5432 -U replicator -D "\$PGDATA" -R -X stream -C -S standby_1/,
    );
    expect(text).toContain("exec docker-entrypoint.sh postgres");
    expect([services["postgres-standby"].healthcheck?.test ?? []].flat().join(" ")).toContain(
      "pg_isready -h 127.0.0.1",
    );
  });

  it("lets replicator stream from the primary: its role from db-init, its pg_hba line at initialisation", () => {
    const init = script("db-init");
    expect(init).toMatch(/-v replication_password="\$\{POSTGRES_REPLICATION_PASSWORD\}"/);
    expect(init).toMatch(/\\if :with_replication[\s\S]*CREATE ROLE replicator[\s\S]*\\endif/);
    expect(init).toMatch(
      /ALTER ROLE replicator WITH LOGIN REPLICATION NOSUPERUSER[^;]*PASSWORD :'replication_password'/,
    );
    expect(environmentOf(resolved.services["db-init"]).POSTGRES_REPLICATION_PASSWORD).toBe(
      "replication-secret",
    );
    // Without the profile's password, no role: the default deployment has no replication login.
    expect(
      environmentOf(resolveCompose(compose, REQUIRED_ENV).services["db-init"]).POSTGRES_REPLICATION_PASSWORD,
    ).toBe("");
    const hba = mountsOf("postgres").find((m) => m.includes("/docker-entrypoint-initdb.d/"));
    expect(hba).toBeDefined();
    expect(read((hba ?? "").split(":")[0].replace(/^\.\//, ""))).toContain(
      "host replication replicator all scram-sha-256",
    );
  });

  it("runs two API replicas on the standby as the read-only role, trusting only the balancer's hop", () => {
    const known = apiConfigVariables();
    for (const name of API_REPLICAS) {
      const s = resolved.services[name];
      expect(services[name].image).toBe(services.api.image);
      expect(services[name].build).toEqual(services.api.build);
      const env = environmentOf(s);
      const url = new URL(env.DATABASE_URL);
      expect(url.hostname).toBe("postgres-standby");
      expect(decodeURIComponent(url.username)).toBe(READER_ROLE);
      expect(decodeURIComponent(url.password)).toBe(REQUIRED_ENV.POSTGRES_READER_PASSWORD);
      expect(JSON.stringify(s)).not.toContain(REQUIRED_ENV.POSTGRES_PASSWORD);
      expect(env).toMatchObject({ API_HOST: "0.0.0.0", NODE_ENV: "production", TRUST_PROXY: "true" });
      expect(env.SUBSCRIPTION_SOURCE, "auto: the standby is detected").toBeUndefined();
      for (const key of Object.keys(env)) expect(known, `${name} reads ${key}`).toContain(key);
      expect(s.ports ?? [], `${name} is not published`).toEqual([]);
      expect(dependenciesOf(services[name])).toMatchObject({ "postgres-standby": "service_healthy" });
      expect([services[name].healthcheck?.test ?? []].flat().join(" ")).toContain("/healthz");
    }
  });

  it("puts the replicas behind a balancer that retries a 503 on the other, and points the explorer at it", () => {
    const lb = services["api-replicas"];
    expect(dependenciesOf(lb)).toEqual({ "api-1": "service_healthy", "api-2": "service_healthy" });
    const conf = mountsOf("api-replicas").find((m) => m.includes("/etc/nginx/templates/"));
    const text = read((conf ?? "").split(":")[0].replace(/^\.\//, ""));
    expect(text).toMatch(/server api-1:\$\{API_PORT\}/);
    expect(text).toMatch(/server api-2:\$\{API_PORT\}/);
    expect(text).toMatch(/proxy_next_upstream [^;]*http_503[^;]*non_idempotent/);
    expect(text).toMatch(/proxy_set_header Upgrade \$http_upgrade/);
    expect(text).toMatch(/proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for/);

    const web = environmentOf(resolved.services.web);
    expect(web.API_URL).toBe(
      `http://api-replicas:${environmentOf(resolved.services["api-1"]).API_PORT}/graphql`,
    );
    const dep = (services.web.depends_on as Record<string, { condition?: string; required?: boolean }>)[
      "api-replicas"
    ];
    expect(dep).toEqual({ condition: "service_healthy", required: false });
    // Without the profile the explorer keeps using the api service.
    expect(environmentOf(resolveCompose(compose, REQUIRED_ENV).services.web).API_URL).toBe(
      "http://api:4000/graphql",
    );
  });

  it("gives the profile's variables defaults, so a deployment without it needs none of them", () => {
    const refs = variableRefs(compose).filter((r) =>
      [
        "POSTGRES_REPLICATION_PASSWORD",
        "EXPLORER_API_HOST",
        "SUBSCRIPTION_POLL_MS",
        "MIN_HEIGHT_WAIT_MS",
      ].includes(r.name),
    );
    expect(refs.length).toBeGreaterThan(0);
    for (const r of refs) expect(r.operator, `${r.name} at ${r.path}`).toBe(":-");
  });
});
