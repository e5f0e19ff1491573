import { approvals, type Database } from "@tollgate/db";
import { openTestDatabase, testDrivers, withRollback } from "@tollgate/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pendingApproval } from "../testing";

describe.each(testDrivers)("approval latency on %s", (driver) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database?.close());

  it("shows how long the human took and how long until the agent heard, newest first", () =>
    withRollback(database.db, async (tx) => {
      const { reviewer, approval, as } = await pendingApproval(tx);
      expect(await as(reviewer).approvals.recent()).toEqual({ items: [], median: { decisionMs: null, informMs: null } });
      const askedAt = approval.createdAt.getTime();
      await tx
        .update(approvals)
        .set({ status: "denied", decidedByUserId: reviewer.id, decidedAt: new Date(askedAt + 90_000), agentInformedAt: new Date(askedAt + 90_250) })
        .where(eq(approvals.id, approval.id));
      const recent = await as(reviewer).approvals.recent();
      expect(recent.items).toMatchObject([{ id: approval.id, status: "denied", decidedBy: reviewer.name, decisionMs: 90_000, informMs: 250 }]);
      expect(recent.median).toEqual({ decisionMs: 90_000, informMs: 250 });
    }));

  it("leaves the agent's leg empty until the agent asked", () =>
    withRollback(database.db, async (tx) => {
      const { reviewer, approval, as } = await pendingApproval(tx);
      await as(reviewer).approvals.decide({ id: approval.id, verdict: "approve" });
      expect((await as(reviewer).approvals.recent()).items).toMatchObject([{ id: approval.id, status: "approved", informMs: null }]);
    }));
});
