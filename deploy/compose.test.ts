import { READER_ROLE } from "@attestation-explorer/embedded-postgres";
import { describe, expect, it } from "vitest";
import {
  dependenciesOf,
  dockerfileOf,
  environmentOf,
  loadCompose,
  MissingVariableError,
  resolveCompose,
  type Service,
  variableRefs,
} from "./compose.ts";
import { fileExists, parseDockerfile, read } from "./docker-context.ts";
import {
  apiConfigVariables,
  EXTRA_VARIABLES,
  indexerConfigVariables,
  REQUIRED,
  REQUIRED_ENV,
  readerRoleMigration,
  webConfigVariables,
} from "./fixtures.ts";

// docker-compose.yml as written and as resolved for an environment with only the required variables: Postgres 16
// with a volume, the read-only role for the API, health-gated start order, and every part configured by variables
// that the part really reads.

const compose = loadCompose();
const services = compose.services;
const resolved = resolveCompose(compose, REQUIRED_ENV);
const refs = variableRefs(compose);

const LONG_RUNNING = ["postgres", "indexer", "api", "web"];
const ONE_SHOT = ["db-init"];

/** The HEALTHCHECK of a Dockerfile's final stage, if any. */
function dockerfileHealthcheck(service: Service): string | undefined {
  const file = dockerfileOf(service);
  if (!file || !fileExists(file)) return undefined;
  const { stages } = parseDockerfile(read(file));
  return stages.at(-1)?.instructions.find((i) => i.keyword === "HEALTHCHECK")?.args;
}

/** The URL path an HTTP health check fetches (`fetch('http://127.0.0.1:'+PORT+'/path')`). */
function healthPath(check: string | string[] | undefined): string | undefined {
  const text = Array.isArray(check) ? check.join(" ") : (check ?? "");
  return /fetch\('http:\/\/127\.0\.0\.1:'\s*\+[^+]+\+\s*'([^']*)'\)/.exec(text)?.[1];
}

describe("docker-compose.yml: services", () => {
  it("has Postgres, the one-shot role setup, the indexer, the API and the explorer, and nothing else", () => {
    // Without a profile (replica-profile.test.ts checks the profile `replica`).
    const always = Object.keys(services).filter((name) => !services[name].profiles);
    expect(always.sort()).toEqual([...LONG_RUNNING, ...ONE_SHOT].sort());
  });

  it("runs Postgres 16 with its data in a named volume, not published on the host", () => {
    const pg = services.postgres;
    expect(pg.image).toMatch(/^postgres:16(?:[.-]|$)/);
    const mounts = (pg.volumes ?? []).map((v) => (typeof v === "string" ? v : `${v.source}:${v.target}`));
    const data = mounts.find((m) => m.split(":")[1] === "/var/lib/postgresql/data");
    expect(data, "a volume on /var/lib/postgresql/data").toBeDefined();
    const volume = data?.split(":")[0] ?? "";
    expect(volume, "a named volume, not a host folder").toMatch(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/);
    expect(Object.keys(compose.volumes ?? {})).toContain(volume);
    expect(pg.ports ?? []).toEqual([]);
  });

  it("checks Postgres over TCP with pg_isready (the first-start temporary server listens on the socket only)", () => {
    const test = services.postgres.healthcheck?.test;
    const text = Array.isArray(test) ? test.join(" ") : (test ?? "");
    expect(text).toContain("pg_isready");
    expect(text).toMatch(/-h\s+(127\.0\.0\.1|localhost)/);
  });

  it("gives every long-running service a restart policy and a health check (compose or Dockerfile)", () => {
    for (const name of LONG_RUNNING) {
      const s = services[name];
      expect(s.restart, `${name}.restart`).toMatch(/^(unless-stopped|always|on-failure(:\d+)?)$/);
      const inCompose = s.healthcheck && !s.healthcheck.disable && s.healthcheck.test;
      const inDockerfile = dockerfileHealthcheck(s);
      expect(
        Boolean(inCompose) || (inDockerfile !== undefined && !/^NONE\b/i.test(inDockerfile)),
        `${name} has a health check`,
      ).toBe(true);
    }
  });

  it("checks the same endpoint in docker-compose.yml and in each Dockerfile's HEALTHCHECK", () => {
    const expected: Record<string, RegExp> = {
      indexer: /^\/metrics(\/|$)/,
      api: /^\/healthz$/,
      // The explorer's own liveness route (web/app/routes/healthz.ts) answers without the API.
      web: /^\/healthz$/,
    };
    for (const [name, path] of Object.entries(expected)) {
      const s = services[name];
      expect(healthPath(s.healthcheck?.test), `${name} (compose)`).toMatch(path);
      expect(healthPath(dockerfileHealthcheck(s)), `${name} (Dockerfile)`).toBe(
        healthPath(s.healthcheck?.test),
      );
    }
  });

  it("builds indexer, api and web from their own Dockerfile with the repository root as context", () => {
    for (const name of ["indexer", "api", "web"]) {
      const build = services[name].build;
      expect(typeof build === "object" ? build.context : build, `${name}.build.context`).toMatch(/^\.\/?$/);
      expect(dockerfileOf(services[name])).toBe(`${name}/Dockerfile`);
      expect(fileExists(`${name}/Dockerfile`)).toBe(true);
    }
  });
});

describe("docker-compose.yml: start order", () => {
  it("starts each part only when what it needs is healthy (or, for the one-shot, completed)", () => {
    expect(dependenciesOf(services["db-init"])).toEqual({ postgres: "service_healthy" });
    expect(dependenciesOf(services.indexer)).toMatchObject({
      postgres: "service_healthy",
      "db-init": "service_completed_successfully",
    });
    expect(dependenciesOf(services.api)).toMatchObject({
      postgres: "service_healthy",
      indexer: "service_healthy",
    });
    expect(dependenciesOf(services.web)).toMatchObject({ api: "service_healthy" });
  });

  it("waits on long-running services only through their health, on one-shots only through their success", () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [dep, condition] of Object.entries(dependenciesOf(s))) {
        expect(services[dep], `${name} depends on a service that exists: ${dep}`).toBeDefined();
        const want = ONE_SHOT.includes(dep) ? "service_completed_successfully" : "service_healthy";
        expect(condition, `${name} → ${dep}`).toBe(want);
      }
    }
  });

  it("does not restart the one-shot", () => {
    for (const name of ONE_SHOT) expect(services[name].restart ?? "no").toBe("no");
  });
});

describe("docker-compose.yml: the API reads through the read-only role", () => {
  const apiUrl = new URL(environmentOf(resolved.services.api).DATABASE_URL);
  const indexerUrl = new URL(environmentOf(resolved.services.indexer).DATABASE_URL);

  it("connects the API as explorer_reader with POSTGRES_READER_PASSWORD, the indexer as the owner", () => {
    expect(READER_ROLE).toBe("explorer_reader");
    expect(apiUrl.protocol).toMatch(/^postgres(ql)?:$/);
    expect(decodeURIComponent(apiUrl.username)).toBe(READER_ROLE);
    expect(decodeURIComponent(apiUrl.password)).toBe(REQUIRED_ENV.POSTGRES_READER_PASSWORD);
    expect(apiUrl.hostname).toBe("postgres");
    expect(apiUrl.pathname).toBe(indexerUrl.pathname);
    expect(decodeURIComponent(indexerUrl.username)).not.toBe(READER_ROLE);
    expect(decodeURIComponent(indexerUrl.password)).toBe(REQUIRED_ENV.POSTGRES_PASSWORD);
  });

  it("never hands the owner's password to the API", () => {
    const apiRefs = refs.filter((r) => r.path.startsWith("services.api."));
    expect(apiRefs.map((r) => r.name)).not.toContain("POSTGRES_PASSWORD");
    expect(apiRefs.map((r) => r.name)).not.toContain("POSTGRES_USER");
    expect(JSON.stringify(resolved.services.api)).not.toContain(REQUIRED_ENV.POSTGRES_PASSWORD);
  });

  it("can point the API at a read replica by environment", () => {
    const replica = resolveCompose(compose, {
      ...REQUIRED_ENV,
      API_DATABASE_HOST: "replica.internal",
      API_DATABASE_PORT: "6432",
    });
    const url = new URL(environmentOf(replica.services.api).DATABASE_URL);
    expect(url.hostname).toBe("replica.internal");
    expect(url.port).toBe("6432");
    expect(decodeURIComponent(url.username)).toBe(READER_ROLE);
    expect(environmentOf(replica.services.indexer).DATABASE_URL).toBe(indexerUrl.toString());
  });

  it("has the one-shot create the role and set its password from POSTGRES_READER_PASSWORD, as the owner", () => {
    const initEnv = environmentOf(resolved.services["db-init"]);
    expect(initEnv.POSTGRES_READER_PASSWORD).toBe(REQUIRED_ENV.POSTGRES_READER_PASSWORD);
    expect(initEnv.PGPASSWORD).toBe(REQUIRED_ENV.POSTGRES_PASSWORD);
    expect(initEnv.PGHOST).toBe("postgres");
    expect(initEnv.PGDATABASE).toBe(decodeURIComponent(indexerUrl.pathname.slice(1)));
    const command = resolved.services["db-init"].command;
    const script = Array.isArray(command) ? command.join("\n") : (command ?? "");
    expect(script).toContain("ON_ERROR_STOP=1");
    expect(script).toMatch(new RegExp(`CREATE ROLE ${READER_ROLE}\\b`));
    expect(script).toMatch(
      new RegExp(`ALTER ROLE ${READER_ROLE} WITH LOGIN[^;]*PASSWORD :'reader_password'`),
    );
    expect(script).toMatch(/NOSUPERUSER/);
    // The container's own variable, escaped from Compose's interpolation ($$ in the file).
    expect(script).toMatch(/reader_password="\$\{POSTGRES_READER_PASSWORD\}"/);
  });

  it("relies on the indexer's migration for the role's SELECT grants", () => {
    const migration = readerRoleMigration();
    expect(migration).toMatch(new RegExp(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${READER_ROLE}`));
    expect(migration).toMatch(
      new RegExp(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO ${READER_ROLE}`),
    );
    // The grants run as the indexer's user: it must be the one that owns (creates) the tables.
    expect(
      refs.some((r) => r.path === "services.indexer.environment.DATABASE_URL" && r.name === "POSTGRES_USER"),
    ).toBe(true);
  });
});

describe("docker-compose.yml: variables", () => {
  it("requires RPC_URL, the contract addresses and the two passwords (`:?` with a message)", () => {
    for (const name of REQUIRED) {
      const uses = refs.filter((r) => r.name === name);
      expect(uses.length, `${name} is used`).toBeGreaterThan(0);
      for (const r of uses) {
        expect(r.operator, `${name} at ${r.path}`).toBe(":?");
        expect(r.argument.trim(), `${name} at ${r.path} has a message`).not.toBe("");
      }
    }
  });

  it("gives every other variable a default (`:-`)", () => {
    for (const r of refs.filter((r) => !(REQUIRED as readonly string[]).includes(r.name))) {
      expect(r.operator, `${r.name} at ${r.path}`).toBe(":-");
    }
  });

  it("resolves with only the required variables set, and names each one that is missing", () => {
    expect(() => resolveCompose(compose, REQUIRED_ENV)).not.toThrow();
    for (const name of REQUIRED) {
      const env: Record<string, string | undefined> = { ...REQUIRED_ENV, [name]: undefined };
      expect(() => resolveCompose(compose, env), name).toThrow(MissingVariableError);
      try {
        resolveCompose(compose, env);
      } catch (err) {
        expect((err as MissingVariableError).variable).toBe(name);
      }
      // An empty value is as bad as none.
      expect(() => resolveCompose(compose, { ...REQUIRED_ENV, [name]: "" }), `${name}=""`).toThrow(
        MissingVariableError,
      );
    }
  });

  it("passes the chain and the contracts to the indexer", () => {
    const env = environmentOf(resolved.services.indexer);
    expect(env).toMatchObject({
      RPC_URL: REQUIRED_ENV.RPC_URL,
      TEE_REGISTRY_ADDRESS: REQUIRED_ENV.TEE_REGISTRY_ADDRESS,
      SETTLEMENT_RELAY_ADDRESS: REQUIRED_ENV.SETTLEMENT_RELAY_ADDRESS,
      ATTESTATION_REGISTRY_ADDRESS: "",
      START_BLOCK: "0",
      FINALITY_CONFIRMATIONS: "10",
      GATEWAY_URL: "",
    });
    const custom = resolveCompose(compose, {
      ...REQUIRED_ENV,
      GATEWAY_URL: "https://gateway.example.org/datasets/x",
      START_BLOCK: "123",
      FINALITY_CONFIRMATIONS: "64",
    });
    expect(environmentOf(custom.services.indexer)).toMatchObject({
      GATEWAY_URL: "https://gateway.example.org/datasets/x",
      START_BLOCK: "123",
      FINALITY_CONFIRMATIONS: "64",
    });
  });

  it("gives each part only variables that the part reads (a misspelt name would be ignored silently)", () => {
    const known: Record<string, string[]> = {
      indexer: [...indexerConfigVariables(), ...EXTRA_VARIABLES.indexer],
      api: [...apiConfigVariables(), ...EXTRA_VARIABLES.api],
      web: [...webConfigVariables(), ...EXTRA_VARIABLES.web],
    };
    expect(known.indexer).toEqual(
      expect.arrayContaining(["DATABASE_URL", "RPC_URL", "GATEWAY_URL", "START_BLOCK"]),
    );
    expect(known.web).toEqual(expect.arrayContaining(["WEB_PORT", "WEB_HOST", "API_URL"]));
    for (const [name, variables] of Object.entries(known)) {
      for (const key of Object.keys(environmentOf(services[name]))) {
        expect(variables, `${name} reads ${key}`).toContain(key);
      }
    }
  });

  it("makes the API and the explorer listen on every interface and publishes their ports", () => {
    const api = environmentOf(resolved.services.api);
    const web = environmentOf(resolved.services.web);
    expect(api.API_HOST).toBe("0.0.0.0");
    expect(web.WEB_HOST).toBe("0.0.0.0");
    expect(api.NODE_ENV).toBe("production");
    expect(resolved.services.api.ports).toEqual([`${api.API_PORT}:${api.API_PORT}`]);
    expect(resolved.services.web.ports).toEqual([`${web.WEB_PORT}:${web.WEB_PORT}`]);
    expect([api.API_PORT, web.WEB_PORT]).toEqual(["4000", "3000"]);
    const moved = resolveCompose(compose, { ...REQUIRED_ENV, API_PORT: "8080", WEB_PORT: "8081" });
    expect(moved.services.api.ports).toEqual(["8080:8080"]);
    expect(moved.services.web.ports).toEqual(["8081:8081"]);
    expect(environmentOf(moved.services.web).API_URL).toBe("http://api:8080/graphql");
  });

  it("points the explorer at the api service", () => {
    const url = new URL(environmentOf(resolved.services.web).API_URL);
    expect(url.hostname).toBe("api");
    expect(url.port).toBe(environmentOf(resolved.services.api).API_PORT);
    expect(url.pathname).toBe("/graphql");
  });

  it("exempts the explorer's fixed address, inside the network's subnet, from the API's rate limit", () => {
    const check = (env: Record<string, string>) => {
      const r = resolveCompose(compose, { ...REQUIRED_ENV, ...env });
      const networks = r.services.web.networks as Record<string, { ipv4_address?: string }>;
      const [network, settings] = Object.entries(networks)[0];
      const address = settings.ipv4_address ?? "";
      const subnet = r.networks?.[network]?.ipam?.config?.[0]?.subnet ?? "";
      const [base, bits] = subnet.split("/");
      const toInt = (ip: string) => ip.split(".").reduce((n, part) => n * 256 + Number(part), 0);
      const size = 2 ** (32 - Number(bits));
      expect(Math.floor(toInt(address) / size), `${address} in ${subnet}`).toBe(
        Math.floor(toInt(base) / size),
      );
      const exempt = environmentOf(r.services.api).RATE_LIMIT_EXEMPT.split(",").filter(Boolean);
      expect(exempt).toContain(address);
      expect(exempt).toContain(`::ffff:${address}`);
      expect(exempt).toContain("127.0.0.1");
      return exempt;
    };
    check({});
    expect(
      check({
        BACKEND_SUBNET: "10.9.0.0/16",
        WEB_IPV4_ADDRESS: "10.9.3.4",
        RATE_LIMIT_EXEMPT_EXTRA: "10.9.3.5",
      }),
    ).toContain("10.9.3.5");
  });

  it("gives the indexer a fixed metrics port for its health check and time to commit on stop", () => {
    const env = environmentOf(resolved.services.indexer);
    expect(env.PROMETHEUS_PORT).toMatch(/^\d+$/);
    const check = services.indexer.healthcheck?.test;
    expect(Array.isArray(check) ? check.join(" ") : check).toContain("process.env.PROMETHEUS_PORT");
    const grace = /^(\d+)s$/.exec(services.indexer.stop_grace_period ?? "");
    expect(Number(grace?.[1] ?? 0), "stop_grace_period above the indexer's own 60 s").toBeGreaterThan(60);
  });
});
