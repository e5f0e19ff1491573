#!/usr/bin/env -S node --import tsx
// Applies pending migrations and exits: the `migrate` step of docker-compose and of deploys.
import { migrate } from "../migrate";
import { openDatabase } from "../client";
import { readDatabaseEnv } from "./env";

const database = await openDatabase(readDatabaseEnv());
try {
  await migrate(database);
  console.log(JSON.stringify({ level: "info", msg: "migrations applied", driver: database.driver }));
} finally {
  await database.close();
}
