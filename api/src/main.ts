import { loadConfigOrExit } from "./config.ts";
import { chooseDatabase, openDatabase } from "./db/connect.ts";
import { createApiServer } from "./server/app.ts";

// `npm run api`: reads the environment (spec/run.md), connects read-only to the indexer's database, serves
// /graphql, /healthz and /metrics on API_PORT. SIGINT/SIGTERM close it cleanly (a second signal exits at once).

const config = loadConfigOrExit();
const choice = await chooseDatabase(config);
const db = openDatabase(config, choice);
const server = await createApiServer({
  config,
  db,
  listen: { connectionString: choice.connectionString, role: choice.role },
});

let url: string;
try {
  url = await server.listen();
} catch (err) {
  console.error(`api: cannot listen on ${config.host}:${config.port}: ${(err as Error).message}`);
  await server.close();
  await db.pool.end();
  process.exit(1);
}
console.log(`api: database ${choice.description}`);
console.log(
  `api: GraphQL at ${url} (GraphiQL in a browser, subscriptions over WebSocket); also /healthz and /metrics`,
);

let stoppingSince: number | undefined;
async function stop(signal: string): Promise<void> {
  if (stoppingSince !== undefined) {
    // The same signal can arrive twice at once (a terminal signals the whole process group); a later one means
    // "now".
    if (Date.now() - stoppingSince < 1000) return;
    console.error(`api: ${signal} again, exiting now`);
    process.exit(1);
  }
  stoppingSince = Date.now();
  console.log(`api: ${signal}, closing`);
  try {
    await server.close();
    await db.pool.end();
    console.log("api: closed");
    process.exit(0);
  } catch (err) {
    console.error(`api: error while closing: ${(err as Error).stack ?? err}`);
    process.exit(1);
  }
}
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
