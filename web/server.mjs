// `npm run web` (production): serves the built explorer (web/build) with Express. Configuration is validated once
// here (app/lib/config.server.ts holds the same rules for the app's own reads); a bad value stops the server with
// a message naming it.

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import compression from "compression";
import express from "express";
import { z } from "zod";

const here = fileURLToPath(new URL(".", import.meta.url));
const Env = z.object({
  WEB_PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  WEB_HOST: z.string().min(1).default("127.0.0.1"),
  API_URL: z.string().url().default("http://127.0.0.1:4000/graphql"),
});
const parsed = Env.safeParse(process.env);
if (!parsed.success) {
  for (const issue of parsed.error.issues) {
    console.error(
      `web: ${issue.path.join(".")}: ${issue.message} (got ${JSON.stringify(process.env[issue.path[0]])})`,
    );
  }
  process.exit(2);
}
const env = parsed.data;
const serverBuild = `${here}build/server/index.js`;
if (!existsSync(serverBuild)) {
  console.error(`web: ${serverBuild} is missing: run \`npm run build -w web\` first`);
  process.exit(2);
}

const app = express();
app.disable("x-powered-by");
app.use(compression());
// Fingerprinted assets: cache for a year; everything else in build/client briefly.
app.use("/assets", express.static(`${here}build/client/assets`, { immutable: true, maxAge: "1y" }));
app.use(express.static(`${here}build/client`, { maxAge: "1h" }));
app.all("*", createRequestHandler({ build: await import(serverBuild), mode: process.env.NODE_ENV }));

const server = app.listen(env.WEB_PORT, env.WEB_HOST, () => {
  console.log(`web: explorer on http://${env.WEB_HOST}:${env.WEB_PORT} reading ${env.API_URL}`);
});
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections?.();
    setTimeout(() => process.exit(0), 3000).unref();
  });
}
