import { parse } from "yaml";
import { read } from "./docker-context.ts";

// docker-compose.yml for the deploy tests: parsed, and interpolated the way Compose does it, so that the tests can
// check both the file as written (which variables, with which operators) and what a given environment makes of it.

export interface Healthcheck {
  test?: string | string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
  disable?: boolean;
}

export interface Service {
  image?: string;
  build?: { context?: string; dockerfile?: string } | string;
  restart?: string;
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: Record<string, { condition?: string }> | string[];
  ports?: (string | { target?: number | string; published?: number | string })[];
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  networks?: string[] | Record<string, { ipv4_address?: string } | null>;
  healthcheck?: Healthcheck;
  command?: string | string[];
  stop_grace_period?: string;
  /** Started only with one of these profiles (`--profile`, COMPOSE_PROFILES); always when absent. */
  profiles?: string[];
}

export interface ComposeFile {
  name?: string;
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  networks?: Record<string, { ipam?: { config?: { subnet?: string }[] } } | null>;
}

export const COMPOSE_FILE = "docker-compose.yml";

export function loadCompose(): ComposeFile {
  return parse(read(COMPOSE_FILE)) as ComposeFile;
}

/** One `${...}` (or `$NAME`) in a value: the variable, the operator and what follows it. */
export interface VariableRef {
  name: string;
  /** "" for a plain reference, else one of Compose's operators. */
  operator: "" | ":-" | "-" | ":?" | "?" | ":+" | "+";
  argument: string;
  /** Where it was found, e.g. services.api.environment.DATABASE_URL. */
  path: string;
}

/** What `docker compose` says when a required variable is missing: it names the variable and the message. */
export class MissingVariableError extends Error {
  constructor(
    readonly variable: string,
    readonly detail: string,
  ) {
    super(`required variable ${variable} is missing a value: ${detail}`);
  }
}

/** The index of the `}` closing the `${` whose content starts at `start` (nested `${...}` allowed). */
function closingBrace(text: string, start: number): number {
  let depth = 1;
  for (let i = start; i < text.length; i++) {
    if (text[i] === "$" && text[i + 1] === "{") {
      depth++;
      i++;
    } else if (text[i] === "}" && --depth === 0) return i;
  }
  throw new Error(`unclosed \${ in ${JSON.stringify(text)}`);
}

/**
 * Compose's interpolation of one string: `$$` is a literal `$`; `${VAR}`, `$VAR`; `:-`/`-` defaults (when unset or
 * empty / when unset), `:?`/`?` required (error), `:+`/`+` alternatives. References are reported to `refs`.
 */
export function interpolate(
  text: string,
  env: Record<string, string | undefined>,
  refs: VariableRef[] = [],
  path = "",
): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== "$") {
      out += c;
      continue;
    }
    const next = text[i + 1];
    if (next === "$") {
      out += "$";
      i++;
      continue;
    }
    if (next === "{") {
      const end = closingBrace(text, i + 2);
      const body = text.slice(i + 2, end);
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/.exec(body);
      if (!m) throw new Error(`invalid interpolation \${${body}} at ${path}`);
      const name = m[1];
      const operator = (m[2] ?? "") as VariableRef["operator"];
      const argument = m[3] ?? "";
      refs.push({ name, operator, argument, path });
      const value = env[name];
      const unset = value === undefined;
      const emptyOrUnset = unset || value === "";
      switch (operator) {
        case "":
          out += value ?? "";
          break;
        case ":-":
          out += emptyOrUnset ? interpolate(argument, env, refs, path) : value;
          break;
        case "-":
          out += unset ? interpolate(argument, env, refs, path) : value;
          break;
        case ":?":
          if (emptyOrUnset) throw new MissingVariableError(name, argument);
          out += value;
          break;
        case "?":
          if (unset) throw new MissingVariableError(name, argument);
          out += value;
          break;
        case ":+":
          out += emptyOrUnset ? "" : interpolate(argument, env, refs, path);
          break;
        case "+":
          out += unset ? "" : interpolate(argument, env, refs, path);
          break;
      }
      i = end;
      continue;
    }
    const bare = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1));
    if (bare) {
      refs.push({ name: bare[0], operator: "", argument: "", path });
      out += env[bare[0]] ?? "";
      i += bare[0].length;
      continue;
    }
    out += c;
  }
  return out;
}

/** Every string value of the file interpolated (keys are left alone, as Compose does). */
export function resolveCompose(
  doc: ComposeFile,
  env: Record<string, string | undefined>,
  refs: VariableRef[] = [],
): ComposeFile {
  const walk = (value: unknown, path: string): unknown => {
    if (typeof value === "string") return interpolate(value, env, refs, path);
    if (Array.isArray(value)) return value.map((v, i) => walk(v, `${path}[${i}]`));
    if (value && typeof value === "object")
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, walk(v, path ? `${path}.${k}` : k)]),
      );
    return value;
  };
  return walk(doc, "") as ComposeFile;
}

/** The references in one string, as written: nested ones in defaults and messages included; `$$` skipped. */
function scan(text: string, refs: VariableRef[], path: string): void {
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== "$") continue;
    if (text[i + 1] === "$") {
      i++;
      continue;
    }
    if (text[i + 1] === "{") {
      const end = closingBrace(text, i + 2);
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/.exec(text.slice(i + 2, end));
      if (m) {
        refs.push({
          name: m[1],
          operator: (m[2] ?? "") as VariableRef["operator"],
          argument: m[3] ?? "",
          path,
        });
        scan(m[3] ?? "", refs, path);
      }
      i = end;
      continue;
    }
    const bare = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1));
    if (bare) {
      refs.push({ name: bare[0], operator: "", argument: "", path });
      i += bare[0].length;
    }
  }
}

/** Every variable reference of the file, as written (each `${...}` once per place it appears). */
export function variableRefs(doc: ComposeFile): VariableRef[] {
  const refs: VariableRef[] = [];
  const walk = (value: unknown, path: string): void => {
    if (typeof value === "string") scan(value, refs, path);
    else if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(v, `${path}[${i}]`);
    } else if (value && typeof value === "object")
      for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
  };
  walk(doc, "");
  return refs;
}

/** A service's environment as a plain object. */
export function environmentOf(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((line) => {
        const at = line.indexOf("=");
        return at < 0 ? [line, ""] : [line.slice(0, at), line.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? "" : String(v)]));
}

/** A service's depends_on as `{ service: condition }` (the short form means service_started). */
export function dependenciesOf(service: Service): Record<string, string> {
  const deps = service.depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, "service_started"]));
  return Object.fromEntries(Object.entries(deps).map(([k, v]) => [k, v?.condition ?? "service_started"]));
}

/** The Dockerfile a service is built from, relative to the repository root (undefined for an image only). */
export function dockerfileOf(service: Service): string | undefined {
  if (!service.build) return undefined;
  if (typeof service.build === "string") return `${service.build.replace(/\/$/, "")}/Dockerfile`;
  const context = (service.build.context ?? ".").replace(/^\.\/?/, "").replace(/\/$/, "");
  const file = service.build.dockerfile ?? "Dockerfile";
  return context ? `${context}/${file}` : file;
}
