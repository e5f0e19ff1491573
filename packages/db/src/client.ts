import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { lockDataDir } from "./data-dir-lock";
import * as schema from "./schema";

/** The one database type every package codes against, whichever driver is behind it. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/** A transaction handle is also a `Db`, so actions accept either. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

export type DatabaseConfig =
  /**
   * Real PostgreSQL through postgres.js. `prepareStatements`: every query a named prepared
   * statement (see `preparingStatements`); for a direct connection, not a transaction-mode pooler.
   */
  | { url: string; maxConnections?: number; prepareStatements?: boolean }
  /** Embedded PGlite persisted in `dataDir` (`memory://` for tests). One process owns it. */
  | { dataDir: string };

export interface Database {
  db: Db;
  driver: "postgres" | "pglite";
  config: DatabaseConfig;
  /** Subscribes to a NOTIFY channel; resolves to an unsubscribe function. */
  listen(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

const options = { schema, casing: "snake_case" } as const;

/**
 * The client with every query drizzle sends made a named prepared statement. drizzle asks
 * postgres.js for unnamed ones, and postgres.js then describes each statement in a round trip of
 * its own before running it: twice the round trips and socket writes on a hot path that is
 * mostly round trips. postgres.js keeps one prepared statement per distinct query text and
 * connection. Transactions and savepoints hand out scoped clients, which get the same treatment.
 */
function preparingStatements(client: postgres.Sql): postgres.Sql {
  type Scoped = (scoped: postgres.Sql) => unknown;
  const scoping = (method: (...args: unknown[]) => unknown) => (...args: unknown[]) => {
    const body = args.pop() as Scoped;
    return method(...args, (scoped: postgres.Sql) => body(preparingStatements(scoped)));
  };
  return new Proxy(client, {
    get(target, property) {
      if (property === "unsafe") {
        return (query: string, parameters?: postgres.ParameterOrJSON<never>[], queryOptions?: postgres.UnsafeQueryOptions) =>
          target.unsafe(query, parameters, { ...queryOptions, prepare: true });
      }
      const value: unknown = Reflect.get(target, property, target);
      if (property === "begin" || property === "savepoint") return scoping((value as (...args: unknown[]) => unknown).bind(target));
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** Opens PostgreSQL when given a URL, otherwise the embedded database in `dataDir`. */
export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  if ("url" in config) {
    const client = postgres(config.url, { max: config.maxConnections ?? 10, onnotice: () => {} });
    const db = drizzlePostgres({ client: config.prepareStatements ? preparingStatements(client) : client, ...options });
    return {
      db,
      driver: "postgres",
      config,
      async listen(channel, onMessage) {
        const subscription = await client.listen(channel, onMessage);
        return () => subscription.unlisten();
      },
      close: () => client.end({ timeout: 5 }),
    };
  }
  let unlock = () => {};
  if (!config.dataDir.startsWith("memory://")) {
    mkdirSync(config.dataDir, { recursive: true });
    unlock = lockDataDir(config.dataDir);
  }
  const client = await PGlite.create(config.dataDir).catch((error: unknown) => {
    unlock();
    throw error;
  });
  const db = drizzlePglite({ client, ...options });
  return {
    db,
    driver: "pglite",
    config,
    listen: (channel, onMessage) => client.listen(channel, onMessage),
    async close() {
      await client.close();
      unlock();
    },
  };
}

const sharedDatabases = Symbol.for("tollgate.db.shared");
type SharedRegistry = { [sharedDatabases]?: Map<string, Promise<Database>> };

/**
 * One `Database` per configuration per process. The embedded database has a single owner, so
 * the all-in-one launcher and the console's server bundle, which run in one process, must share
 * the handle rather than each open the data folder (which would silently diverge).
 */
export function openSharedDatabase(config: DatabaseConfig): Promise<Database> {
  const registry = ((globalThis as SharedRegistry)[sharedDatabases] ??= new Map());
  const key = JSON.stringify(config);
  let database = registry.get(key);
  if (!database) {
    database = openDatabase(config);
    registry.set(key, database);
    database.catch(() => registry.delete(key));
  }
  return database;
}
