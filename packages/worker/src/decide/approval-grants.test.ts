import { randomUUID } from "node:crypto";
import { agentSessions, announceApproval, approvalGrants, approvals, decisions, organizations, reservations, type Database, type Db } from "@tollgate/db";
import { agentFixture, openTestDatabase, organizationFixture, testDrivers, userFixture, withRollback } from "@tollgate/db/testing";
import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { approvedCap } from "./approval-cap";
import { drawStandingGrant, type GrantableRequest } from "./approval-grants";
import { openStandingGrants } from "./standing-grants";

/** An approved 100.00 EUR request in session "run-1", with `grant` EUR minor units more allowed for an hour. */
async function approvedWithGrant(db: Db, { grant = 10_000, approvedAmount = 10_000 } = {}) {
  const org = await organizationFixture(db);
  const reviewer = await userFixture(db, org.id, { role: "reviewer" });
  const agent = await agentFixture(db, await userFixture(db, org.id));
  const [session] = await db.insert(agentSessions).values({ organizationId: org.id, agentId: agent.id, externalId: "run-1" }).returning();
  const [decision] = await db
    .insert(decisions)
    .values({ organizationId: org.id, agentId: agent.id, sessionId: session!.id, requestId: "r1", action: "shop.order", amount: 10_000, currency: "EUR", outcome: "pending", snapshotVersion: 1, workerId: "w" })
    .returning();
  const now = new Date();
  const [approval] = await db
    .insert(approvals)
    .values({
      organizationId: org.id,
      decisionId: decision!.id,
      agentId: agent.id,
      action: "shop.order",
      amount: 10_000,
      currency: "EUR",
      status: "approved",
      approvedAmount,
      decidedByUserId: reviewer.id,
      decidedAt: now,
      createdAt: new Date(now.getTime() - 60_000),
      expiresAt: new Date(now.getTime() + 60_000),
    })
    .returning();
  await db.insert(approvalGrants).values({
    organizationId: org.id,
    approvalId: approval!.id,
    agentId: agent.id,
    sessionId: session!.id,
    action: "shop.order",
    amount: grant,
    currency: "EUR",
    expiresAt: new Date(now.getTime() + 3_600_000),
    grantedByUserId: reviewer.id,
  });
  const request = (change: Partial<GrantableRequest> = {}): GrantableRequest => ({
    organizationId: org.id,
    agentId: agent.id,
    sessionId: "run-1",
    action: "shop.order",
    amount: { amount: 4_000, currency: "EUR" },
    at: new Date(),
    ...change,
  });
  return { org, agent, approval: approval!, request };
}

describe.each(testDrivers)("standing grants on %s", (driver) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database?.close());

  it("covers the same agent, session, action and currency until its amount is used up", () =>
    withRollback(database.db, async (tx) => {
      const { request } = await approvedWithGrant(tx);
      expect(await drawStandingGrant(tx, request())).not.toBeNull();
      expect(await drawStandingGrant(tx, request())).not.toBeNull();
      // 8,000 of 10,000 used: another 4,000 does not fit, 2,000 does.
      expect(await drawStandingGrant(tx, request())).toBeNull();
      expect(await drawStandingGrant(tx, request({ amount: { amount: 2_000, currency: "EUR" } }))).not.toBeNull();
    }));

  it("covers nothing else: another session, action or currency, or after it ended", () =>
    withRollback(database.db, async (tx) => {
      const { request } = await approvedWithGrant(tx);
      expect(await drawStandingGrant(tx, request({ sessionId: "run-2" }))).toBeNull();
      expect(await drawStandingGrant(tx, request({ action: "shop.refund" }))).toBeNull();
      expect(await drawStandingGrant(tx, request({ amount: { amount: 4_000, currency: "USD" } }))).toBeNull();
      expect(await drawStandingGrant(tx, request({ at: new Date(Date.now() + 2 * 3_600_000) }))).toBeNull();
    }));

  it("never lets requests drawing at once take more than the grant", async () => {
    const { org, request } = await approvedWithGrant(database.db);
    try {
      const drawn = await Promise.all(Array.from({ length: 6 }, () => drawStandingGrant(database.db, request())));
      expect(drawn.filter((id) => id !== null)).toHaveLength(2);
      const [grant] = await database.db.select().from(approvalGrants).where(eq(approvalGrants.organizationId, org.id));
      expect(grant!.used).toBe(8_000);
    } finally {
      await database.db.delete(organizations).where(eq(organizations.id, org.id));
    }
  });

  it("knows at start which agents hold a live grant, and learns of new ones from approval notices", async () => {
    const { org, agent } = await approvedWithGrant(database.db);
    const spent = await approvedWithGrant(database.db, { grant: 1 });
    await database.db.update(approvalGrants).set({ used: 1 }).where(eq(approvalGrants.organizationId, spent.org.id));
    const later = await agentFixture(database.db, await userFixture(database.db, org.id));
    const grants = await openStandingGrants(database, () => new Date());
    try {
      expect(grants.mayCover(agent.id)).toBe(true);
      expect(grants.mayCover(spent.agent.id)).toBe(false);
      expect(grants.mayCover(later.id)).toBe(false);
      await announceApproval(database.db, { organizationId: org.id, approvalId: randomUUID(), agentId: later.id, status: "denied" });
      await announceApproval(database.db, { organizationId: org.id, approvalId: randomUUID(), agentId: later.id, status: "approved" });
      await vi.waitFor(() => expect(grants.mayCover(later.id)).toBe(true));
    } finally {
      await grants.close();
      await database.db.delete(organizations).where(inArray(organizations.id, [org.id, spent.org.id]));
    }
  });

  it("caps a commit at what the reviewer approved when it was less than was held", () =>
    withRollback(database.db, async (tx) => {
      const capOf = async (approvedAmount: number) => {
        const { org, agent, approval } = await approvedWithGrant(tx, { approvedAmount });
        const [hold] = await tx
          .insert(reservations)
          .values({ organizationId: org.id, agentId: agent.id, decisionId: approval.decisionId, amount: 10_000, currency: "EUR", status: "held", expiresAt: new Date(Date.now() + 60_000) })
          .returning();
        await tx.update(approvals).set({ reservationId: hold!.id }).where(eq(approvals.id, approval.id));
        return approvedCap(tx, org.id, hold!.id);
      };
      expect(await capOf(6_000)).toBe(6_000);
      expect(await capOf(10_000)).toBeNull();
    }));
});
