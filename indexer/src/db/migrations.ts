import { createOrmConfig } from "@subsquid/typeorm-config";
import { DataSource } from "typeorm";

// Migrations live in <projectDir>/db/migrations/*.js (TypeORM, CommonJS, as squid-typeorm-migration writes
// them); the model in <projectDir>/lib/model. Both are found by @subsquid/typeorm-config, the same way
// TypeormDatabase finds them, and the connection comes from DB_URL (see ./connection.ts).

function dataSource(projectDir: string): DataSource {
  return new DataSource({
    ...createOrmConfig({ projectDir }),
    subscribers: [],
    synchronize: false,
    migrationsRun: false,
    dropSchema: false,
    logging: ["error"],
  });
}

/** Applies pending migrations in one transaction (what `squid-typeorm-migration apply` does); returns their names. */
export async function applyMigrations(projectDir: string): Promise<string[]> {
  const ds = dataSource(projectDir);
  await ds.initialize();
  try {
    const applied = await ds.runMigrations({ transaction: "all" });
    return applied.map((m) => m.name);
  } finally {
    await ds.destroy().catch(() => {});
  }
}

/** The SQL that would bring the database to the model (empty when migrations and model agree). */
export async function pendingSchemaChanges(projectDir: string): Promise<{ up: string[]; down: string[] }> {
  const ds = dataSource(projectDir);
  await ds.initialize();
  try {
    const log = await ds.driver.createSchemaBuilder().log();
    return { up: log.upQueries.map((q) => q.query), down: log.downQueries.map((q) => q.query) };
  } finally {
    await ds.destroy().catch(() => {});
  }
}
