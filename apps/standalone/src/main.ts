import { createServer } from "node:http";
import { migrate, openSharedDatabase } from "@tollgate/db";
import { DEMO_SESSIONS, seedDemo, simulateDemoTraffic } from "@tollgate/demo";
import { serveWorker, WORKER_VERSION } from "@tollgate/worker";
import next from "next";
import { readLauncherEnv } from "./env";

const env = readLauncherEnv();
const log = (msg: string, fields: Record<string, unknown> = {}) =>
  console.log(JSON.stringify({ level: "info", msg, ...fields }));

// One process owns the embedded database; the console's server bundle runs in this process too
// and finds the same handle through openSharedDatabase.
const databaseConfig = env.DATABASE_URL ? { url: env.DATABASE_URL } : { dataDir: env.TOLLGATE_DATA_DIR };
const database = await openSharedDatabase(databaseConfig);
log("database open", { driver: database.driver, where: env.DATABASE_URL ? "DATABASE_URL" : env.TOLLGATE_DATA_DIR });
await migrate(database);
log("migrations applied");

const seed = env.TOLLGATE_SEED === "true" ? await seedDemo(database.db) : undefined;
if (seed) log(seed.created ? "demo data created" : "demo data already present");

const worker = await serveWorker({ host: env.HOST, port: env.WORKER_PORT, workerId: env.WORKER_ID, version: WORKER_VERSION, database });

// Once, on the first start: real traffic through the worker, so the demo has what only a worker
// writes (envelopes, holds, trust scores moving session by session) beside its seeded history.
if (seed?.created) {
  log("simulating agent traffic into the demo", { sessions: DEMO_SESSIONS });
  const started = performance.now();
  const report = await simulateDemoTraffic(database.db, worker.url, seed.organizationId);
  log("demo traffic simulated", { calls: report.calls.total, ms: Math.round(performance.now() - started) });
}

const consoleUrl = `http://${env.HOST}:${env.PORT}`;
// The console reads its own env.ts; these are the values this launcher decided for it.
Object.assign(process.env, {
  TOLLGATE_DATA_DIR: env.TOLLGATE_DATA_DIR,
  NEXTAUTH_URL: consoleUrl,
  NEXTAUTH_SECRET: env.NEXTAUTH_SECRET,
});
const app = next({ dev: false, dir: env.webDir, hostname: env.HOST, port: env.PORT });
await app.prepare();
const handle = app.getRequestHandler();
const server = createServer((request, response) => void handle(request, response));
await new Promise<void>((resolve, reject) => {
  server.once("error", reject);
  server.listen(env.PORT, env.HOST, resolve);
});

const banner = [
  "",
  "  Tollgate is running",
  `  console          ${consoleUrl}`,
  `  decision worker  ${worker.url}  (GET /healthz)`,
  `  database         ${env.DATABASE_URL ? "PostgreSQL (DATABASE_URL)" : `embedded PGlite in ${env.TOLLGATE_DATA_DIR}`}`,
  ...(seed
    ? [
        "",
        "  Sign in as:",
        ...seed.credentials.map((c) => `    ${c.role.padEnd(9)} ${c.email.padEnd(24)} ${c.password}`),
        "",
        `  Ask the worker as the demo agent ${seed.demoKey.agent}:`,
        `    curl -s ${worker.url}/v1/decisions -H 'authorization: Bearer ${seed.demoKey.key}' \\`,
        `      -d '{"action":"stripe.charges.create","amount":{"amount":1250,"currency":"USD"},"merchant":"stripe","sessionId":"try-1","requestId":"try-1"}'`,
      ]
    : []),
  "",
  "  Ctrl+C stops everything.",
  "",
];
console.log(banner.join("\n"));

// `on`, not `once`: a process group stop can deliver the signal twice (directly and relayed by
// tsx), and a second one must not kill the process halfway through closing the database.
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    log("stopping", { signal });
    server.close();
    server.closeAllConnections();
    await worker.stop();
    await app.close();
    await database.close();
    process.exit(0);
  });
}
