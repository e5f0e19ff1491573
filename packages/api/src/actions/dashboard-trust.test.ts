import { randomUUID } from "node:crypto";
import type { TRPCError } from "@trpc/server";
import { trustScoreHistory, trustScores, type Agent, type Database, type Db } from "@tollgate/db";
import { openTestDatabase, testDrivers, withRollback } from "@tollgate/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { berlinDay, dashboardOrganization, daysAgo } from "./dashboard-fixtures";

const reason = (code: string, points: number) => ({ code, message: `${code} moved it`, points });

async function score(db: Db, agent: Agent, current: number, reasons: ReturnType<typeof reason>[], history: [Date, number][]) {
  await db.insert(trustScores).values({ organizationId: agent.organizationId, agentId: agent.id, score: current, reasons });
  if (history.length > 0) {
    await db.insert(trustScoreHistory).values(history.map(([computedAt, value]) => ({ organizationId: agent.organizationId, agentId: agent.id, score: value, computedAt })));
  }
}

describe.each(testDrivers)("per-agent trust history on %s", (driver) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database?.close());

  it("charts the lowest-scored agent by default: each day's closing, lowest and highest score, and its top four reasons", () =>
    withRollback(database.db, async (tx) => {
      const world = await dashboardOrganization(tx);
      const careful = await world.agent("careful");
      const loopy = await world.agent("loopy");
      const twoDaysAgo = daysAgo(2);
      await score(tx, careful, 760, [reason("cleanCommits", 40)], [[twoDaysAgo, 740]]);
      await score(
        tx,
        loopy,
        480,
        [reason("loopTrips", -90), reason("denials", -60), reason("anomalies", -30), reason("tenure", 10), reason("cleanCommits", 5)],
        [
          // Older than the window: not charted.
          [daysAgo(40), 700],
          [twoDaysAgo, 610],
          [new Date(twoDaysAgo.getTime() + 60_000), 520],
          [new Date(twoDaysAgo.getTime() + 120_000), 540],
          [daysAgo(1), 480],
        ],
      );

      const chart = await world.asManager.dashboard.trust({ days: 30 });
      expect(chart.agents).toEqual([
        { id: loopy.id, name: "loopy", score: 480 },
        { id: careful.id, name: "careful", score: 760 },
      ]);
      expect(chart.agent).toMatchObject({ id: loopy.id, name: "loopy", score: 480 });
      expect(chart.agent!.reasons).toEqual([reason("loopTrips", -90), reason("denials", -60), reason("anomalies", -30), reason("tenure", 10)]);
      const charted = chart.history.filter((day) => day.score !== null);
      expect(charted).toEqual([
        { day: berlinDay(twoDaysAgo), score: 540, low: 520, high: 610 },
        { day: berlinDay(daysAgo(1)), score: 480, low: 480, high: 480 },
      ]);
      // Every day of the window is there, so the chart's axis is the window.
      expect(chart.history.length).toBeGreaterThanOrEqual(30);

      const picked = await world.asManager.dashboard.trust({ days: 7, agentId: careful.id });
      expect(picked.agent).toMatchObject({ id: careful.id, score: 760, reasons: [reason("cleanCommits", 40)] });
      expect(picked.history.filter((day) => day.score !== null)).toEqual([{ day: berlinDay(twoDaysAgo), score: 740, low: 740, high: 740 }]);
    }));

  it("refuses an agent that is not this organization's, and shows nothing before any score", () =>
    withRollback(database.db, async (tx) => {
      const world = await dashboardOrganization(tx);
      const empty = await world.asManager.dashboard.trust();
      expect(empty).toMatchObject({ agents: [], agent: null });
      expect(empty.history.every((day) => day.score === null)).toBe(true);

      const other = await dashboardOrganization(tx);
      const stranger = await other.agent("stranger");
      await score(tx, stranger, 500, [], []);
      await expect(world.asManager.dashboard.trust({ agentId: stranger.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
      await expect(world.asManager.dashboard.trust({ agentId: randomUUID() })).rejects.toMatchObject({ code: "NOT_FOUND" });
      const refused = await world.asManager.dashboard.trust({ agentId: "loopy" }).catch((error: unknown) => error);
      expect(refused).toMatchObject({ code: "BAD_REQUEST" });
      expect(z.flattenError((refused as TRPCError).cause as z.ZodError).fieldErrors).toEqual({ agentId: ["must be an agent id"] });
    }));
});
