import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import postgres from "postgres";
import type { Database } from "./client";
import type * as schema from "./schema";

/**
 * The repo's generated migrations, shared by both drivers. Built from a path, not `new URL(…,
 * import.meta.url)`, which bundlers take for a module to bundle; bundled apps pass their own.
 */
export const defaultMigrationsFolder = resolve(dirname(fileURLToPath(import.meta.url)), "../../../drizzle");

/** Any 64-bit number, the same in every process, so concurrent starts take turns migrating. */
const MIGRATION_LOCK = 7_265_817_001;

/**
 * Applies every pending migration in order. Throws — never half-applies, never carries on —
 * so a process that cannot migrate refuses to start rather than run on a stale schema.
 */
export async function migrate(database: Database, migrationsFolder = defaultMigrationsFolder): Promise<void> {
  const config = { migrationsFolder, migrationsSchema: "drizzle" };
  try {
    if ("dataDir" in database.config) {
      await migratePglite(database.db as PgliteDatabase<typeof schema>, config);
      return;
    }
    // Several workers may start at once on one PostgreSQL: a session advisory lock on a
    // dedicated connection makes them migrate one after another instead of racing.
    const client = postgres(database.config.url, { max: 1, onnotice: () => {} });
    try {
      await client`select pg_advisory_lock(${MIGRATION_LOCK})`;
      await migratePostgres(drizzlePostgres({ client }), config);
    } finally {
      await client.end({ timeout: 5 });
    }
  } catch (error) {
    throw new Error(`database migration failed (${migrationsFolder}): ${(error as Error).message}`, { cause: error });
  }
}
