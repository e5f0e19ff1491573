import { agentSessions, decisions, reservations, trustScoreHistory, trustScores, type Database } from "@tollgate/db";
import { agentFixture, openTestDatabase, organizationFixture, testDrivers, userFixture, withRollback } from "@tollgate/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recomputeTrustScores, readTrustSignals } from "./recompute";

describe.each(testDrivers)("recomputing trust scores on %s", (driver) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database?.close());

  it("scores a careful agent above a loopy one from what each did, and keeps the history", () =>
    withRollback(database.db, async (tx) => {
      const now = new Date("2026-11-24T12:00:00Z");
      const org = await organizationFixture(tx);
      const owner = await userFixture(tx, org.id);
      const careful = await agentFixture(tx, owner, { createdAt: new Date("2026-09-01T00:00:00Z") });
      const loopy = await agentFixture(tx, owner, { createdAt: new Date("2026-09-01T00:00:00Z") });
      const decision = (agentId: string, index: number, outcome: "allow" | "deny" | "pending", ...codes: string[]) => ({
        organizationId: org.id,
        agentId,
        requestId: `r-${index}`,
        action: "shop.order",
        amount: 100,
        currency: "EUR",
        outcome,
        reasons: codes.map((code) => ({ code, message: code, rule: null, policyVersion: 1 })),
        snapshotVersion: 1,
        workerId: "w",
      });
      const allowed = await tx
        .insert(decisions)
        .values(Array.from({ length: 30 }, (_, index) => decision(careful.id, index, "allow")))
        .returning({ id: decisions.id });
      await tx.insert(reservations).values(
        allowed.map(({ id }) => ({ organizationId: org.id, agentId: careful.id, decisionId: id, amount: 100, currency: "EUR", status: "committed" as const, committedAmount: 90, expiresAt: now, settledAt: now })),
      );
      await tx.insert(decisions).values([
        ...Array.from({ length: 8 }, (_, index) => decision(loopy.id, index, "deny", "loop_detected")),
        ...Array.from({ length: 3 }, (_, index) => decision(loopy.id, 100 + index, "deny", "envelope_exhausted")),
        decision(loopy.id, 200, "deny", "no_matching_grant"),
        // Far above its own baseline: refused once, and once sent to a reviewer among other reasons.
        decision(loopy.id, 300, "deny", "spend_anomaly"),
        decision(loopy.id, 301, "pending", "approval_required_amount", "approval_required_anomaly"),
        decision(loopy.id, 302, "pending", "approval_required_amount"),
      ]);
      await tx.insert(agentSessions).values({ organizationId: org.id, agentId: loopy.id, externalId: "spin", status: "tripped", trippedAt: now, trippedReason: "20 denials in a row" });

      const signals = await readTrustSignals(tx, org.id, now);
      expect(signals.get(loopy.id)).toMatchObject({ loopTrips: 8, budgetExhaustions: 3, policyDenials: 1, anomalies: 2, breakerTrips: 1, tenureDays: 84 });
      expect(signals.get(careful.id)).toMatchObject({ cleanCommits: 30, policyDenials: 0 });

      const scores = await recomputeTrustScores(tx, org.id, now);
      expect(scores.get(careful.id)!).toBeGreaterThan(700);
      expect(scores.get(loopy.id)!).toBeLessThan(500);
      const [stored] = await tx.select().from(trustScores).where(eq(trustScores.agentId, loopy.id));
      expect(stored).toMatchObject({ score: scores.get(loopy.id), reasons: expect.arrayContaining([expect.objectContaining({ code: "loopTrips" })]) });
      await recomputeTrustScores(tx, org.id, new Date(now.getTime() + 60_000));
      expect(await tx.select().from(trustScoreHistory).where(eq(trustScoreHistory.agentId, loopy.id))).toHaveLength(2);
    }));
});
