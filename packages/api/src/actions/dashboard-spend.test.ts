import type { TRPCError } from "@trpc/server";
import type { Database } from "@tollgate/db";
import { openTestDatabase, testDrivers, withRollback } from "@tollgate/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { berlinDay, dashboardOrganization, daysAgo } from "./dashboard-fixtures";

describe.each(testDrivers)("spend over time by breakdown on %s", (driver) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database?.close());

  it("charts the five agents that spent most and folds the rest into other, per calendar day", () =>
    withRollback(database.db, async (tx) => {
      const world = await dashboardOrganization(tx);
      // Created one by one: the fixture's agents share one transaction.
      const spenders: Awaited<ReturnType<typeof world.agent>>[] = [];
      for (const name of ["ada", "bo", "cy", "di", "ed", "fay", "gus"]) spenders.push(await world.agent(name));
      const [ada, bo, cy, di, ed, , gus] = spenders;
      const twoDaysAgo = daysAgo(2);
      const yesterday = daysAgo(1);
      const amounts = [600, 500, 400, 300, 200, 100, 40];
      for (const [index, agent] of spenders.entries()) await world.spend({ agent, at: twoDaysAgo, amount: amounts[index]! });
      // Only the committed part counts; releases, open holds and older spend do not.
      await world.spend({ agent: ada!, at: yesterday, amount: 80, committed: 50 });
      await world.spend({ agent: bo!, at: yesterday, amount: 999, status: "released" });
      await world.spend({ agent: bo!, at: yesterday, amount: 999, status: "held" });
      await world.spend({ agent: gus!, at: daysAgo(9), amount: 5_000 });
      // Another organization's spend is not this one's.
      const other = await dashboardOrganization(tx);
      await other.spend({ agent: await other.agent("ada"), at: yesterday, amount: 7_777 });

      const chart = await world.asManager.dashboard.spend({ days: 7, by: "agent" });
      expect(chart.by).toBe("agent");
      expect(chart.currencies).toHaveLength(1);
      const [usd] = chart.currencies;
      expect(usd!.currency).toBe("USD");
      expect(usd!.series).toEqual([
        { key: ada!.id, label: "ada", total: 650 },
        { key: bo!.id, label: "bo", total: 500 },
        { key: cy!.id, label: "cy", total: 400 },
        { key: di!.id, label: "di", total: 300 },
        { key: ed!.id, label: "ed", total: 200 },
        { key: null, label: "other", total: 140 },
      ]);
      const on = (day: string) => usd!.points.find((point) => point.day === day)?.amounts;
      expect(on(berlinDay(twoDaysAgo))).toEqual([600, 500, 400, 300, 200, 140]);
      expect(on(berlinDay(yesterday))).toEqual([50, 0, 0, 0, 0, 0]);
      // Every day of the window is there, the quiet ones at zero.
      expect(usd!.points.length).toBeGreaterThanOrEqual(7);
      expect(usd!.points.reduce((sum, point) => sum + point.amounts.reduce((a, b) => a + b, 0), 0)).toBe(2_190);

      // Ninety days back, the older spend joins gus in other.
      const quarter = await world.asManager.dashboard.spend({ days: 90, by: "agent" });
      expect(quarter.currencies[0]!.series.map((series) => [series.label, series.total])).toEqual([
        ["gus", 5_040],
        ["ada", 650],
        ["bo", 500],
        ["cy", 400],
        ["di", 300],
        ["other", 300],
      ]);
    }));

  it("breaks spend down by action, category and delegation chain, one chart per currency", () =>
    withRollback(database.db, async (tx) => {
      const world = await dashboardOrganization(tx);
      const root = await world.agent("ops-lead");
      const buyer = await world.agent("buyer");
      const at = daysAgo(3);
      await world.spend({ agent: buyer, at, amount: 1_000, action: "shop.order", category: "hardware", chain: [buyer.id, root.id] });
      await world.spend({ agent: buyer, at, amount: 300, action: "shop.order", category: null });
      await world.spend({ agent: root, at, amount: 200, action: "travel.book", category: "travel" });
      await world.spend({ agent: root, at, amount: 4_000, currency: "EUR", action: "travel.book", category: "travel" });

      const byAction = await world.asManager.dashboard.spend({ days: 30, by: "action" });
      // The currency with more spend first; amounts in different currencies never add up.
      expect(byAction.currencies.map((currency) => [currency.currency, currency.series.map((series) => [series.label, series.total])])).toEqual([
        ["EUR", [["travel.book", 4_000]]],
        ["USD", [["shop.order", 1_300], ["travel.book", 200]]],
      ]);

      const byCategory = await world.asManager.dashboard.spend({ days: 30, by: "category" });
      expect(byCategory.currencies[1]!.series).toEqual([
        { key: "hardware", label: "hardware", total: 1_000 },
        { key: "", label: "(no category)", total: 300 },
        { key: "travel", label: "travel", total: 200 },
      ]);

      const byChain = await world.asManager.dashboard.spend({ days: 30, by: "chain" });
      const usd = byChain.currencies.find((currency) => currency.currency === "USD")!;
      // A chain reads from the root delegator down to the agent that spent.
      expect(usd.series.map((series) => [series.label, series.total])).toEqual([
        ["ops-lead → buyer", 1_000],
        ["buyer", 300],
        ["ops-lead", 200],
      ]);
      expect(usd.points.find((point) => point.day === berlinDay(at))!.amounts).toEqual([1_000, 300, 200]);
    }));

  it("shows nothing before any spend, and refuses a breakdown it does not offer", () =>
    withRollback(database.db, async (tx) => {
      const world = await dashboardOrganization(tx);
      expect(await world.asManager.dashboard.spend({ by: "category" })).toMatchObject({ by: "category", currencies: [], timeZone: "Europe/Berlin" });
      const refused = await world.asManager.dashboard.spend({ days: 30, by: "merchant" } as never).catch((error: unknown) => error);
      expect(refused).toMatchObject({ code: "BAD_REQUEST" });
      expect(z.flattenError((refused as TRPCError).cause as z.ZodError).fieldErrors).toEqual({ by: ["must be one of agent, action, category, chain"] });
    }));
});
