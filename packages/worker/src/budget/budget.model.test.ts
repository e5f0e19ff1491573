import { randomUUID } from "node:crypto";
import type { Database } from "@tollgate/db";
import { openTestDatabase, testDrivers } from "@tollgate/db/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openBudget } from "./budget";
import { envelopeFixture, envelopeTotals, tenantFixture } from "./testing/fixtures";
import type { HoldResult } from "./types";

/** The reference: an envelope is two numbers, a reservation a status, and nothing is ever leased. */
interface ModelReservation {
  id: string;
  amount: number;
  envelopes: readonly number[];
  expiresAt: number;
  status: "held" | "committed" | "released" | "expired";
  committed: number | null;
}

const LIMITS = [1_000, 600];

const operation = fc.oneof(
  fc.record({
    kind: fc.constant("hold" as const),
    amount: fc.integer({ min: 1, max: 700 }),
    envelopes: fc.constantFrom([0], [1], [0, 1], [1, 0]),
    expiresIn: fc.integer({ min: 1, max: 10 }),
  }),
  fc.record({ kind: fc.constant("commit" as const), pick: fc.nat(), actual: fc.integer({ min: 0, max: 720 }) }),
  fc.record({ kind: fc.constant("release" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("expire" as const), at: fc.integer({ min: 0, max: 11 }) }),
);

describe.each(testDrivers)("budget against a reference model on %s", (driver) => {
  let database: Database;
  const numRuns = driver === "pglite" ? 60 : 10;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(async () => {
    await database?.close();
  });

  it("keeps held plus committed within every limit and agrees with the model under any interleaving", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 25 }), async (operations) => {
        const tenant = await tenantFixture(database.db);
        // Idle returns every few ms, so lease returns interleave with everything else.
        const budget = await openBudget({ db: database.db, workerId: `model-${randomUUID()}`, sweepIntervalMs: 0, idleReturnMs: 10 });
        const envelopes = LIMITS.map((limit) => envelopeFixture(limit));
        // Expiry times lie in the past so a sweep "as of" them never touches live leases.
        const base = Date.now() - 3_600_000;
        const model: ModelReservation[] = [];
        const used = (e: number) =>
          model.reduce((n, r) => n + (r.envelopes.includes(e) ? (r.status === "held" ? r.amount : (r.committed ?? 0)) : 0), 0);
        try {
          for (const op of operations) {
            if (op.kind === "hold") {
              const id = randomUUID();
              const fits = op.envelopes.every((e) => used(e) + op.amount <= LIMITS[e]!);
              const result: HoldResult = await budget.hold({
                ...tenant,
                reservationId: id,
                envelopes: op.envelopes.map((e) => envelopes[e]!),
                amount: { amount: op.amount, currency: "USD" },
                expiresAt: new Date(base + op.expiresIn * 1_000),
              });
              expect(result.outcome, JSON.stringify(result)).toBe(fits ? "held" : "refused");
              if (fits) {
                model.push({ id, amount: op.amount, envelopes: op.envelopes, expiresAt: op.expiresIn, status: "held", committed: null });
              }
            } else if (op.kind === "commit" || op.kind === "release") {
              const target = model[op.pick % Math.max(1, model.length)];
              if (!target) continue;
              if (op.kind === "commit") {
                const result = await budget.commit({ ...tenant, reservationId: target.id, amount: { amount: op.actual, currency: "USD" } });
                const ok =
                  (target.status === "held" && op.actual <= target.amount) ||
                  (target.status === "committed" && target.committed === op.actual);
                expect(result.outcome).toBe(ok ? "committed" : "refused");
                if (ok) Object.assign(target, { status: "committed", committed: op.actual });
              } else {
                const result = await budget.release({ ...tenant, reservationId: target.id });
                expect(result.outcome).toBe(target.status === "committed" ? "refused" : "released");
                if (target.status === "held") target.status = "released";
              }
            } else {
              await budget.sweep({ asOf: new Date(base + op.at * 1_000), organizationId: tenant.organizationId });
              for (const r of model) if (r.status === "held" && r.expiresAt < op.at) r.status = "expired";
            }
            for (const [e, envelope] of envelopes.entries()) {
              const totals = await envelopeTotals(database.db, tenant.organizationId, envelope.key);
              if (!totals) continue;
              // INVARIANT: held + committed <= limit (and with leases: held + committed + leased <= limit).
              expect(totals.held + totals.committed + totals.leased).toBeLessThanOrEqual(LIMITS[e]!);
              expect(totals.held + totals.committed).toBe(used(e));
              expect(totals.leased).toBe(totals.fromLeases);
            }
          }
        } finally {
          await budget.close();
          await tenant.remove();
        }
      }),
      { numRuns },
    );
  });

  it("never overspends with concurrent holds from two workers on shared envelopes, and holds exactly what it acknowledged", async () => {
    const concurrentHold = fc.record({
      worker: fc.constantFrom(0, 1),
      amount: fc.integer({ min: 1, max: 400 }),
      envelopes: fc.constantFrom([0], [1], [0, 1], [1, 0]),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(concurrentHold, { minLength: 1, maxLength: 40 }), async (holds) => {
        const tenant = await tenantFixture(database.db);
        const workers = await Promise.all(
          [0, 1].map(() => openBudget({ db: database.db, workerId: `pair-${randomUUID()}`, sweepIntervalMs: 0 })),
        );
        const envelopes = LIMITS.map((limit) => envelopeFixture(limit));
        try {
          const results = await Promise.all(
            holds.map((h) =>
              workers[h.worker]!.hold({
                ...tenant,
                reservationId: randomUUID(),
                envelopes: h.envelopes.map((e) => envelopes[e]!),
                amount: { amount: h.amount, currency: "USD" },
                expiresAt: new Date(Date.now() + 60_000),
              }),
            ),
          );
          for (const result of results) expect(["held", "envelope_exceeded"]).toContain(result.outcome === "held" ? "held" : result.code);
          await Promise.all(workers.map((w) => w.close()));
          for (const [e, envelope] of envelopes.entries()) {
            const acknowledged = holds.reduce((n, h, i) => n + (results[i]!.outcome === "held" && (h.envelopes as readonly number[]).includes(e) ? h.amount : 0), 0);
            const totals = await envelopeTotals(database.db, tenant.organizationId, envelope.key);
            // INVARIANT: held + committed <= limit
            expect(totals?.held ?? 0).toBeLessThanOrEqual(LIMITS[e]!);
            expect(totals?.held ?? 0).toBe(acknowledged);
            expect(totals?.leased ?? 0).toBe(0);
          }
        } finally {
          await Promise.all(workers.map((w) => w.close()));
          await tenant.remove();
        }
      }),
      { numRuns },
    );
  });
});
