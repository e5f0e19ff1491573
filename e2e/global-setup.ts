import { migrate, openDatabase, signInThrottles } from "@tollgate/db";
import postgres from "postgres";
import { e2e } from "./config";

/** Creates the end-to-end database if it is missing, migrates it, and forgets earlier runs' failed sign-ins. */
export default async function globalSetup() {
  const url = new URL(e2e.databaseUrl);
  const name = url.pathname.slice(1);
  const maintenance = new URL(e2e.databaseUrl);
  maintenance.pathname = "/postgres";
  const admin = postgres(maintenance.toString(), { max: 1, onnotice: () => {} });
  try {
    const [present] = await admin`select 1 from pg_database where datname = ${name}`;
    if (!present) await admin.unsafe(`create database "${name.replace(/"/g, '""')}"`);
  } catch (error) {
    throw new Error(`The end-to-end tests need PostgreSQL at ${maintenance.host} (set E2E_DATABASE_URL): ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    await admin.end({ timeout: 5 });
  }

  const database = await openDatabase({ url: e2e.databaseUrl, maxConnections: 1 });
  try {
    await migrate(database);
    // Every test signs in from 127.0.0.1: earlier runs' failures must not lock this one out.
    await database.db.delete(signInThrottles);
  } finally {
    await database.close();
  }
}
