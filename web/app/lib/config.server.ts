import { z } from "zod";

/** The explorer's configuration, validated once (server.mjs checks the same variables before it listens). */
const Env = z.object({
  API_URL: z.string().url().default("http://127.0.0.1:4000/graphql"),
  /** Milliseconds before a request to the API counts as failed. */
  API_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** How often live pages (dashboard, node, inference) re-read the API in the browser; 0 turns it off. */
  LIVE_POLL_SECONDS: z.coerce.number().min(0).max(3600).default(5),
});

export type WebConfig = z.infer<typeof Env>;

let cached: WebConfig | undefined;

export function webConfig(): WebConfig {
  if (cached) return cached;
  const parsed = Env.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.join(".")}: ${i.message} (got ${JSON.stringify(process.env[String(i.path[0])])})`,
    );
    throw new Error(`web: bad configuration:\n  ${problems.join("\n  ")}`);
  }
  cached = parsed.data;
  return cached;
}

/** The API's origin: exports are served beside /graphql (spec/run.md). */
export function apiOrigin(): string {
  return new URL(webConfig().API_URL).origin;
}
