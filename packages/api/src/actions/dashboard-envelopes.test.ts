import { envelopes, organizations, type Database } from "@tollgate/db";
import { openTestDatabase, publishedPolicyFixture, testDrivers, withRollback } from "@tollgate/db/testing";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRunOut } from "./dashboard-envelopes";
import { dashboardOrganization } from "./dashboard-fixtures";

const at = (iso: string) => new Date(iso);

describe("the run-out projection", () => {
  const period = { start: at("2026-11-01T00:00:00Z"), end: at("2026-12-01T00:00:00Z") };

  it("draws a straight line from the period start through this period's spend", () => {
    // A quarter of the limit spent in 6 days: all of it after 24.
    expect(projectRunOut({ ...period, now: at("2026-11-07T00:00:00Z"), limit: 10_000, spent: 2_500 })).toEqual(at("2026-11-25T00:00:00Z"));
  });

  it("says an envelope spent to its limit ran out now", () => {
    const now = at("2026-11-10T12:00:00Z");
    expect(projectRunOut({ ...period, now, limit: 10_000, spent: 10_000 })).toEqual(now);
  });

  it("gives no date when the line reaches the limit at or after the period's end, or nothing was spent", () => {
    expect(projectRunOut({ ...period, now: at("2026-11-16T00:00:00Z"), limit: 10_000, spent: 5_000 })).toBeNull();
    expect(projectRunOut({ ...period, now: at("2026-11-20T00:00:00Z"), limit: 10_000, spent: 1 })).toBeNull();
    expect(projectRunOut({ ...period, now: at("2026-11-20T00:00:00Z"), limit: 10_000, spent: 0 })).toBeNull();
  });
});

describe.each(testDrivers)("envelope burn-down on %s", (driver) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database?.close());

  it("lists this period's envelopes, most used first, with the policy rule, spend and projection", () =>
    withRollback(database.db, async (tx) => {
      const world = await dashboardOrganization(tx);
      const buyer = await world.agent("buyer");
      const policy = await publishedPolicyFixture(tx, world.organization.id, { name: "spend-limits" });
      const organizationId = world.organization.id;
      // The windows as the worker's calendar starts them: local midnight in Berlin.
      const startOf = async (unit: "day" | "week" | "month", back = "0 days") => {
        const [row] = await tx
          .select({ start: sql<number>`extract(epoch from date_trunc(${unit}, (now() - ${back}::interval) at time zone 'Europe/Berlin') at time zone 'Europe/Berlin') * 1000`.mapWith(Number) })
          .from(organizations)
          .where(eq(organizations.id, organizationId));
        return new Date(row!.start);
      };
      const envelope = (rule: string, period: "day" | "week" | "month" | "session" | "all_time", periodStart: Date, limit: number, committed: number, held = 0) => ({
        organizationId,
        envelopeKey: `env/agent:${buyer.id}/${policy.id}:${rule}/USD/${period}:${periodStart.toISOString()}`,
        agentId: buyer.id,
        period,
        periodStart,
        limitAmount: limit,
        currency: "USD",
        committedAmount: committed,
        heldAmount: held,
      });
      const today = await startOf("day");
      const thisWeek = await startOf("week");
      const thisMonth = await startOf("month");
      await tx.insert(envelopes).values([
        envelope("daily", "day", today, 10_000, 10_000),
        envelope("weekly", "week", thisWeek, 100_000, 1, 2_000),
        envelope("monthly", "month", thisMonth, 500_000, 0),
        // Past windows, sessions and all-time envelopes have no current period to burn down.
        envelope("daily", "day", await startOf("day", "1 day"), 10_000, 9_000),
        envelope("per-task", "session", new Date(0), 5_000, 4_000),
        envelope("lifetime", "all_time", new Date(0), 5_000, 4_000),
      ]);

      const before = Date.now();
      const page = await world.asManager.dashboard.envelopes({});
      expect(page).toMatchObject({ page: 1, pageSize: 10, total: 3 });
      expect(page.items.map((item) => [item.rule, item.period, item.policy, item.agent?.name, item.limit, item.committed, item.held])).toEqual([
        ["daily", "day", "spend-limits", "buyer", { amount: 10_000, currency: "USD" }, 10_000, 0],
        ["weekly", "week", "spend-limits", "buyer", { amount: 100_000, currency: "USD" }, 1, 2_000],
        ["monthly", "month", "spend-limits", "buyer", { amount: 500_000, currency: "USD" }, 0, 0],
      ]);
      const [daily, weekly, monthly] = page.items;
      expect(daily!.periodStart).toBe(today.toISOString());
      // A Berlin day is 23 to 25 hours long; it ends where the next one starts.
      expect(daily!.periodEnd).toBe((await startOf("day", "-1 day")).toISOString());
      expect(monthly!.periodEnd).toBe((await startOf("month", "-1 month")).toISOString());
      // Spent to its limit: it ran out about now. A cent this week, nothing this month: not before they end.
      expect(new Date(daily!.runsOutAt!).getTime()).toBeGreaterThanOrEqual(before - 1);
      expect(new Date(daily!.runsOutAt!).getTime()).toBeLessThanOrEqual(Date.now() + 1);
      expect(weekly!.runsOutAt).toBeNull();
      expect(monthly!.runsOutAt).toBeNull();

      const second = await world.asManager.dashboard.envelopes({ page: 2, pageSize: 2 });
      expect(second).toMatchObject({ page: 2, pageSize: 2, total: 3 });
      expect(second.items.map((item) => item.rule)).toEqual(["monthly"]);
    }));

  it("is empty for an organization without envelopes, and refuses a page size it does not serve", async () => {
    await withRollback(database.db, async (tx) => {
      const world = await dashboardOrganization(tx);
      expect(await world.asManager.dashboard.envelopes({})).toEqual({ items: [], page: 1, pageSize: 10, total: 0 });
      await expect(world.asManager.dashboard.envelopes({ pageSize: 500 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    });
  });
});
