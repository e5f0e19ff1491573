import { migrate, openSharedDatabase, type Database, type DatabaseConfig, type Db } from "@tollgate/db";
import { env } from "@/env";

/** The database configuration for this process: PostgreSQL with DATABASE_URL, else the embedded one. */
export function databaseConfig(): DatabaseConfig {
  const { databaseUrl, dataDir } = env();
  return databaseUrl ? { url: databaseUrl } : { dataDir };
}

const ready = Symbol.for("tollgate.web.database");
type Registry = { [ready]?: Promise<Database> };

/**
 * The console's database, opened and migrated once per process. The handle comes from
 * `openSharedDatabase`, so when the all-in-one launcher has already opened the embedded
 * database in this process, the console uses that very handle. The promise lives on
 * `globalThis` because Next.js may load this module once per route bundle.
 */
export async function getDatabase(): Promise<Database> {
  const registry = globalThis as Registry;
  registry[ready] ??= (async () => {
    const database = await openSharedDatabase(databaseConfig());
    await migrate(database, env().migrationsDir);
    return database;
  })();
  registry[ready].catch(() => delete registry[ready]);
  return registry[ready];
}

/** The console's query handle (see `getDatabase`). */
export async function getDb(): Promise<Db> {
  return (await getDatabase()).db;
}
