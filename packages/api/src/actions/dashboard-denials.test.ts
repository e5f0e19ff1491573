import type { Database } from "@tollgate/db";
import { openTestDatabase, testDrivers, withRollback } from "@tollgate/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dashboardOrganization, daysAgo } from "./dashboard-fixtures";

describe.each(testDrivers)("top denial reasons on %s", (driver) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database?.close());

  it("counts deny decisions by their first reason code, most frequent first, with their share", () =>
    withRollback(database.db, async (tx) => {
      const world = await dashboardOrganization(tx);
      const agent = await world.agent("loopy");
      const at = daysAgo(1);
      for (let i = 0; i < 5; i++) await world.deny({ agent, at }, ["loop_detected"]);
      for (let i = 0; i < 3; i++) await world.deny({ agent, at }, ["envelope_exhausted", "loop_detected"]);
      await world.deny({ agent, at }, ["agent_suspended"]);
      await world.deny({ agent, at }, []);
      // Allowed spend, older denials and another organization's denials are not counted.
      await world.spend({ agent, at, amount: 100 });
      await world.deny({ agent, at: daysAgo(8) }, ["loop_detected"]);
      const other = await dashboardOrganization(tx);
      await other.deny({ agent: await other.agent("x"), at }, ["loop_detected"]);

      expect(await world.asManager.dashboard.denials({ days: 7 })).toEqual({
        total: 10,
        reasons: [
          { code: "loop_detected", count: 5, share: 0.5 },
          { code: "envelope_exhausted", count: 3, share: 0.3 },
          { code: "(none)", count: 1, share: 0.1 },
          { code: "agent_suspended", count: 1, share: 0.1 },
        ],
      });
      expect((await world.asManager.dashboard.denials({ days: 30 })).reasons[0]).toEqual({ code: "loop_detected", count: 6, share: 6 / 11 });
    }));

  it("folds the reasons past the top eight into other", () =>
    withRollback(database.db, async (tx) => {
      const world = await dashboardOrganization(tx);
      const agent = await world.agent("noisy");
      const at = daysAgo(2);
      // reason_a is denied 10 times, reason_b 9 times … reason_j once.
      for (const [index, code] of ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"].entries()) {
        for (let i = 0; i < 10 - index; i++) await world.deny({ agent, at }, [`reason_${code}`]);
      }
      const chart = await world.asManager.dashboard.denials();
      expect(chart.total).toBe(55);
      expect(chart.reasons.map((reason) => [reason.code, reason.count])).toEqual([
        ["reason_a", 10],
        ["reason_b", 9],
        ["reason_c", 8],
        ["reason_d", 7],
        ["reason_e", 6],
        ["reason_f", 5],
        ["reason_g", 4],
        ["reason_h", 3],
        [null, 3],
      ]);
      expect(chart.reasons.at(-1)!.share).toBe(3 / 55);
    }));

  it("is empty before anything was denied", () =>
    withRollback(database.db, async (tx) => {
      const world = await dashboardOrganization(tx);
      expect(await world.asManager.dashboard.denials()).toEqual({ total: 0, reasons: [] });
    }));
});
