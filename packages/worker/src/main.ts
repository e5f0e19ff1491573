#!/usr/bin/env -S node --import tsx
import { migrate, openDatabase } from "@tollgate/db";
import { readWorkerEnv } from "./env";
import { serveWorker } from "./serve";
import { WORKER_VERSION } from "./version";

const env = readWorkerEnv();
// The worker talks to PostgreSQL directly, so its statements can be prepared once per connection.
const database = await openDatabase("url" in env.database ? { ...env.database, prepareStatements: true } : env.database);
await migrate(database);
// serveWorker logs "worker started" with its URL once it listens.
const worker = await serveWorker({
  host: env.WORKER_HOST,
  port: env.WORKER_PORT,
  workerId: env.WORKER_ID,
  version: WORKER_VERSION,
  database,
  ...(env.WORKER_JOURNAL_DIR ? { journalDir: env.WORKER_JOURNAL_DIR } : {}),
});

// `on` with a guard, not `once`: a second signal (a process group stop relayed by tsx) must not
// kill the worker while it writes its pending holds and returns its leases.
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void worker
      .stop()
      .then(() => database.close())
      .then(() => process.exit(0));
  });
}
