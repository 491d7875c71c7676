import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { EmbeddedPostgresError, ensureEmbeddedPostgres } from "@attestation-explorer/embedded-postgres";
import { loadConfigOrExit } from "../config.ts";
import { openDatabase, redactUrl, useDatabaseUrl } from "../db/connection.ts";
import { applyMigrations, pendingSchemaChanges } from "../db/migrations.ts";

// `node lib/tools/migrations.js <command>` (run `npm run build` first: the model is read from lib/model).
//   generate  writes db/migrations/<timestamp>-Data.js for what the model has and the migrations lack
//             (squid-typeorm-migration generate against a scratch embedded Postgres with the migrations applied)
//   check     fails, listing the SQL, when the migrations lag behind the model (codegen runs it)
//   apply     applies pending migrations to the configured database (the indexer also does this at start-up)

const PROJECT_DIR = resolve(__dirname, "..", "..");

async function withScratchDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const root = mkdtempSync(join(tmpdir(), "explorer-migrations-"));
  chmodSync(root, 0o755); // as root, Postgres runs as the postgres user, which must enter it
  const pg = await ensureEmbeddedPostgres({
    dataDir: join(root, "pgdata"),
    port: await freePort(),
    log: () => {},
  });
  try {
    useDatabaseUrl(pg.url);
    await applyMigrations(PROJECT_DIR);
    return await fn(pg.url);
  } finally {
    await pg.stop().catch(() => {});
    rmSync(root, { recursive: true, force: true });
  }
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

async function main(command: string | undefined): Promise<number> {
  switch (command) {
    case "generate":
      return withScratchDatabase(async (url) => {
        const bin = join(
          dirname(require.resolve("@subsquid/typeorm-migration/package.json")),
          "bin",
          "squid-typeorm-migration",
        );
        const r = spawnSync(process.execPath, [bin, "generate"], {
          cwd: PROJECT_DIR,
          env: { ...process.env, DB_URL: url },
          stdio: "inherit",
        });
        return r.status ?? 1;
      });
    case "check":
      return withScratchDatabase(async () => {
        const { up } = await pendingSchemaChanges(PROJECT_DIR);
        if (up.length === 0) {
          console.log("migrations: db/migrations matches the model");
          return 0;
        }
        console.error(
          `migrations: db/migrations lags behind the model (schema.graphql); run \`npm run migration:generate -w indexer\`. Missing:\n${up.map((q) => `  ${q}`).join("\n")}`,
        );
        return 1;
      });
    case "apply": {
      const config = loadConfigOrExit();
      const db = await openDatabase(config);
      try {
        const applied = await applyMigrations(PROJECT_DIR);
        console.log(
          `migrations: applied ${applied.length ? applied.join(", ") : "none (up to date)"} on ${redactUrl(db.url)}`,
        );
        return 0;
      } finally {
        await db.stop();
      }
    }
    default:
      console.error("usage: node lib/tools/migrations.js generate | check | apply");
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (err) => {
    // An embedded Postgres that cannot run here says why in its message; anything else gets its stack.
    console.error(
      `migrations: ${err instanceof EmbeddedPostgresError ? err.message : ((err as Error).stack ?? err)}`,
    );
    process.exit(1);
  },
);
