import { z } from "zod";

// The API's configuration (spec/run.md, "Environment"), validated once at start-up: every bad variable is
// reported together, by name, with what was received and what was expected.

export interface ApiConfig {
  /** Unset: the embedded Postgres that the indexer starts (127.0.0.1:<embeddedPostgresPort>/explorer). */
  databaseUrl: string | undefined;
  embeddedPostgresPort: number;
  host: string;
  port: number;
  /** "*" for any origin, or the allowed origins. */
  corsOrigins: "*" | string[];
  /** Requests per IP per minute on /graphql; 0 turns the limit off. */
  rateLimitPerMinute: number;
  /** Client addresses the rate limit does not apply to (the explorer's server on the same host). */
  rateLimitExempt: string[];
  /** Take the client address from X-Forwarded-For's last hop (only behind a proxy that appends it). */
  trustProxy: boolean;
  production: boolean;
  nodeEnv: "development" | "production" | "test";
  /**
   * Developers only (API_EXPOSE_ERRORS=true): internal errors reach clients with their message and stack. Off in
   * every mode a user runs (npm start, npm run api, docker-compose), whatever NODE_ENV says.
   */
  exposeErrors: boolean;
  /** /healthz fails when the indexer has not written its position for this long and is behind the chain. */
  healthStallSeconds: number;
  maxBodyBytes: number;
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  /** Upper bound of the rows one operation may ask for (product of `first` along nested lists). */
  maxListCost: number;
  dbPoolSize: number;
  dbStatementTimeoutMs: number;
  /**
   * Where subscriptions learn of the indexer's commits (docs/decisions/008-api-on-streaming-replicas.md): "listen"
   * (LISTEN on the database, a primary), "poll" (read the replayed indexer_state every subscriptionPollMs, which a
   * hot standby allows), "auto" (poll when the database is a standby, else listen).
   */
  subscriptionSource: "auto" | "listen" | "poll";
  subscriptionPollMs: number;
  /** How long a request with X-Min-Height waits for this database to reach that height before a 503. */
  minHeightWaitMs: number;
}

/** Thrown by loadConfig; `problems` has one line per bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid API configuration:\n${problems.map((p) => `  ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .regex(/^\d+$/, "expected a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min, `expected at least ${min}`).max(max, `expected at most ${max}`));

const postgresUrl = z
  .string()
  .url("expected a URL")
  .refine((u) => /^postgres(ql)?:\/\//.test(u), "expected a postgres:// or postgresql:// URL");

const origin = z
  .string()
  .refine((o) => /^https?:\/\/[^/\s]+$/.test(o), "expected origins like http://localhost:3000 (no path)");

const corsOrigins = z
  .string()
  .transform((s) =>
    s
      .split(",")
      .map((o) => o.trim())
      .filter(Boolean),
  )
  .pipe(
    z.union([
      z.tuple([z.literal("*")]),
      z.array(origin).min(1, "expected * or a comma-separated list of origins"),
    ]),
  )
  .transform((list): "*" | string[] => (list[0] === "*" ? "*" : (list as string[])));

const bool = z
  .enum(["true", "false", "1", "0"], { message: "expected true or false" })
  .transform((b) => b === "true" || b === "1");

// Every variable is a string or absent; an empty string counts as absent (a blank line in .env).
const envSchema = z.object({
  DATABASE_URL: postgresUrl.optional(),
  EMBEDDED_PG_PORT: int(1, 65_535).default("54329"),
  API_HOST: z.string().min(1).default("127.0.0.1"),
  API_PORT: int(1, 65_535).default("4000"),
  CORS_ORIGINS: corsOrigins.default("*"),
  RATE_LIMIT: int(0).default("600"),
  RATE_LIMIT_EXEMPT: z
    .string()
    .transform((s) =>
      s
        .split(",")
        .map((a) => a.trim())
        .filter(Boolean),
    )
    .default("127.0.0.1,::1,::ffff:127.0.0.1"),
  TRUST_PROXY: bool.default("false"),
  API_EXPOSE_ERRORS: bool.default("false"),
  NODE_ENV: z
    .enum(["development", "production", "test"], { message: "expected development, production or test" })
    .default("development"),
  HEALTH_STALL_SECONDS: int(1).default("120"),
  MAX_BODY_BYTES: int(1024, 100 * 1024 * 1024).default("102400"),
  MAX_QUERY_DEPTH: int(2, 100).default("12"),
  MAX_QUERY_ALIASES: int(0, 1000).default("30"),
  MAX_QUERY_TOKENS: int(100, 1_000_000).default("5000"),
  MAX_LIST_COST: int(1).default("100000"),
  DB_POOL_SIZE: int(1, 1000).default("10"),
  DB_STATEMENT_TIMEOUT_MS: int(0).default("15000"),
  SUBSCRIPTION_SOURCE: z
    .enum(["auto", "listen", "poll"], { message: "expected auto, listen or poll" })
    .default("auto"),
  SUBSCRIPTION_POLL_MS: int(20, 60_000).default("200"),
  MIN_HEIGHT_WAIT_MS: int(0, 60_000).default("2000"),
});

/** The variables this module reads (for documentation and tests). */
export const CONFIG_VARIABLES = Object.keys(envSchema.shape);

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const raw: Record<string, string> = {};
  for (const key of CONFIG_VARIABLES) {
    const value = env[key]?.trim();
    if (value) raw[key] = value;
  }
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    const byVariable = new Map<string, string>();
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0]);
      if (!byVariable.has(name))
        byVariable.set(name, `${name}: got ${JSON.stringify(raw[name])}, ${issue.message}`);
    }
    throw new ConfigError([...byVariable.values()]);
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    embeddedPostgresPort: e.EMBEDDED_PG_PORT,
    host: e.API_HOST,
    port: e.API_PORT,
    corsOrigins: e.CORS_ORIGINS,
    rateLimitPerMinute: e.RATE_LIMIT,
    rateLimitExempt: e.RATE_LIMIT_EXEMPT,
    trustProxy: e.TRUST_PROXY,
    production: e.NODE_ENV === "production",
    nodeEnv: e.NODE_ENV,
    exposeErrors: e.API_EXPOSE_ERRORS,
    healthStallSeconds: e.HEALTH_STALL_SECONDS,
    maxBodyBytes: e.MAX_BODY_BYTES,
    maxDepth: e.MAX_QUERY_DEPTH,
    maxAliases: e.MAX_QUERY_ALIASES,
    maxTokens: e.MAX_QUERY_TOKENS,
    maxListCost: e.MAX_LIST_COST,
    dbPoolSize: e.DB_POOL_SIZE,
    dbStatementTimeoutMs: e.DB_STATEMENT_TIMEOUT_MS,
    subscriptionSource: e.SUBSCRIPTION_SOURCE,
    subscriptionPollMs: e.SUBSCRIPTION_POLL_MS,
    minHeightWaitMs: e.MIN_HEIGHT_WAIT_MS,
  };
}

/** loadConfig for a program's start: prints every problem and exits 1 on a bad configuration. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  try {
    return loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(1);
  }
}
