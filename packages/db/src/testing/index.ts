import postgres from "postgres";
import { openDatabase, type Database, type DatabaseConfig, type Db } from "../client";
import { migrate } from "../migrate";

export { organizationFixture, userFixture, agentFixture, publishedPolicyFixture } from "./fixtures";

/** Real PostgreSQL for tests; `.ci/run` starts it when the machine lacks it. */
const testPostgresUrl = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/tollgate_test";

/** The drivers every database test runs against: the embedded one and real PostgreSQL. */
export const testDrivers = ["pglite", "postgres"] as const;
export type TestDriver = (typeof testDrivers)[number];

async function ensurePostgresDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = target.pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = postgres(admin.toString(), { max: 1, onnotice: () => {} });
  try {
    const [row] = await client`select 1 as present from pg_database where datname = ${name}`;
    if (!row) await client.unsafe(`create database "${name.replace(/"/g, '""')}"`).catch((error: { code?: string }) => {
      // Two test files may race to create it; the loser finds it there.
      if (error.code !== "42P04") throw error;
    });
  } catch (error) {
    throw new Error(
      `PostgreSQL tests need a server at ${admin.host} (set TEST_DATABASE_URL): ${(error as Error).message}`,
      { cause: error },
    );
  } finally {
    await client.end({ timeout: 5 });
  }
}

/** Opens a migrated database for one test file: a fresh in-memory PGlite, or the shared test PostgreSQL. */
export async function openTestDatabase(driver: TestDriver): Promise<Database> {
  let config: DatabaseConfig;
  if (driver === "pglite") {
    config = { dataDir: "memory://" };
  } else {
    await ensurePostgresDatabase(testPostgresUrl);
    config = { url: testPostgresUrl, maxConnections: 4 };
  }
  const database = await openDatabase(config);
  await migrate(database);
  return database;
}

class RolledBack extends Error {}

/** Runs `work` in a transaction that is always rolled back, so tests leave nothing behind. */
export async function withRollback<T>(db: Db, work: (tx: Db) => Promise<T>): Promise<T> {
  let result: T | undefined;
  try {
    await db.transaction(async (tx) => {
      result = await work(tx as unknown as Db);
      throw new RolledBack();
    });
  } catch (error) {
    if (!(error instanceof RolledBack)) throw error;
  }
  return result as T;
}
