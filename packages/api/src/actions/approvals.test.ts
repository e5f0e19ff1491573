import { approvals, auditEvents, decisions, type Database, type Db } from "@tollgate/db";
import { agentFixture, openTestDatabase, organizationFixture, testDrivers, userFixture, withRollback } from "@tollgate/db/testing";
import type { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createContext } from "../context";
import { createCaller } from "../root";
import { sessionOf } from "../testing";

/** An agent owned by `owner` with one pending approval of 20,000 EUR minor units, asked 2 minutes ago. */
async function pendingApproval(tx: Db, { expiresInMs = 60_000 } = {}) {
  const org = await organizationFixture(tx);
  const owner = await userFixture(tx, org.id, { role: "reviewer" });
  const reviewer = await userFixture(tx, org.id, { role: "reviewer" });
  const admin = await userFixture(tx, org.id, { role: "admin" });
  const agent = await agentFixture(tx, owner);
  const [decision] = await tx
    .insert(decisions)
    .values({ organizationId: org.id, agentId: agent.id, requestId: "r1", action: "shop.order", amount: 20_000, currency: "EUR", outcome: "pending", snapshotVersion: 1, workerId: "w" })
    .returning();
  const [approval] = await tx
    .insert(approvals)
    .values({ organizationId: org.id, decisionId: decision!.id, agentId: agent.id, action: "shop.order", amount: 20_000, currency: "EUR", createdAt: new Date(Date.now() - 120_000), expiresAt: new Date(Date.now() + expiresInMs) })
    .returning();
  const as = (user: typeof owner) => createCaller(createContext({ db: tx, session: sessionOf(user) }));
  return { org, owner, reviewer, admin, agent, approval: approval!, as };
}

const codeOf = (work: Promise<unknown>) => work.then(() => "OK", (error: TRPCError) => error.code);

describe.each(testDrivers)("deciding approvals on %s", (driver) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database?.close());

  it("approves less than was asked, records who and why, and the audit chain verifies", () =>
    withRollback(database.db, async (tx) => {
      const { reviewer, approval, as } = await pendingApproval(tx);
      expect(await as(reviewer).approvals.decide({ id: approval.id, verdict: "approve", approvedAmount: 15_000, note: "half the cart" })).toEqual({
        id: approval.id,
        status: "approved",
        approvedAmount: 15_000,
      });
      const [row] = await tx.select().from(approvals).where(eq(approvals.id, approval.id));
      expect(row).toMatchObject({ decidedByUserId: reviewer.id, note: "half the cart" });
      const [audit] = await tx.select().from(auditEvents).where(eq(auditEvents.targetId, approval.id));
      expect(audit).toMatchObject({ action: "approval.approve", actorUserId: reviewer.id, after: { approvedAmount: 15_000 } });
      expect(await as(reviewer).audit.verify().catch(() => "no access")).toBe("no access");
    }));

  it("lets the first of two reviewers win and tells the second it was already decided", () =>
    withRollback(database.db, async (tx) => {
      const { reviewer, admin, approval, as } = await pendingApproval(tx);
      await as(reviewer).approvals.decide({ id: approval.id, verdict: "deny", note: "no" });
      const second = await as(admin).approvals.decide({ id: approval.id, verdict: "approve" }).catch((error: TRPCError) => error);
      expect(second).toMatchObject({ code: "CONFLICT", message: `this approval was already denied by ${reviewer.name}` });
    }));

  it("refuses an owner deciding their own agent's spend", () =>
    withRollback(database.db, async (tx) => {
      const { owner, approval, as } = await pendingApproval(tx);
      expect(await codeOf(as(owner).approvals.decide({ id: approval.id, verdict: "approve" }))).toBe("FORBIDDEN");
      const [row] = await tx.select().from(approvals).where(eq(approvals.id, approval.id));
      expect(row!.status).toBe("pending");
    }));

  it("refuses approving more than was asked, naming the field", () =>
    withRollback(database.db, async (tx) => {
      const { reviewer, approval, as } = await pendingApproval(tx);
      const error = await as(reviewer).approvals.decide({ id: approval.id, verdict: "approve", approvedAmount: 20_001 }).catch((caught: TRPCError) => caught);
      expect(error).toMatchObject({ code: "BAD_REQUEST" });
      expect((error as TRPCError).message).toContain("more than was asked");
    }));

  it("refuses deciding an approval that already expired", () =>
    withRollback(database.db, async (tx) => {
      const { reviewer, approval, as } = await pendingApproval(tx, { expiresInMs: -60_000 });
      expect(await codeOf(as(reviewer).approvals.decide({ id: approval.id, verdict: "approve" }))).toBe("CONFLICT");
    }));

  it("refuses an approval of another organization as not found", () =>
    withRollback(database.db, async (tx) => {
      const mine = await pendingApproval(tx);
      const theirs = await pendingApproval(tx);
      expect(await codeOf(mine.as(mine.reviewer).approvals.decide({ id: theirs.approval.id, verdict: "approve" }))).toBe("NOT_FOUND");
    }));
});
