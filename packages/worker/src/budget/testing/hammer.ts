// A worker process for the multi-process budget tests: it opens its own PostgreSQL connection
// and hammers one envelope. It prints what its "clients" received, one line per answer, with a
// synchronous write *after* the budget resolved, so the parent knows exactly what was acknowledged:
//   held <reservationId> <amount> | committed <reservationId> <amount> | released <reservationId>
//   refused <code> | done <json>
import { randomUUID } from "node:crypto";
import { writeSync } from "node:fs";
import { createInterface } from "node:readline";
import { openDatabase } from "@tollgate/db";
import { openBudget } from "../budget";
import type { EnvelopeToHold } from "../types";

export interface HammerConfig {
  url: string;
  workerId: string;
  organizationId: string;
  agentId: string;
  envelope: Omit<EnvelopeToHold, "periodStart"> & { periodStart: string };
  /** "burst": fire `requests` holds at once, commit every other one in full, then exit.
   *  "steady": keep `concurrency` holds in flight with random amounts, settling some, until killed. */
  mode: "burst" | "steady";
  requests: number;
  amount: number;
  concurrency: number;
  /** Journal holds here (see HoldJournalOptions) instead of writing each batch to PostgreSQL before answering. */
  journalDir?: string;
}

/** Writes a whole line before returning, even when the parent reads slowly (a full, non-blocking pipe). */
function say(line: string) {
  const bytes = Buffer.from(`${line}\n`);
  for (let written = 0; written < bytes.length; ) {
    try {
      written += writeSync(1, bytes, written);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EAGAIN") throw error;
    }
  }
}

async function main() {
  const config = JSON.parse(process.argv[2]!) as HammerConfig;
  const database = await openDatabase({ url: config.url, maxConnections: 4 });
  const budget = await openBudget({
    db: database.db,
    workerId: config.workerId,
    sweepIntervalMs: 0,
    ...(config.journalDir ? { journal: { dir: config.journalDir } } : {}),
  });
  const envelope = { ...config.envelope, periodStart: new Date(config.envelope.periodStart) };
  const tenant = { organizationId: config.organizationId, agentId: config.agentId };

  const holdOne = async (amount: number) => {
    const reservationId = randomUUID();
    const result = await budget.hold({
      ...tenant,
      reservationId,
      envelopes: [envelope],
      amount: { amount, currency: envelope.limit.currency },
      expiresAt: new Date(Date.now() + 60_000),
    });
    if (result.outcome === "held") say(`held ${reservationId} ${amount}`);
    else say(`refused ${result.code}`);
    return result.outcome === "held" ? reservationId : null;
  };

  // Start together: the parent says "go" once every worker is ready.
  say("ready");
  await new Promise<void>((resolve) => {
    const input = createInterface({ input: process.stdin });
    input.once("line", () => {
      input.close();
      process.stdin.destroy();
      resolve();
    });
  });

  if (config.mode === "burst") {
    let n = 0;
    await Promise.all(
      Array.from({ length: config.requests }, async () => {
        const id = await holdOne(config.amount);
        if (id && n++ % 2 === 0) {
          const result = await budget.commit({ ...tenant, reservationId: id, amount: { amount: config.amount, currency: envelope.limit.currency } });
          if (result.outcome === "committed") say(`committed ${id} ${config.amount}`);
        }
      }),
    );
    await budget.close();
    await database.close();
    say("done");
    return;
  }

  const lane = async () => {
    for (;;) {
      const amount = 1 + Math.floor(Math.random() * 500);
      const id = await holdOne(amount);
      if (!id) continue;
      const dice = Math.random();
      if (dice < 0.4) {
        const actual = Math.floor(Math.random() * (amount + 1));
        const result = await budget.commit({ ...tenant, reservationId: id, amount: { amount: actual, currency: envelope.limit.currency } });
        if (result.outcome === "committed") say(`committed ${id} ${actual}`);
      } else if (dice < 0.7) {
        const result = await budget.release({ ...tenant, reservationId: id });
        if (result.outcome === "released") say(`released ${id}`);
      }
      // The rest stay held, unclaimed, for the sweep to expire.
    }
  };
  await Promise.all(Array.from({ length: config.concurrency }, lane));
}

main().catch((error: unknown) => {
  say(`error ${(error as Error).stack ?? String(error)}`.replace(/\n/g, " | "));
  process.exit(1);
});
