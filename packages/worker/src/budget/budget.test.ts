import { budgetLeases, organizations, type Database, type Db } from "@tollgate/db";
import { openTestDatabase, testDrivers } from "@tollgate/db/testing";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { openBudget, type Budget, type BudgetOptions, type HoldRider } from "./budget";
import { sweepBudgets } from "./store";
import { readSegment } from "../journal/journal";
import { eq, sql } from "drizzle-orm";
import { envelopeFixture, envelopeTotals, holdFixture, reservationStatuses, tenantFixture } from "./testing/fixtures";

describe.each(testDrivers)("budget on %s", (driver) => {
  let database: Database;
  let budget: Budget;
  let tenant: Awaited<ReturnType<typeof tenantFixture>>;
  let workerSeq = 0;

  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(async () => {
    await database?.close();
  });
  const open = async () => {
    tenant = await tenantFixture(database.db);
    budget = await openBudget({ db: database.db, workerId: `test-${driver}-${process.pid}-${++workerSeq}-${Date.now()}`, sweepIntervalMs: 0 });
  };
  afterEach(async () => {
    await budget?.close();
    await tenant?.remove();
  });

  it("holds, then commits the actual amount and returns the rest to the envelope", async () => {
    await open();
    const envelope = envelopeFixture(10_000);
    const request = holdFixture(tenant, [envelope], 2_500);
    expect(await budget.hold(request)).toEqual({ outcome: "held", reservationId: request.reservationId });
    expect(await budget.commit({ ...tenant, reservationId: request.reservationId, amount: { amount: 1_000, currency: "USD" } })).toMatchObject({
      outcome: "committed",
    });
    await budget.close();
    const totals = await envelopeTotals(database.db, tenant.organizationId, envelope.key);
    expect(totals).toMatchObject({ held: 0, committed: 1_000, leased: 0, fromReservations: { held: 0, committed: 1_000 } });
  });

  it("refuses a commit above the hold and keeps the hold", async () => {
    await open();
    const request = holdFixture(tenant, [envelopeFixture(10_000)], 500);
    await budget.hold(request);
    const result = await budget.commit({ ...tenant, reservationId: request.reservationId, amount: { amount: 501, currency: "USD" } });
    expect(result).toMatchObject({ outcome: "refused", code: "commit_exceeds_hold" });
    expect((await reservationStatuses(database.db, [request.reservationId])).get(request.reservationId)).toBe("held");
  });

  it("treats a repeated commit of the same amount as the first one", async () => {
    await open();
    const request = holdFixture(tenant, [envelopeFixture(10_000)], 500);
    await budget.hold(request);
    const commit = { ...tenant, reservationId: request.reservationId, amount: { amount: 400, currency: "USD" } };
    expect(await budget.commit(commit)).toMatchObject({ outcome: "committed" });
    expect(await budget.commit(commit)).toMatchObject({ outcome: "committed" });
    expect(await budget.commit({ ...commit, amount: { amount: 300, currency: "USD" } })).toMatchObject({ code: "reservation_settled" });
  });

  it("settles a reservation once when a commit and a release of it race", async () => {
    await open();
    const envelope = envelopeFixture(10_000);
    const request = holdFixture(tenant, [envelope], 800);
    await budget.hold(request);
    const ids = { ...tenant, reservationId: request.reservationId };
    const [commit, release] = await Promise.all([
      budget.commit({ ...ids, amount: { amount: 500, currency: "USD" } }),
      budget.release(ids),
    ]);
    expect([commit.outcome, release.outcome].sort()).toEqual(["committed", "refused"]);
    await budget.close();
    expect(await envelopeTotals(database.db, tenant.organizationId, envelope.key)).toMatchObject({ held: 0, committed: 500, leased: 0 });
  });

  it("releases a hold, and releasing it twice is harmless", async () => {
    await open();
    const envelope = envelopeFixture(1_000);
    const request = holdFixture(tenant, [envelope], 1_000);
    expect(await budget.hold(request)).toMatchObject({ outcome: "held" });
    const release = { ...tenant, reservationId: request.reservationId };
    expect(await budget.release(release)).toMatchObject({ outcome: "released" });
    expect(await budget.release(release)).toMatchObject({ outcome: "released" });
    expect(await budget.commit({ ...release, amount: { amount: 1, currency: "USD" } })).toMatchObject({ code: "reservation_settled" });
    expect(await budget.hold(holdFixture(tenant, [envelope], 1_000))).toMatchObject({ outcome: "held" });
  });

  it("never holds the same reservation id twice", async () => {
    await open();
    const envelope = envelopeFixture(1_000);
    const request = holdFixture(tenant, [envelope], 600);
    const [first, second] = await Promise.all([budget.hold(request), budget.hold(request)]);
    expect(first).toMatchObject({ outcome: "held" });
    expect(second).toMatchObject({ outcome: "held" });
    expect(await budget.hold(request)).toMatchObject({ outcome: "held" });
    expect(await budget.hold({ ...request, amount: { amount: 10, currency: "USD" } })).toMatchObject({ code: "reservation_conflict" });
    await budget.close();
    expect(await envelopeTotals(database.db, tenant.organizationId, envelope.key)).toMatchObject({ held: 600, fromReservations: { count: 1 } });
  });

  it("expires an unclaimed hold and returns its money", async () => {
    await open();
    const envelope = envelopeFixture(1_000);
    const request = holdFixture(tenant, [envelope], 700, { expiresAt: new Date(Date.now() + 60_000) });
    await budget.hold(request);
    expect(await budget.sweep({ asOf: new Date(Date.now() + 30_000), organizationId: tenant.organizationId })).toMatchObject({ expired: 0 });
    const swept = await budget.sweep({ asOf: new Date(Date.now() + 120_000), organizationId: tenant.organizationId });
    expect(swept.expired).toBeGreaterThanOrEqual(1);
    expect((await reservationStatuses(database.db, [request.reservationId])).get(request.reservationId)).toBe("expired");
    expect(await budget.commit({ ...tenant, reservationId: request.reservationId, amount: { amount: 1, currency: "USD" } })).toMatchObject({
      code: "reservation_settled",
    });
    expect(await budget.release({ ...tenant, reservationId: request.reservationId })).toMatchObject({ outcome: "released" });
    await budget.close();
    expect(await envelopeTotals(database.db, tenant.organizationId, envelope.key)).toMatchObject({ held: 0, committed: 0, leased: 0 });
  });

  it("allows a hold of exactly the limit and refuses one more minor unit", async () => {
    await open();
    const envelope = envelopeFixture(10_000);
    expect(await budget.hold(holdFixture(tenant, [envelope], 9_999))).toMatchObject({ outcome: "held" });
    expect(await budget.hold(holdFixture(tenant, [envelope], 1))).toMatchObject({ outcome: "held" });
    expect(await budget.hold(holdFixture(tenant, [envelope], 1))).toMatchObject({
      outcome: "refused",
      code: "envelope_exceeded",
      envelopeKey: envelope.key,
    });
    const fresh = envelopeFixture(10_000);
    expect(await budget.hold(holdFixture(tenant, [fresh], 10_001))).toMatchObject({ code: "envelope_exceeded" });
    expect(await budget.hold(holdFixture(tenant, [fresh], 10_000))).toMatchObject({ outcome: "held" });
  });

  it("starts a fresh envelope for a new period window", async () => {
    await open();
    const today = envelopeFixture(1_000);
    const tomorrow = { ...today, periodStart: new Date("2026-11-25T00:00:00Z") };
    expect(await budget.hold(holdFixture(tenant, [today], 1_000))).toMatchObject({ outcome: "held" });
    expect(await budget.hold(holdFixture(tenant, [today], 1))).toMatchObject({ code: "envelope_exceeded" });
    expect(await budget.hold(holdFixture(tenant, [tomorrow], 1_000))).toMatchObject({ outcome: "held" });
  });

  it("follows a limit the policy raised, and a lowered limit stops new holds without undoing old ones", async () => {
    await open();
    const envelope = envelopeFixture(1_000);
    expect(await budget.hold(holdFixture(tenant, [envelope], 800))).toMatchObject({ outcome: "held" });
    const raised = { ...envelope, limit: { amount: 2_000, currency: "USD" } };
    expect(await budget.hold(holdFixture(tenant, [raised], 1_200))).toMatchObject({ outcome: "held" });
    const lowered = { ...envelope, limit: { amount: 500, currency: "USD" } };
    expect(await budget.hold(holdFixture(tenant, [lowered], 1))).toMatchObject({ code: "envelope_exceeded" });
    await budget.close();
    expect(await envelopeTotals(database.db, tenant.organizationId, envelope.key)).toMatchObject({ held: 2_000, leased: 0 });
  });

  it("holds on every envelope of a delegation chain or on none of them", async () => {
    await open();
    const delegator = envelopeFixture(10_000);
    const delegate = envelopeFixture(3_000);
    expect(await budget.hold(holdFixture(tenant, [delegate, delegator], 2_000))).toMatchObject({ outcome: "held" });
    expect(await budget.hold(holdFixture(tenant, [delegate, delegator], 2_000))).toMatchObject({
      code: "envelope_exceeded",
      envelopeKey: delegate.key,
    });
    expect(await budget.hold(holdFixture(tenant, [delegator], 8_000))).toMatchObject({ outcome: "held" });
    await budget.close();
    expect(await envelopeTotals(database.db, tenant.organizationId, delegator.key)).toMatchObject({ held: 10_000, leased: 0 });
    expect(await envelopeTotals(database.db, tenant.organizationId, delegate.key)).toMatchObject({ held: 2_000, leased: 0 });
  });

  it("refuses an amount in another currency than the envelope's and converts nothing", async () => {
    await open();
    const envelope = envelopeFixture(10_000);
    const result = await budget.hold(holdFixture(tenant, [envelope], 100, { amount: { amount: 100, currency: "EUR" } }));
    expect(result).toMatchObject({ outcome: "refused", code: "currency_mismatch", envelopeKey: envelope.key });
    expect(result.outcome === "refused" && result.message).toContain("EUR");
    const request = holdFixture(tenant, [envelope], 100);
    await budget.hold(request);
    expect(await budget.commit({ ...tenant, reservationId: request.reservationId, amount: { amount: 50, currency: "EUR" } })).toMatchObject({
      code: "currency_mismatch",
    });
  });

  it("refuses fractional, negative, zero and unsafe amounts before holding anything", async () => {
    await open();
    const envelope = envelopeFixture(10_000);
    for (const amount of [0, -1, 1.5, Number.NaN, 2 ** 53]) {
      expect(await budget.hold(holdFixture(tenant, [envelope], amount))).toMatchObject({ code: "invalid_request" });
    }
    expect(await envelopeTotals(database.db, tenant.organizationId, envelope.key)).toBeNull();
  });

  it("refuses a commit or release of another organization's reservation", async () => {
    await open();
    const request = holdFixture(tenant, [envelopeFixture(10_000)], 100);
    await budget.hold(request);
    const stranger = await tenantFixture(database.db);
    try {
      expect(await budget.release({ organizationId: stranger.organizationId, reservationId: request.reservationId })).toMatchObject({
        code: "reservation_not_found",
      });
    } finally {
      await stranger.remove();
    }
  });

  it("returns a lease's unused money to the envelope when the worker closes", async () => {
    await open();
    const envelope = envelopeFixture(100_000);
    for (let i = 0; i < 10; i++) await budget.hold(holdFixture(tenant, [envelope], 100));
    const during = await envelopeTotals(database.db, tenant.organizationId, envelope.key);
    expect(during!.leased).toBeGreaterThan(0);
    expect(during!.leased).toBe(during!.fromLeases);
    await budget.close();
    expect(await envelopeTotals(database.db, tenant.organizationId, envelope.key)).toMatchObject({ held: 1_000, leased: 0 });
  });

  it("refuses a hold paid from a lease the sweep reclaimed, rather than overspend", async () => {
    await open();
    const envelope = envelopeFixture(10_000);
    const longLived = { expiresAt: new Date(Date.now() + 86_400_000) };
    expect(await budget.hold(holdFixture(tenant, [envelope], 100, longLived))).toMatchObject({ outcome: "held" });
    expect((await envelopeTotals(database.db, tenant.organizationId, envelope.key))!.leased).toBeGreaterThanOrEqual(100);
    // The worker looks dead to the sweep (it stopped renewing), so its lease goes back to the envelope…
    await sweepBudgets(database.db, { asOf: new Date(Date.now() + 3_600_000), organizationId: tenant.organizationId });
    // …and another worker takes all of it, while the first still believes in its lease.
    const other = await openBudget({ db: database.db, workerId: `other-${randomUUID()}`, sweepIntervalMs: 0 });
    try {
      expect(await other.hold(holdFixture(tenant, [envelope], 9_900))).toMatchObject({ outcome: "held" });
      expect(await budget.hold(holdFixture(tenant, [envelope], 100))).toMatchObject({ outcome: "refused", code: "budget_unavailable" });
      expect(await budget.hold(holdFixture(tenant, [envelope], 100))).toMatchObject({ outcome: "refused", code: "envelope_exceeded" });
    } finally {
      await other.close();
    }
    const totals = await envelopeTotals(database.db, tenant.organizationId, envelope.key);
    expect(totals).toMatchObject({ held: 10_000, committed: 0, fromReservations: { held: 10_000, count: 2 } });
  });

  it("returns an idle worker's unused lease so another worker can hold the rest", async () => {
    await open();
    const envelope = envelopeFixture(10_000);
    const idle = await openBudget({ db: database.db, workerId: `idle-${randomUUID()}`, sweepIntervalMs: 0, idleReturnMs: 50 });
    try {
      expect(await idle.hold(holdFixture(tenant, [envelope], 100))).toMatchObject({ outcome: "held" });
      expect((await envelopeTotals(database.db, tenant.organizationId, envelope.key))!.leased).toBeGreaterThan(0);
      await vi.waitFor(
        async () => expect((await envelopeTotals(database.db, tenant.organizationId, envelope.key))!.leased).toBe(0),
        { timeout: 5_000, interval: 20 },
      );
      expect(await budget.hold(holdFixture(tenant, [envelope], 9_900))).toMatchObject({ outcome: "held" });
    } finally {
      await idle.close();
    }
  });

  it("keeps an idle lease longer while its envelope has plenty free, then returns it", async () => {
    await open();
    const envelope = envelopeFixture(10_000_000);
    const idle = await openBudget({ db: database.db, workerId: `idle-${randomUUID()}`, sweepIntervalMs: 0, idleReturnMs: 20, plentyIdleReturnMs: 600 });
    try {
      expect(await idle.hold(holdFixture(tenant, [envelope], 100))).toMatchObject({ outcome: "held" });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await envelopeTotals(database.db, tenant.organizationId, envelope.key))!.leased).toBeGreaterThan(0);
      await vi.waitFor(
        async () => expect((await envelopeTotals(database.db, tenant.organizationId, envelope.key))!.leased).toBe(0),
        { timeout: 5_000, interval: 20 },
      );
    } finally {
      await idle.close();
    }
  });

  it("draws a lease ahead of the first hold, which then needs no draw of its own", async () => {
    await open();
    const envelope = envelopeFixture(80_000);
    await budget.prefetch(tenant.organizationId, [envelope]);
    // An eighth of what is free.
    expect(await envelopeTotals(database.db, tenant.organizationId, envelope.key)).toMatchObject({ leased: 10_000, held: 0 });
    expect(await budget.hold(holdFixture(tenant, [envelope], 100))).toMatchObject({ outcome: "held" });
    await budget.prefetch(tenant.organizationId, [envelope]);
    expect(await envelopeTotals(database.db, tenant.organizationId, envelope.key)).toMatchObject({ leased: 9_900, held: 100 });
  });

  it("returns a prefetched idle lease once a renewal finds the envelope no longer plenty", async () => {
    await open();
    const envelope = envelopeFixture(80_000);
    const workerId = `prefetch-${randomUUID()}`;
    const leasedBy = async () => {
      const rows = await database.db.select({ amount: budgetLeases.amount }).from(budgetLeases).where(eq(budgetLeases.workerId, workerId));
      return rows.reduce((sum, row) => sum + Number(row.amount), 0);
    };
    const early = await openBudget({ db: database.db, workerId, sweepIntervalMs: 0, leaseTtlMs: 300, idleReturnMs: 20, plentyIdleReturnMs: 60_000 });
    try {
      await early.prefetch(tenant.organizationId, [envelope]);
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(await leasedBy()).toBe(10_000);
      expect(await budget.hold(holdFixture(tenant, [envelope], 65_000))).toMatchObject({ outcome: "held" });
      await vi.waitFor(async () => expect(await leasedBy()).toBe(0), { timeout: 5_000, interval: 20 });
    } finally {
      await early.close();
    }
  });

  it("refuses one hold the database rejects without failing the others written with it", async () => {
    await open();
    const envelope = envelopeFixture(10_000);
    const good = Array.from({ length: 5 }, () => holdFixture(tenant, [envelope], 100));
    const bad = holdFixture(tenant, [envelope], 100, { agentId: randomUUID() });
    const results = await Promise.all([...good, bad].map((request) => budget.hold(request)));
    expect(results.slice(0, 5).every((r) => r.outcome === "held")).toBe(true);
    expect(results[5]).toMatchObject({ outcome: "refused", code: "budget_unavailable" });
    await budget.close();
    expect(await envelopeTotals(database.db, tenant.organizationId, envelope.key)).toMatchObject({ held: 500, leased: 0 });
  });

  it("writes a rider in its hold's transaction, and a rider that fails takes its hold down with it", async () => {
    tenant = await tenantFixture(database.db);
    const written: string[] = [];
    const rider: HoldRider<string, string> = {
      materialize: (item) => item,
      revive: (value) => value as string,
      journaled: "journaled",
      keepsHold: () => true,
      async write(tx: Db, items: string[]) {
        // "boom" breaks a constraint (an organization without a name) inside the hold's transaction.
        if (items.includes("boom")) await tx.execute(sql`insert into ${organizations} (id) values (gen_random_uuid())`);
        written.push(...items);
        return items.map((item) => `wrote ${item}`);
      },
    };
    const riding = await openBudget({ db: database.db, workerId: `rider-${randomUUID()}`, sweepIntervalMs: 0, rider });
    const envelope = envelopeFixture(10_000);
    try {
      const results = await Promise.all(
        ["a", "boom", "c"].map((item) => riding.hold(holdFixture(tenant, [envelope], 100), item)),
      );
      expect(results.map((r) => (r.outcome === "held" ? r.rider : r.code))).toEqual(["wrote a", "budget_unavailable", "wrote c"]);
      expect(written.sort()).toEqual(["a", "c"]);
    } finally {
      await riding.close();
    }
    expect(await envelopeTotals(database.db, tenant.organizationId, envelope.key)).toMatchObject({ held: 200, leased: 0 });
  });

  describe("with a journal", () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), "tollgate-budget-journal-"));
    });
    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    const journaling = (horizonMs: number, extra: Partial<BudgetOptions<string, string, string>> = {}) =>
      openBudget<string, string, string>({
        db: database.db,
        workerId: `journal-${driver}-${process.pid}-${++workerSeq}`,
        sweepIntervalMs: 0,
        journal: { dir, horizonMs },
        ...extra,
      });
    /** Runs `use` with a journaling budget and a fresh tenant's 10,000 envelope; closes it (shipping everything) after. */
    const withJournaling = async (
      horizonMs: number,
      use: (journaled: Budget<string, string>, envelope: ReturnType<typeof envelopeFixture>) => Promise<void>,
      extra: Partial<BudgetOptions<string, string, string>> = {},
    ) => {
      tenant = await tenantFixture(database.db);
      const envelope = envelopeFixture(10_000);
      const journaled = await journaling(horizonMs, extra);
      try {
        await use(journaled, envelope);
      } finally {
        await journaled.close();
      }
      return envelope;
    };

    it("answers a hold from the journal and ships it to PostgreSQL; a commit right after waits for it", async () => {
      const envelope = await withJournaling(3_600_000, async (journaled, envelope) => {
        const request = holdFixture(tenant, [envelope], 2_500);
        expect(await journaled.hold(request)).toEqual({ outcome: "held", reservationId: request.reservationId });
        expect(await journaled.commit({ ...tenant, reservationId: request.reservationId, amount: { amount: 1_000, currency: "USD" } })).toMatchObject({
          outcome: "committed",
        });
        const second = holdFixture(tenant, [envelope], 500);
        expect(await journaled.hold(second)).toMatchObject({ outcome: "held" });
      });
      expect(await envelopeTotals(database.db, tenant.organizationId, envelope.key)).toMatchObject({ held: 500, committed: 1_000, leased: 0 });
      // Everything shipped: nothing is left to replay.
      expect(readdirSync(join(dir, "holds")).filter((name) => name.endsWith(".jsonl"))).toEqual([]);
    });

    it("writes a hold that outlives its leases' horizon to PostgreSQL before answering, never to the journal", async () => {
      // Leases may be reclaimed 30 s (their TTL) + 1 s after their last renewal; the hold lasts an hour.
      await withJournaling(1_000, async (journaled, envelope) => {
        const request = holdFixture(tenant, [envelope], 700);
        expect(await journaled.hold(request)).toMatchObject({ outcome: "held" });
        expect(await reservationStatuses(database.db, [request.reservationId])).toEqual(new Map([[request.reservationId, "held"]]));
        const segments = readdirSync(join(dir, "holds")).filter((name) => name.endsWith(".jsonl"));
        expect(segments.flatMap((name) => readSegment(readFileSync(join(dir, "holds", name), "utf8"), JSON.parse))).toEqual([]);
      });
    });

    it("carries a rider through the journal, and releases a hold whose rider ships as one not to keep", async () => {
      tenant = await tenantFixture(database.db);
      const envelope = envelopeFixture(10_000);
      const written: string[] = [];
      const rider: HoldRider<string, string> = {
        materialize: (item) => item,
        revive: (value) => value as string,
        journaled: "on disk",
        keepsHold: (outcome) => outcome !== "wrote second",
        async write(_tx: Db, items: string[]) {
          written.push(...items);
          return items.map((item) => `wrote ${item}`);
        },
      };
      const journaled = await journaling(3_600_000, { rider });
      const first = holdFixture(tenant, [envelope], 100);
      const second = holdFixture(tenant, [envelope], 200);
      try {
        expect(await journaled.hold(first, "first")).toMatchObject({ outcome: "held", rider: "on disk" });
        expect(await journaled.hold(second, "second")).toMatchObject({ outcome: "held", rider: "on disk" });
      } finally {
        await journaled.close();
      }
      expect(written.sort()).toEqual(["first", "second"]);
      expect(await reservationStatuses(database.db, [first.reservationId, second.reservationId])).toEqual(
        new Map([
          [first.reservationId, "held"],
          [second.reservationId, "released"],
        ]),
      );
    });
  });
});
