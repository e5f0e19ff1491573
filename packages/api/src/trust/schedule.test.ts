import { announceApproval, dailyDecisions, dashboardRollupDays, decisions, delegations, SESSION_CHANNEL, snapshots, trustScores, type Database, type Db, type SessionNotice } from "@tollgate/db";
import { agentFixture, openTestDatabase, organizationFixture, publishedPolicyFixture, testDrivers, userFixture, withRollback } from "@tollgate/db/testing";
import { NEUTRAL_SCORE } from "@tollgate/trust";
import { asc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { refreshTrustScores, startTrustSchedule } from "./schedule";

/** An organization with one shopping agent under a published policy: a state that compiles. */
async function shoppingOrganization(db: Db) {
  const org = await organizationFixture(db);
  const agent = await agentFixture(db, await userFixture(db, org.id), { tags: ["shop"] });
  await publishedPolicyFixture(db, org.id, { name: "shop", selector: { tags: ["shop"] }, grants: [{ id: "shop", actions: ["shop.*"] }] });
  return { org, agent };
}

/** `count` calls of the agent stopped by a loop limit, as the worker logs them: they lower its score. */
const loopDenials = (db: Db, organizationId: string, agentId: string, count: number) =>
  db.insert(decisions).values(
    Array.from({ length: count }, () => ({
      organizationId,
      agentId,
      requestId: crypto.randomUUID(),
      action: "shop.order",
      outcome: "deny" as const,
      reasons: [{ code: "loop_detected", message: "the same call again", rule: "loops", policyVersion: 1 }],
      snapshotVersion: 1,
      workerId: "w",
    })),
  );

const publishedScores = async (db: Db, organizationId: string) =>
  (await db.select({ version: snapshots.version, document: snapshots.document }).from(snapshots).where(eq(snapshots.organizationId, organizationId)).orderBy(asc(snapshots.version))).map(
    (row) => ({ version: row.version, agents: (row.document as { body: { agents: Record<string, { trustScore: number }> } }).body.agents }),
  );

describe.each(testDrivers)("refreshing an organization's trust scores on %s", (driver) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database?.close());

  it("publishes a snapshot when a score moved, and nothing when none did", () =>
    withRollback(database.db, async (tx) => {
      const now = new Date("2026-11-24T12:00:00Z");
      const { org, agent } = await shoppingOrganization(tx);

      expect(await refreshTrustScores(tx, org.id, now)).toBe(1);
      expect(await refreshTrustScores(tx, org.id, now)).toBeNull();
      await loopDenials(tx, org.id, agent.id, 5);
      expect(await refreshTrustScores(tx, org.id, now)).toBe(2);

      const published = await publishedScores(tx, org.id);
      expect(published.map((snapshot) => snapshot.version)).toEqual([1, 2]);
      expect(published[0]!.agents[agent.id]!.trustScore).toBe(NEUTRAL_SCORE);
      const [stored] = await tx.select().from(trustScores).where(eq(trustScores.agentId, agent.id));
      expect(published[1]!.agents[agent.id]!.trustScore).toBe(stored!.score);
      expect(stored!.score).toBeLessThan(NEUTRAL_SCORE);
    }));
});

// The schedule visits every organization in the database, so it runs on a private in-memory
// database rather than the shared PostgreSQL one other test files write to.
describe("the trust schedule", () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase("pglite");
  });
  afterAll(() => database?.close());

  it("recomputes every organization on its interval, publishing where scores moved, past one that fails", async () => {
    const { db } = database;
    const healthy = await shoppingOrganization(db);
    // A delegation wider than its delegator's grants: this organization's state no longer compiles.
    const broken = await shoppingOrganization(db);
    const delegate = await agentFixture(db, await userFixture(db, broken.org.id));
    await db.insert(delegations).values({ organizationId: broken.org.id, delegatorAgentId: broken.agent.id, delegateAgentId: delegate.id, scope: { actions: ["bank.*"] }, expiresAt: new Date(Date.now() + 86_400_000) });

    const logged: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
    const schedule = startTrustSchedule({ db, intervalMs: 10, log: (level, msg, fields) => logged.push({ level, msg, fields }) });
    try {
      await vi.waitFor(async () => expect(await publishedScores(db, healthy.org.id)).toHaveLength(1), { timeout: 5_000 });
      await vi.waitFor(() => expect(logged.some((entry) => entry.msg === "trust recompute failed" && entry.fields.organizationId === broken.org.id)).toBe(true));
    } finally {
      await schedule.stop();
    }
    expect(logged).toContainEqual({ level: "info", msg: "trust scores changed; snapshot published", fields: { organizationId: healthy.org.id, version: 1 } });
    // Later rounds found nothing new: still the one snapshot, and none for the broken organization.
    expect(await publishedScores(db, healthy.org.id)).toHaveLength(1);
    expect(await publishedScores(db, broken.org.id)).toHaveLength(0);
  });
  it("recomputes an organization soon after an approval in it is decided or a session of its agent trips", async () => {
    const { db } = database;
    const { org, agent } = await shoppingOrganization(db);
    const schedule = startTrustSchedule({ db, intervalMs: 60 * 60_000, listen: database.listen, eventDelayMs: 10, log: () => {} });
    try {
      // Listening starts in the background: announce until the schedule has heard one.
      await vi.waitFor(
        async () => {
          await announceApproval(db, { organizationId: org.id, approvalId: crypto.randomUUID(), agentId: crypto.randomUUID(), status: "denied" });
          expect(await publishedScores(db, org.id)).toHaveLength(1);
        },
        { timeout: 5_000, interval: 100 },
      );
      await loopDenials(db, org.id, agent.id, 3);
      const notice: SessionNotice = { agentId: agent.id, sessionId: "run-1", status: "tripped" };
      await db.execute(sql`select pg_notify(${SESSION_CHANNEL}, ${JSON.stringify(notice)})`);
      await vi.waitFor(async () => expect(await publishedScores(db, org.id)).toHaveLength(2), { timeout: 5_000 });
    } finally {
      await schedule.stop();
    }
  });

  it("with the dashboard rollup, rolls up every organization's sealed days at the start and in each round", async () => {
    const { db } = database;
    const { org, agent } = await shoppingOrganization(db);
    await loopDenials(db, org.id, agent.id, 2);
    const now = new Date();
    await db.update(decisions).set({ createdAt: new Date(now.getTime() - 3 * 86_400_000) }).where(eq(decisions.organizationId, org.id));
    const logged: { msg: string; fields: Record<string, unknown> }[] = [];
    const schedule = startTrustSchedule({ db, intervalMs: 60 * 60_000, dashboardRollup: true, now: () => now, log: (_, msg, fields) => logged.push({ msg, fields }) });
    try {
      await vi.waitFor(() => expect(logged.some((entry) => entry.msg === "dashboard days rolled up" && entry.fields.organizationId === org.id)).toBe(true), { timeout: 5_000 });
    } finally {
      await schedule.stop();
    }
    const rolled = await db.select({ outcome: dailyDecisions.outcome, reasonCode: dailyDecisions.reasonCode, decisions: dailyDecisions.decisions }).from(dailyDecisions).where(eq(dailyDecisions.organizationId, org.id));
    expect(rolled).toEqual([{ outcome: "deny", reasonCode: "loop_detected", decisions: 2 }]);
    expect(await db.$count(dashboardRollupDays, eq(dashboardRollupDays.organizationId, org.id))).toBeGreaterThanOrEqual(88);
  });
});
