#!/usr/bin/env -S node --import tsx
// Runs the traffic simulator against a decision worker started here, on DATABASE_URL or a
// throwaway in-memory database, and prints the report: text, then one JSON line last.
import { migrate, openDatabase } from "@tollgate/db";
import { serveWorker } from "@tollgate/worker";
import { readSimulatorEnv } from "../env";
import { renderReport } from "../report";
import { simulateTraffic } from "../simulate";

const env = readSimulatorEnv();
const database = await openDatabase(env.DATABASE_URL ? { url: env.DATABASE_URL } : { dataDir: "memory://" });
await migrate(database);
// The worker's own log lines would bury the report; its failures still reach stderr.
const info = console.log;
console.log = () => {};
const worker = await serveWorker({ host: "127.0.0.1", port: 0, workerId: `simulator-${process.pid}`, version: "simulator", database });
try {
  const report = await simulateTraffic({ db: database.db, workerUrl: worker.url, sessions: env.SIMULATION_SESSIONS, seed: env.SIMULATION_SEED });
  info(renderReport(report));
  info(JSON.stringify(report));
  process.exitCode = report.sessionsToSeparate.met && report.loopCallsBeforeStop.met && report.carefulFalseHoldRate.met ? 0 : 1;
} finally {
  await worker.stop();
  await database.close();
}
