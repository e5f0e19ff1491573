import { APPROVAL_CHANNEL, approvals, reservations, type ApprovalNotice, type Database } from "@tollgate/db";
import { openTestDatabase, testDrivers } from "@tollgate/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { purchasingPolicy as purchasing, startTestWorker, type TestWorker } from "../testing";


describe.each(testDrivers)("the worker's approval desk on %s", (driver) => {
  let database: Database;
  let worker: TestWorker;
  let counter = 0;

  // Response bodies are read field by field in assertions; their shapes are the contract under test.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const call = async (path: string, body?: unknown): Promise<Record<string, any>> => {
    const response = await fetch(`${worker.url}${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { authorization: `Bearer ${worker.key}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await response.json()) as Record<string, unknown>;
  };
  const askOver = () =>
    call("/v1/decisions", { action: "shop.order", amount: { amount: 6_000, currency: "EUR" }, sessionId: "s-1", requestId: `desk-${++counter}` });

  beforeAll(async () => {
    database = await openTestDatabase(driver);
    worker = await startTestWorker(database, { policy: purchasing, tags: ["purchasing"] });
  });
  afterAll(async () => {
    await worker?.stop();
    await database?.close();
  });

  it("announces a newly opened approval to the reviewers' live queues", async () => {
    const heard: ApprovalNotice[] = [];
    const unlisten = await database.listen(APPROVAL_CHANNEL, (payload) => heard.push(JSON.parse(payload) as ApprovalNotice));
    try {
      const pending = await askOver();
      await vi.waitFor(() => expect(heard).toContainEqual({ organizationId: worker.organizationId, approvalId: pending.approvalId, status: "pending" }));
    } finally {
      await unlisten();
    }
  });

  it("records when the agent first heard the outcome, and only the first time", async () => {
    const pending = await askOver();
    const decidedAt = new Date();
    await database.db
      .update(approvals)
      .set({ status: "denied", decidedByUserId: worker.reviewerId, decidedAt })
      .where(eq(approvals.id, pending.approvalId));
    expect((await call(`/v1/approvals/${pending.approvalId}`)).status).toBe("denied");
    const [first] = await database.db.select().from(approvals).where(eq(approvals.id, pending.approvalId));
    expect(first!.agentInformedAt!.getTime()).toBeGreaterThanOrEqual(decidedAt.getTime());
    await call(`/v1/approvals/${pending.approvalId}`);
    const [again] = await database.db.select().from(approvals).where(eq(approvals.id, pending.approvalId));
    expect(again!.agentInformedAt).toEqual(first!.agentInformedAt);
  });

  it("does not count an unanswered long-poll as the agent being informed", async () => {
    const pending = await askOver();
    expect((await call(`/v1/approvals/${pending.approvalId}?waitMs=50`)).status).toBe("pending");
    const [row] = await database.db.select().from(approvals).where(eq(approvals.id, pending.approvalId));
    expect(row!.agentInformedAt).toBeNull();
    await call(`/v1/reservations/${pending.reservationId}/release`, {});
  });

  it("expires an approval nobody answered and returns its hold, even when the agent stopped asking", async () => {
    const pending = await askOver();
    await database.db.update(approvals).set({ expiresAt: new Date(Date.now() + 100) }).where(eq(approvals.id, pending.approvalId));
    // The sweep marks the approval expired, then releases its hold in the budget's next batch.
    await vi.waitFor(
      async () => {
        const [row] = await database.db.select().from(approvals).where(eq(approvals.id, pending.approvalId));
        const [hold] = await database.db.select().from(reservations).where(eq(reservations.id, pending.reservationId));
        expect({ approval: row!.status, hold: hold!.status }).toEqual({ approval: "expired", hold: "released" });
      },
      { timeout: 5_000, interval: 100 },
    );
  });
});
