// Holds per second on one envelope from N worker processes on one PostgreSQL (budget leases +
// group commit), each firing its holds at once and committing every other one.
// Prints one JSON line, last. Usage: pnpm bench:budget-processes [processes] [holds per process]
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { openTestDatabase } from "@tollgate/db/testing";
import type { HammerConfig } from "../src/budget/testing/hammer";
import { envelopeFixture, envelopeTotals, tenantFixture } from "../src/budget/testing/fixtures";

const processes = Number(process.argv[2] ?? 3);
const perProcess = Number(process.argv[3] ?? 5_000);
const hammerPath = fileURLToPath(new URL("../src/budget/testing/hammer.ts", import.meta.url));

const database = await openTestDatabase("postgres");
const tenant = await tenantFixture(database.db);
try {
  const envelope = envelopeFixture(1_000_000_000_000);
  const children = Array.from({ length: processes }, (_, i) => {
    const config: HammerConfig = {
      url: (database.config as { url: string }).url,
      workerId: `bench-${i}-${randomUUID()}`,
      ...tenant,
      envelope: { ...envelope, periodStart: envelope.periodStart.toISOString() },
      mode: "burst",
      requests: perProcess,
      amount: 100,
      concurrency: 0,
    };
    const child = spawn(process.execPath, ["--import", "tsx", hammerPath, JSON.stringify(config)], { stdio: ["pipe", "pipe", "inherit"] });
    let ready!: () => void;
    let lastAnswerAt = 0;
    let buffered = "";
    const isReady = new Promise<void>((resolve) => (ready = resolve));
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      buffered += chunk;
      if (buffered.includes("ready")) ready();
      if (/(held|refused) /.test(chunk)) lastAnswerAt = performance.now();
      buffered = buffered.slice(-10);
    });
    const exited = new Promise((resolve) => child.on("exit", resolve));
    return { child, isReady, exited, lastAnswer: () => lastAnswerAt };
  });
  await Promise.all(children.map((c) => c.isReady));
  const started = performance.now();
  for (const c of children) c.child.stdin.write("go\n");
  await Promise.all(children.map((c) => c.exited));
  const seconds = (Math.max(...children.map((c) => c.lastAnswer())) - started) / 1_000;
  const totals = await envelopeTotals(database.db, tenant.organizationId, envelope.key);
  console.log(
    JSON.stringify({
      processes,
      holds: processes * perProcess,
      holds_per_s: Math.round((processes * perProcess) / seconds),
      held_plus_committed: (totals?.held ?? 0) + (totals?.committed ?? 0),
    }),
  );
} finally {
  await tenant.remove();
  await database.close();
}
