#!/usr/bin/env -S node --import tsx
import { migrate, openDatabase } from "@tollgate/db";
import { readWorkerEnv } from "./env";
import { serveWorker } from "./serve";
import { WORKER_VERSION } from "./version";

const env = readWorkerEnv();
const database = await openDatabase(env.database);
await migrate(database);
// serveWorker logs "worker started" with its URL once it listens.
const worker = await serveWorker({ host: env.WORKER_HOST, port: env.WORKER_PORT, workerId: env.WORKER_ID, version: WORKER_VERSION, database });

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void worker
      .stop()
      .then(() => database.close())
      .then(() => process.exit(0));
  });
}
