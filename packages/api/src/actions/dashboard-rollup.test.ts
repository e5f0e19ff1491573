import { dailyDecisions, dailySpend, dashboardRollupDays, organizations, type Database, type Db } from "@tollgate/db";
import { openTestDatabase, testDrivers, withRollback } from "@tollgate/db/testing";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SignedInContext } from "../context";
import { daysOf, sealedDays } from "../rollups/calendar";
import { rollUpSealedDays } from "../rollups/background";
import { fillRollup } from "../rollups/fill";
import { chartTimeline, summarizeDashboard } from "./dashboard";
import { countDenialReasons } from "./dashboard-denials";
import { dashboardOrganization } from "./dashboard-fixtures";
import { breakDownSpend, spendBreakdowns } from "./dashboard-spend";
import { dashboardWindow } from "./dashboard-window";

const HOUR_MS = 60 * 60_000;

/** Every rolled-up dashboard read over the window ending at `now`, from the given source. */
async function everyRead(ctx: SignedInContext, days: number, now: Date, source: "rollup" | "live") {
  const window = () => dashboardWindow(ctx, days, { now, source });
  const reads = {
    summary: await summarizeDashboard(ctx, await window()),
    timeline: await chartTimeline(ctx, await window()),
    denials: await countDenialReasons(ctx, await window()),
    spend: [] as Awaited<ReturnType<typeof breakDownSpend>>[],
  };
  // One after the other: in a test's transaction, reads share one connection.
  for (const by of spendBreakdowns) reads.spend.push(await breakDownSpend(ctx, await window(), by));
  return reads;
}

/** How many rollup rows the organization has: a read that used the rollup leaves some behind. */
async function rollupRows(db: Db, organizationId: string) {
  const [days] = await db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(dashboardRollupDays).where(eq(dashboardRollupDays.organizationId, organizationId));
  const [decisionRows] = await db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(dailyDecisions).where(eq(dailyDecisions.organizationId, organizationId));
  const [spendRows] = await db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(dailySpend).where(eq(dailySpend.organizationId, organizationId));
  return { days: days!.n, decisions: decisionRows!.n, spend: spendRows!.n };
}

/**
 * A month and a bit of traffic before `now`, every ~5 h: spend in two currencies across actions,
 * categories and delegation chains (some settled hours after they were decided, across midnight),
 * denials by several reasons, pending calls; plus rows right at the window's start.
 */
async function monthOfTraffic(world: Awaited<ReturnType<typeof dashboardOrganization>>, now: Date, since: Date) {
  const root = await world.agent("root");
  const buyer = await world.agent("buyer");
  const scout = await world.agent("scout");
  const actions = ["shop.order", "travel.book", "llm.complete"];
  const categories = ["hardware", null, "travel"];
  for (let i = 0; i < 160; i++) {
    const at = new Date(now.getTime() - i * 5.1 * HOUR_MS - 17_000);
    const agent = [root, buyer, scout][i % 3]!;
    const call = { agent, at, action: actions[i % 3], category: categories[i % 3], chain: i % 4 === 0 ? [agent.id, root.id] : [agent.id] };
    if (i % 5 === 0) await world.deny(call, i % 2 === 0 ? ["loop_detected", "envelope_exhausted"] : [`code_${i % 3}`]);
    else if (i % 7 === 0) await world.pending(call);
    else await world.spend({ ...call, amount: 100 + i, committed: 90 + i, currency: i % 6 === 1 ? "EUR" : "USD", settledAt: new Date(at.getTime() + (i % 4) * 2 * HOUR_MS) });
  }
  // Right at the window's start, just before it, and a released and an open hold.
  await world.spend({ agent: buyer, at: since, amount: 7 });
  await world.spend({ agent: buyer, at: new Date(since.getTime() - 1), amount: 11 });
  await world.spend({ agent: scout, at: new Date(now.getTime() - 3 * 24 * HOUR_MS), amount: 999, status: "released" });
  await world.spend({ agent: scout, at: new Date(now.getTime() - 3 * 24 * HOUR_MS), amount: 999, status: "held" });
}

describe.each(testDrivers)("the dashboards' daily rollup on %s", (driver) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database?.close());

  const nows = [
    ["now", new Date()],
    ["just after midnight in Berlin, yesterday not sealed yet", new Date("2026-11-20T23:20:00Z")],
    ["early in the morning in Berlin, yesterday sealed", new Date("2026-11-21T04:00:00Z")],
  ] as const;
  it.each(nows)("reads exactly what a live computation reads, the window ending %s", (_, now) =>
    withRollback(database.db, async (tx) => {
      const world = await dashboardOrganization(tx);
      await monthOfTraffic(world, now, new Date(now.getTime() - 30 * 24 * HOUR_MS));
      const other = await dashboardOrganization(tx);
      await other.spend({ agent: await other.agent("ada"), at: new Date(now.getTime() - 5 * 24 * HOUR_MS), amount: 7_777 });

      const live = await everyRead(world.managerContext, 30, now, "live");
      expect(await everyRead(world.managerContext, 30, now, "rollup")).toEqual(live);
      // The rollup was used, and read again from it (now filled) the answer is the same.
      const rows = await rollupRows(tx, world.organization.id);
      expect(rows.days).toBe(daysOf(sealedDays(new Date(now.getTime() - 30 * 24 * HOUR_MS), now, "Europe/Berlin")!).length);
      expect(rows.decisions).toBeGreaterThan(rows.days);
      expect(rows.spend).toBeGreaterThan(rows.days);
      expect(await everyRead(world.managerContext, 30, now, "rollup")).toEqual(live);
      // The shorter and longer windows agree too, on the same rollup.
      expect(await everyRead(world.managerContext, 7, now, "rollup")).toEqual(await everyRead(world.managerContext, 7, now, "live"));
      expect(await everyRead(world.managerContext, 90, now, "rollup")).toEqual(await everyRead(world.managerContext, 90, now, "live"));
    }),
  );

  it("rolls a 25-hour day (the end of daylight saving time in New York) up whole", () =>
    withRollback(database.db, async (tx) => {
      const world = await dashboardOrganization(tx, { timeZone: "America/New_York" });
      const agent = await world.agent("night-owl");
      // On 2026-11-01 the clocks went back at 02:00 EDT (06:00Z): the day lasted from 04:00Z to 05:00Z the next day.
      const firstOfNovember = ["2026-11-01T04:00:00Z", "2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z", "2026-11-02T04:59:59.999Z"];
      for (const at of firstOfNovember) await world.spend({ agent, at: new Date(at), amount: 100 });
      await world.deny({ agent, at: new Date("2026-11-01T03:59:59.999Z") }, ["before_midnight"]);
      await world.deny({ agent, at: new Date("2026-11-02T05:00:00Z") }, ["after_midnight"]);
      const now = new Date("2026-11-05T15:00:00Z");

      const window = await dashboardWindow(world.managerContext, 7, { now });
      expect(window.rolled).toEqual({ from: "2026-10-30", to: "2026-11-04" });
      const timeline = await chartTimeline(world.managerContext, window);
      expect(timeline.decisions.filter((day) => day.day >= "2026-10-31" && day.day <= "2026-11-02")).toEqual([
        { day: "2026-10-31", allow: 0, deny: 1, pending: 0 },
        { day: "2026-11-01", allow: 4, deny: 0, pending: 0 },
        { day: "2026-11-02", allow: 0, deny: 1, pending: 0 },
      ]);
      expect(timeline.spend[0]!.points.find((point) => point.day === "2026-11-01")).toEqual({ day: "2026-11-01", amount: 400 });
      const [rolled] = await tx
        .select({ amount: dailySpend.amount })
        .from(dailySpend)
        .where(and(eq(dailySpend.organizationId, world.organization.id), eq(dailySpend.day, "2026-11-01"), eq(dailySpend.breakdown, "agent")));
      expect(rolled).toEqual({ amount: 400 });
      expect(await everyRead(world.managerContext, 7, now, "rollup")).toEqual(await everyRead(world.managerContext, 7, now, "live"));
    }));

  it("rolls a recent sealed day up again when rows reach it after it was sealed", () =>
    withRollback(database.db, async (tx) => {
      const world = await dashboardOrganization(tx);
      const now = new Date("2026-11-21T12:00:00Z");
      await monthOfTraffic(world, now, new Date(now.getTime() - 30 * 24 * HOUR_MS));
      expect(await rollUpSealedDays(tx, world.organization.id, now)).toEqual({ filled: 89, refilled: [] });
      // A worker ships, late, a decision and a commit it kept while the database was unreachable.
      const late = new Date("2026-11-18T10:00:00Z");
      const agent = await world.agent("late");
      await world.spend({ agent, at: late, amount: 4_321 });
      await world.deny({ agent, at: late }, ["loop_detected"]);
      expect(await everyRead(world.managerContext, 30, now, "rollup")).not.toEqual(await everyRead(world.managerContext, 30, now, "live"));

      expect(await rollUpSealedDays(tx, world.organization.id, now)).toEqual({ filled: 0, refilled: ["2026-11-18"] });
      expect(await everyRead(world.managerContext, 30, now, "rollup")).toEqual(await everyRead(world.managerContext, 30, now, "live"));
      expect(await rollUpSealedDays(tx, world.organization.id, now)).toEqual({ filled: 0, refilled: [] });
    }));

  it("keys the rollup by time zone, so a moved organization reads its new calendar days right", () =>
    withRollback(database.db, async (tx) => {
      const world = await dashboardOrganization(tx);
      const now = new Date("2026-11-21T12:00:00Z");
      await monthOfTraffic(world, now, new Date(now.getTime() - 30 * 24 * HOUR_MS));
      await everyRead(world.managerContext, 30, now, "rollup");
      await tx.update(organizations).set({ timeZone: "Asia/Tokyo" }).where(eq(organizations.id, world.organization.id));
      expect(await everyRead(world.managerContext, 30, now, "rollup")).toEqual(await everyRead(world.managerContext, 30, now, "live"));
    }));
});

describe.each(testDrivers)("filling the daily rollup on %s", (driver) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database?.close());

  it("writes each day once, however often and however many at once fill it", async () => {
    // Not in a rolled-back transaction: the fills run on connections of their own, as two console processes would.
    const world = await dashboardOrganization(database.db);
    try {
      const now = new Date("2026-11-21T12:00:00Z");
      await monthOfTraffic(world, now, new Date(now.getTime() - 30 * 24 * HOUR_MS));
      const scope = { organizationId: world.organization.id, timeZone: "Europe/Berlin" };
      const range = sealedDays(new Date(now.getTime() - 30 * 24 * HOUR_MS), now, scope.timeZone)!;
      expect(range).toEqual({ from: "2026-10-23", to: "2026-11-20" });

      const written = await Promise.all([fillRollup(database.db, scope, range), fillRollup(database.db, scope, range), fillRollup(database.db, scope, range)]);
      expect(written.reduce((sum, days) => sum + days, 0)).toBe(29);
      const once = await rollupRows(database.db, world.organization.id);
      expect(once.days).toBe(29);
      expect(await fillRollup(database.db, scope, range)).toBe(0);
      expect(await rollupRows(database.db, world.organization.id)).toEqual(once);

      // Reads racing a fill of fresh days still read exactly what a live computation reads.
      await database.db.delete(dashboardRollupDays).where(eq(dashboardRollupDays.organizationId, world.organization.id));
      await database.db.delete(dailyDecisions).where(eq(dailyDecisions.organizationId, world.organization.id));
      await database.db.delete(dailySpend).where(eq(dailySpend.organizationId, world.organization.id));
      const live = await everyRead(world.managerContext, 30, now, "live");
      const racing = await Promise.all([fillRollup(database.db, scope, range), everyRead(world.managerContext, 30, now, "rollup"), everyRead(world.managerContext, 30, now, "rollup")]);
      expect(racing.slice(1)).toEqual([live, live]);
      expect(await rollupRows(database.db, world.organization.id)).toEqual(once);
    } finally {
      await database.db.delete(organizations).where(eq(organizations.id, world.organization.id));
    }
  });
});
