#!/usr/bin/env -S node --import tsx
// Seeds the demo organization into DATABASE_URL (or the embedded folder); running it twice changes nothing.
import { migrate, openDatabase } from "@tollgate/db";
import { readDatabaseEnv } from "@tollgate/db/env";
import { seedDemo } from "../seed";

const database = await openDatabase(readDatabaseEnv());
try {
  await migrate(database);
  const result = await seedDemo(database.db);
  console.log(result.created ? "demo organization created; sign in as:" : "demo organization already present; sign in as:");
  for (const c of result.credentials) console.log(`  ${c.role.padEnd(9)} ${c.email.padEnd(24)} ${c.password}`);
} finally {
  await database.close();
}
