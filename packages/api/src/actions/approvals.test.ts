import { agentSessions, approvalGrants, approvals, approvalVotes, auditEvents, decisions, type Database } from "@tollgate/db";
import { openTestDatabase, testDrivers, withRollback } from "@tollgate/db/testing";
import type { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pendingApproval } from "../testing";

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
        approvals: { given: 1, required: 1 },
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

  it("refuses an owner approving their own agent's spend", () =>
    withRollback(database.db, async (tx) => {
      const { owner, approval, as } = await pendingApproval(tx);
      expect(await codeOf(as(owner).approvals.decide({ id: approval.id, verdict: "approve" }))).toBe("FORBIDDEN");
      const [row] = await tx.select().from(approvals).where(eq(approvals.id, approval.id));
      expect(row!.status).toBe("pending");
      expect(await tx.select().from(approvalVotes).where(eq(approvalVotes.approvalId, approval.id))).toEqual([]);
    }));

  it("lets an owner deny their own agent's spend, which only makes it safer", () =>
    withRollback(database.db, async (tx) => {
      const { owner, approval, as } = await pendingApproval(tx);
      expect(await as(owner).approvals.decide({ id: approval.id, verdict: "deny" })).toMatchObject({ status: "denied" });
    }));

  it("lets an owner approve their own agent's spend when the organization allows it", () =>
    withRollback(database.db, async (tx) => {
      const { owner, approval, as } = await pendingApproval(tx, { organization: { ownerMayApprove: true } });
      expect(await as(owner).approvals.decide({ id: approval.id, verdict: "approve" })).toMatchObject({ status: "approved", approvedAmount: 20_000 });
    }));

  it("above the dual-approval amount, settles only on the second distinct approver, at the lower cap", () =>
    withRollback(database.db, async (tx) => {
      const { reviewer, admin, approval, as } = await pendingApproval(tx, { organization: { dualApprovalAbove: 10_000, dualApprovalCurrency: "EUR" } });
      expect(await as(reviewer).approvals.decide({ id: approval.id, verdict: "approve", approvedAmount: 18_000 })).toEqual({
        id: approval.id,
        status: "pending",
        approvedAmount: null,
        approvals: { given: 1, required: 2 },
      });
      expect(await as(reviewer).approvals.decide({ id: approval.id, verdict: "approve" }).catch((error: TRPCError) => error)).toMatchObject({
        code: "CONFLICT",
        message: "you already approved this; it needs another reviewer",
      });
      expect(await as(admin).approvals.decide({ id: approval.id, verdict: "approve" })).toEqual({
        id: approval.id,
        status: "approved",
        approvedAmount: 18_000,
        approvals: { given: 2, required: 2 },
      });
      const audit = await tx.select({ action: auditEvents.action }).from(auditEvents).where(eq(auditEvents.targetId, approval.id));
      expect(audit.map((entry) => entry.action).sort()).toEqual(["approval.approve", "approval.vote"]);
    }));

  it("approves with a standing grant of more for the same session, action and currency, for a while", () =>
    withRollback(database.db, async (tx) => {
      const { org, agent, reviewer, approval, as } = await pendingApproval(tx);
      const [session] = await tx.insert(agentSessions).values({ organizationId: org.id, agentId: agent.id, externalId: "run-9" }).returning();
      await tx.update(decisions).set({ sessionId: session!.id }).where(eq(decisions.id, approval.decisionId));
      const before = Date.now();
      await as(reviewer).approvals.decide({ id: approval.id, verdict: "approve", grant: { amount: 50_000, validForMinutes: 60 } });
      const [grant] = await tx.select().from(approvalGrants).where(eq(approvalGrants.approvalId, approval.id));
      expect(grant).toMatchObject({ sessionId: session!.id, agentId: agent.id, action: "shop.order", amount: 50_000, currency: "EUR", used: 0, grantedByUserId: reviewer.id });
      expect(grant!.expiresAt.getTime() - before).toBeGreaterThanOrEqual(3_600_000 - 1_000);
    }));

  it("refuses a standing grant with a deny, for a request without a session, or with a vote that does not settle it", () =>
    withRollback(database.db, async (tx) => {
      const grant = { amount: 5_000, validForMinutes: 30 };
      const plain = await pendingApproval(tx);
      expect(await codeOf(plain.as(plain.reviewer).approvals.decide({ id: plain.approval.id, verdict: "deny", grant }))).toBe("BAD_REQUEST");
      const noSession = await plain.as(plain.reviewer).approvals.decide({ id: plain.approval.id, verdict: "approve", grant }).catch((error: TRPCError) => error);
      expect(noSession).toMatchObject({ code: "BAD_REQUEST", message: "this request came without a session" });
      const dual = await pendingApproval(tx, { organization: { dualApprovalAbove: 10_000, dualApprovalCurrency: "EUR" } });
      expect(await codeOf(dual.as(dual.reviewer).approvals.decide({ id: dual.approval.id, verdict: "approve", grant }))).toBe("BAD_REQUEST");
      expect(await tx.select().from(approvalVotes).where(eq(approvalVotes.approvalId, dual.approval.id))).toEqual([]);
      expect(await codeOf(plain.as(plain.reviewer).approvals.decide({ id: plain.approval.id, verdict: "approve", grant: { amount: 5_000, validForMinutes: 100_000 } }))).toBe("BAD_REQUEST");
    }));

  it("above the dual-approval amount, a deny by anyone settles it at once", () =>
    withRollback(database.db, async (tx) => {
      const { reviewer, admin, approval, as } = await pendingApproval(tx, { organization: { dualApprovalAbove: 10_000, dualApprovalCurrency: "EUR" } });
      await as(reviewer).approvals.decide({ id: approval.id, verdict: "approve" });
      expect(await as(admin).approvals.decide({ id: approval.id, verdict: "deny", note: "too much" })).toMatchObject({ status: "denied", approvedAmount: null });
    }));

  it("refuses approving more than was asked, naming the field", () =>
    withRollback(database.db, async (tx) => {
      const { reviewer, approval, as } = await pendingApproval(tx);
      const error = await as(reviewer).approvals.decide({ id: approval.id, verdict: "approve", approvedAmount: 20_001 }).catch((caught: TRPCError) => caught);
      expect(error).toMatchObject({ code: "BAD_REQUEST" });
      expect((error as TRPCError).message).toContain("more than was asked");
    }));

  it("approves a call that named no money as asked, by one reviewer, with no amount to cap or grant", () =>
    withRollback(database.db, async (tx) => {
      const { reviewer, approval, as } = await pendingApproval(tx, { money: null, organization: { dualApprovalAbove: 1, dualApprovalCurrency: "EUR" } });
      const capped = await as(reviewer).approvals.decide({ id: approval.id, verdict: "approve", approvedAmount: 100 }).catch((error: TRPCError) => error);
      expect(capped).toMatchObject({ code: "BAD_REQUEST", message: "this request names no amount to approve part of" });
      expect(await codeOf(as(reviewer).approvals.decide({ id: approval.id, verdict: "approve", grant: { amount: 5_000, validForMinutes: 30 } }))).toBe("BAD_REQUEST");
      expect(await tx.select().from(approvalVotes).where(eq(approvalVotes.approvalId, approval.id))).toEqual([]);
      expect(await as(reviewer).approvals.decide({ id: approval.id, verdict: "approve" })).toEqual({ id: approval.id, status: "approved", approvedAmount: null, approvals: { given: 1, required: 1 } });
      expect((await as(reviewer).approvals.list({})).items[0]).toMatchObject({ id: approval.id, amount: null, approvedAmount: null });
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

describe.each(testDrivers)("approval settings on %s", (driver) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database?.close());

  it("lets an admin set separation of duties and the dual-approval amount, and audits the change", () =>
    withRollback(database.db, async (tx) => {
      const { admin, as } = await pendingApproval(tx);
      const settings = { ownerMayApprove: true, dualApprovalAbove: { amount: 50_000, currency: "EUR" } };
      expect(await as(admin).approvals.updateSettings(settings)).toEqual({ ...settings, webhookUrl: null });
      expect(await as(admin).approvals.settings()).toEqual({ ...settings, webhookUrl: null });
      const [audit] = await tx.select().from(auditEvents).where(eq(auditEvents.action, "organization.approval_settings"));
      expect(audit).toMatchObject({ actorUserId: admin.id, before: { ownerMayApprove: false, dualApprovalAbove: null }, after: settings });
    }));

  it("sets the approval webhook, never showing or auditing its secret, and turns it off", () =>
    withRollback(database.db, async (tx) => {
      const { admin, as } = await pendingApproval(tx);
      const secret = "whsec-0123456789abcdef";
      const set = await as(admin).approvals.setWebhook({ webhook: { url: "https://hooks.example.test/T1/B2", secret } });
      expect(set.webhookUrl).toBe("https://hooks.example.test/T1/B2");
      expect(JSON.stringify(set)).not.toContain(secret);
      const audits = await tx.select().from(auditEvents).where(eq(auditEvents.action, "organization.approval_webhook"));
      expect(JSON.stringify(audits)).not.toContain(secret);
      expect((await as(admin).approvals.setWebhook({ webhook: null })).webhookUrl).toBeNull();
    }));

  it("names the fields of a webhook that is not an http URL or whose secret is short", () =>
    withRollback(database.db, async (tx) => {
      const { admin, as } = await pendingApproval(tx);
      const error = await as(admin)
        .approvals.setWebhook({ webhook: { url: "ftp://example.test", secret: "short" } })
        .catch((caught: TRPCError) => caught);
      expect(error).toMatchObject({ code: "BAD_REQUEST" });
      expect(JSON.stringify((error as TRPCError).cause)).toMatch(/the URL must be an http or https URL.*the signing secret must be at least 16 characters/);
    }));

  it("names the field of a malformed dual-approval amount", () =>
    withRollback(database.db, async (tx) => {
      const { admin, as } = await pendingApproval(tx);
      const error = await as(admin)
        .approvals.updateSettings({ ownerMayApprove: false, dualApprovalAbove: { amount: -5, currency: "euro" } })
        .catch((caught: TRPCError) => caught);
      expect(error).toMatchObject({ code: "BAD_REQUEST" });
      expect(JSON.stringify((error as TRPCError).cause)).toMatch(/dualApprovalAbove/);
    }));
});
