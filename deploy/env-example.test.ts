import { describe, expect, it } from "vitest";
import { loadCompose, variableRefs } from "./compose.ts";
import { read } from "./docker-context.ts";
import {
  apiConfigVariables,
  EXTRA_VARIABLES,
  indexerConfigVariables,
  REQUIRED,
  webConfigVariables,
} from "./fixtures.ts";

// .env.example documents every variable: those docker-compose.yml interpolates and those each part reads, with
// the defaults docker-compose.yml really uses.

const text = read(".env.example");

/** `NAME=value` lines, commented out (`# NAME=value`) or not. */
const documented = new Map<string, string>();
for (const line of text.split("\n")) {
  const m = /^#?\s*([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
  if (m && !documented.has(m[1])) documented.set(m[1], m[2].trim());
}

const refs = variableRefs(loadCompose());

/** The comment lines just above a variable's line (up to a blank line or another variable). */
function commentAbove(name: string): string {
  const lines = text.split("\n");
  const at = lines.findIndex((l) => new RegExp(`^#?\\s*${name}=`).test(l.trim()));
  const out: string[] = [];
  for (let i = at - 1; i >= 0; i--) {
    const l = lines[i].trim();
    if (!l.startsWith("#") || /^#?\s*[A-Z][A-Z0-9_]*=/.test(l)) break;
    out.unshift(l);
  }
  return out.join(" ");
}

/** docker-compose.yml defaults that differ from the parts' own on purpose; .env.example must say so. */
const COMPOSE_DIFFERS = { HEAD_POLL_INTERVAL_MS: "1000", PROMETHEUS_PORT: "9090" };

describe(".env.example", () => {
  it("documents every variable docker-compose.yml uses", () => {
    const names = [...new Set(refs.map((r) => r.name))];
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) expect(documented.has(name), name).toBe(true);
  });

  it("documents every variable of the indexer's, the API's and the explorer's configuration", () => {
    const parts = {
      indexer: [...indexerConfigVariables(), ...EXTRA_VARIABLES.indexer],
      api: apiConfigVariables(),
      web: webConfigVariables(),
    };
    expect(parts.indexer).toEqual(
      expect.arrayContaining(["RPC_URL", "START_BLOCK", "FINALITY_CONFIRMATIONS"]),
    );
    expect(parts.api).toEqual(expect.arrayContaining(["API_PORT", "CORS_ORIGINS", "DB_POOL_SIZE"]));
    expect(parts.web).toEqual(expect.arrayContaining(["WEB_PORT", "API_URL"]));
    for (const [part, names] of Object.entries(parts)) {
      for (const name of names) expect(documented.has(name), `${part}: ${name}`).toBe(true);
    }
  });

  it("sets no value for the required secrets (a copied .env must choose its own)", () => {
    for (const name of ["POSTGRES_PASSWORD", "POSTGRES_READER_PASSWORD"])
      expect(documented.get(name), name).toBe("");
    for (const name of REQUIRED) {
      const line = text.split("\n").find((l) => new RegExp(`^#?\\s*${name}=`).test(l.trim()));
      expect(line?.trim().startsWith("#"), `${name} is commented out`).toBe(true);
    }
  });

  it("shows the defaults docker-compose.yml uses, or says where compose differs", () => {
    for (const r of refs.filter((r) => r.operator === ":-")) {
      const differs = COMPOSE_DIFFERS[r.name as keyof typeof COMPOSE_DIFFERS];
      if (differs !== undefined) {
        expect(r.argument, `${r.name} compose default`).toBe(differs);
        expect(commentAbove(r.name), `.env.example says compose's ${r.name} is ${differs}`).toContain(
          `docker-compose.yml: ${differs}`,
        );
        continue;
      }
      expect(documented.get(r.name), `${r.name}: .env.example vs docker-compose.yml (${r.path})`).toBe(
        r.argument,
      );
    }
  });
});
