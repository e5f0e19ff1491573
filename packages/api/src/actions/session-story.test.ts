import { agentSessions, approvals, decisions, reservations, type Database } from "@tollgate/db";
import { agentFixture, openTestDatabase, organizationFixture, testDrivers, userFixture, withRollback } from "@tollgate/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createContext } from "../context";
import { createCaller } from "../root";
import { sessionOf } from "../testing";

const at = (second: number) => new Date(Date.UTC(2026, 10, 24, 9, 0, second));

describe.each(testDrivers)("a session's story on %s", (driver) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database?.close());

  it("tells every decision, hold, commit, approval and trip of the session in time order", () =>
    withRollback(database.db, async (tx) => {
      const org = await organizationFixture(tx);
      const admin = await userFixture(tx, org.id);
      const reviewer = await userFixture(tx, org.id, { role: "reviewer", name: "Rui" });
      const agent = await agentFixture(tx, admin);
      const [session] = await tx
        .insert(agentSessions)
        .values({ organizationId: org.id, agentId: agent.id, externalId: "run-7", status: "tripped", trippedAt: at(50), trippedReason: "20 denials in a row", startedAt: at(0) })
        .returning();
      const decision = (second: number, requestId: string, outcome: "allow" | "deny" | "pending", amount: number) => ({
        organizationId: org.id,
        agentId: agent.id,
        sessionId: session!.id,
        requestId,
        action: "shop.order",
        amount,
        currency: "EUR",
        outcome,
        reasons: outcome === "deny" ? [{ code: "envelope_exhausted", message: "daily envelope", rule: "p/daily", policyVersion: 1 }] : [],
        snapshotVersion: 1,
        workerId: "w",
        createdAt: at(second),
      });
      const [allowed, pending] = await tx
        .insert(decisions)
        .values([decision(1, "a", "allow", 500), decision(10, "b", "pending", 9_000), decision(40, "c", "deny", 70_000)])
        .returning();
      await tx.insert(reservations).values([
        { organizationId: org.id, agentId: agent.id, decisionId: allowed!.id, amount: 500, currency: "EUR", status: "committed", committedAmount: 420, expiresAt: at(300), createdAt: at(1), settledAt: at(3) },
        { organizationId: org.id, agentId: agent.id, decisionId: pending!.id, amount: 9_000, currency: "EUR", status: "released", expiresAt: at(900), createdAt: at(10), settledAt: at(30) },
      ]);
      await tx.insert(approvals).values({
        organizationId: org.id,
        decisionId: pending!.id,
        agentId: agent.id,
        action: "shop.order",
        amount: 9_000,
        currency: "EUR",
        status: "denied",
        decidedByUserId: reviewer.id,
        decidedAt: at(29),
        note: "too much",
        expiresAt: at(900),
        createdAt: at(10),
      });

      const story = await createCaller(createContext({ db: tx, session: sessionOf(admin) })).sessions.story({ id: session!.id });
      expect(story.session).toMatchObject({ externalId: "run-7", status: "tripped", agent: { name: agent.name } });
      expect(story.events.map((event) => event.kind)).toEqual([
        "decision",
        "hold",
        "settled",
        "decision",
        "approval_requested",
        "hold",
        "approval_decided",
        "settled",
        "decision",
        "tripped",
      ]);
      expect(story.events[2]).toMatchObject({ status: "committed", amount: { amount: 420, currency: "EUR" } });
      expect(story.events[6]).toMatchObject({ status: "denied", decidedBy: "Rui", note: "too much" });
      expect(story.events[8]).toMatchObject({ outcome: "deny", reasons: [{ code: "envelope_exhausted", rule: "p/daily" }] });
      expect(story.truncated).toBe(false);
    }));
});
