// Holds per second on one hot envelope in real PostgreSQL: budget leases with group commit
// versus the naive design (one conditional UPDATE + INSERT transaction per hold), in the same run.
// Prints one JSON line, last. Usage: pnpm bench:budget [holds] [concurrency]
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { envelopes, reservations, type Db } from "@tollgate/db";
import { openTestDatabase } from "@tollgate/db/testing";
import { and, eq, sql } from "drizzle-orm";
import { openBudget } from "../src/budget";
import { envelopeFixture, holdFixture, tenantFixture } from "../src/budget/testing/fixtures";

const holds = Number(process.argv[2] ?? 20_000);
const concurrency = Number(process.argv[3] ?? 200);

async function run(label: string, hold: () => Promise<boolean>) {
  const latencies: number[] = [];
  let next = 0;
  let refused = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < holds) {
        const t = performance.now();
        if (!(await hold())) refused++;
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1_000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Number(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(3));
  const result = { label, holds_per_s: Math.round(holds / seconds), p50_ms: at(0.5), p99_ms: at(0.99), refused };
  console.error(JSON.stringify(result));
  return result;
}

const database = await openTestDatabase("postgres");
const db: Db = database.db;
const tenant = await tenantFixture(db);
try {
  const leased = envelopeFixture(1_000_000_000_000);
  const budget = await openBudget({ db, workerId: `bench-${randomUUID()}`, sweepIntervalMs: 0 });
  const withLeases = await run("leases", async () => (await budget.hold(holdFixture(tenant, [leased], 100))).outcome === "held");
  const cycle = envelopeFixture(1_000_000_000_000);
  const withCommits = await run("leases-hold-then-commit", async () => {
    const request = holdFixture(tenant, [cycle], 100);
    if ((await budget.hold(request)).outcome !== "held") return false;
    const done = await budget.commit({ ...tenant, reservationId: request.reservationId, amount: { amount: 60, currency: "USD" } });
    return done.outcome === "committed";
  });
  await budget.close();

  const direct = envelopeFixture(1_000_000_000_000);
  const [row] = await db
    .insert(envelopes)
    .values({ organizationId: tenant.organizationId, envelopeKey: direct.key, period: direct.period, periodStart: direct.periodStart, limitAmount: direct.limit.amount, currency: "USD" })
    .returning({ id: envelopes.id });
  const perRequest = await run("update-per-hold", () =>
    db.transaction(async (tx) => {
      const moved = await tx
        .update(envelopes)
        .set({ heldAmount: sql`${envelopes.heldAmount} + 100` })
        .where(and(eq(envelopes.id, row!.id), sql`${envelopes.heldAmount} + ${envelopes.committedAmount} + 100 <= ${envelopes.limitAmount}`))
        .returning({ id: envelopes.id });
      if (moved.length === 0) return false;
      await tx.insert(reservations).values({
        organizationId: tenant.organizationId,
        agentId: tenant.agentId,
        amount: 100,
        currency: "USD",
        expiresAt: new Date(Date.now() + 60_000),
      });
      return true;
    }),
  );
  console.log(
    JSON.stringify({
      holds,
      concurrency,
      leases_holds_per_s: withLeases.holds_per_s,
      leases_p50_ms: withLeases.p50_ms,
      leases_p99_ms: withLeases.p99_ms,
      hold_then_commit_per_s: withCommits.holds_per_s,
      hold_then_commit_p99_ms: withCommits.p99_ms,
      update_per_hold_holds_per_s: perRequest.holds_per_s,
      update_per_hold_p50_ms: perRequest.p50_ms,
      update_per_hold_p99_ms: perRequest.p99_ms,
    }),
  );
} finally {
  await tenant.remove();
  await database.close();
}
