import { APPROVAL_CHANNEL, approvals, decisions, reservations, resultRows, type ApprovalNotice, type Database } from "@tollgate/db";
import { createCaller, createContext } from "@tollgate/api";
import { openTestDatabase, testDrivers } from "@tollgate/db/testing";
import { eq, sql } from "drizzle-orm";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { purchasingPolicy as purchasing, startTestWorker, type TestWorker } from "../testing";


// A journaling worker answers "pending" from its journal: the approval ships to PostgreSQL behind the answer.
const modes = testDrivers.flatMap((driver) => [[driver, "database"] as const, [driver, "journal"] as const]);

describe.each(modes)("the worker's approval desk on %s, durable in its %s", (driver, durability) => {
  let database: Database;
  let worker: TestWorker;
  let journalDir: string | undefined;
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
  const ask = () =>
    call("/v1/decisions", { action: "shop.order", amount: { amount: 6_000, currency: "EUR" }, sessionId: "s-1", requestId: `desk-${++counter}` });
  /** A pending decision whose approval is in PostgreSQL, for tests that change the row directly. */
  const askOver = async () => {
    const pending = await ask();
    await vi.waitFor(async () => expect(await database.db.select().from(approvals).where(eq(approvals.id, pending.approvalId))).toHaveLength(1));
    return pending;
  };

  beforeAll(async () => {
    database = await openTestDatabase(driver);
    if (durability === "journal") journalDir = mkdtempSync(join(tmpdir(), "tollgate-desk-journal-"));
    worker = await startTestWorker(database, { policy: purchasing, tags: ["purchasing"], ...(journalDir ? { journalDir } : {}) });
  });
  afterAll(async () => {
    await worker?.stop();
    await database?.close();
    if (journalDir) rmSync(journalDir, { recursive: true, force: true });
  });

  it("announces a newly opened approval to the reviewers' live queues", async () => {
    const heard: ApprovalNotice[] = [];
    const unlisten = await database.listen(APPROVAL_CHANNEL, (payload) => heard.push(JSON.parse(payload) as ApprovalNotice));
    try {
      const pending = await askOver();
      await vi.waitFor(() => expect(heard).toContainEqual({ organizationId: worker.organizationId, approvalId: pending.approvalId, agentId: worker.agentId, status: "pending" }));
    } finally {
      await unlisten();
    }
  });

  it("finds an approval the moment the agent asks after it, and wrote it with its hold and decision", async () => {
    const pending = await ask();
    expect(pending).toMatchObject({ decision: "pending" });
    // Asked at once: a journaling worker may not have shipped it yet, and looks again meanwhile.
    expect(await call(`/v1/approvals/${pending.approvalId}?waitMs=0`)).toMatchObject({ approvalId: pending.approvalId, status: "pending" });
    const writers = await Promise.all(
      [
        sql`select xmin::text as tx from ${approvals} where id = ${pending.approvalId}`,
        sql`select xmin::text as tx from ${reservations} where id = ${pending.reservationId}`,
        sql`select xmin::text as tx from ${decisions} where id = ${pending.decisionId}`,
      ].map(async (query) => resultRows<{ tx: string }>(await database.db.execute(query))[0]!.tx),
    );
    expect(new Set(writers).size).toBe(1);
    await call(`/v1/reservations/${pending.reservationId}/release`, {});
  });

  it("lets a reviewer's standing grant carry the session's next calls without another approval", async () => {
    const session = `granted-${++counter}`;
    const over = (amount: number) => call("/v1/decisions", { action: "shop.order", amount: { amount, currency: "EUR" }, sessionId: session, requestId: `desk-${++counter}` });
    const first = await over(6_000);
    expect(first).toMatchObject({ decision: "pending" });
    await vi.waitFor(async () => expect(await database.db.select().from(approvals).where(eq(approvals.id, first.approvalId))).toHaveLength(1));
    const reviewer = createCaller(createContext({ db: database.db, session: { userId: worker.reviewerId, organizationId: worker.organizationId, role: "reviewer" } }));
    await reviewer.approvals.decide({ id: first.approvalId, verdict: "approve", grant: { amount: 10_000, validForMinutes: 30 } });
    // The agent hears of the approval, then asks again: the grant is known to the worker by then.
    expect(await call(`/v1/approvals/${first.approvalId}?waitMs=5000`)).toMatchObject({ status: "approved", decision: "allow" });
    expect(await over(6_000)).toMatchObject({ decision: "allow" });
    // 6,000 of the 10,000 granted are used: the next 6,000 needs a human again.
    expect(await over(6_000)).toMatchObject({ decision: "pending" });
  });

  it("opens the approval of a pending decision that holds nothing, with its decision", async () => {
    const noLimits = { name: "shopping", selector: { tags: ["shopping"] }, grants: [{ id: "shop", actions: ["shop.*"] }], approvals: [{ id: "new-shop", when: "first_merchant" }] };
    const shopDir = journalDir && join(journalDir, "no-limits");
    const shopping = await startTestWorker(database, { policy: noLimits, tags: ["shopping"], ...(shopDir ? { journalDir: shopDir } : {}) });
    try {
      const response = await fetch(`${shopping.url}/v1/decisions`, {
        method: "POST",
        headers: { authorization: `Bearer ${shopping.key}` },
        body: JSON.stringify({ action: "shop.order", amount: { amount: 900, currency: "EUR" }, merchant: "acme", sessionId: "s-1", requestId: "first-shop" }),
      });
      const pending = (await response.json()) as { decision: string; approvalId: string; reservationId?: string };
      expect(pending).toMatchObject({ decision: "pending" });
      expect(pending.reservationId).toBeUndefined();
      const polled = await fetch(`${shopping.url}/v1/approvals/${pending.approvalId}?waitMs=0`, { headers: { authorization: `Bearer ${shopping.key}` } });
      expect(await polled.json()).toMatchObject({ approvalId: pending.approvalId, status: "pending" });
      const [row] = await database.db.select().from(approvals).where(eq(approvals.id, pending.approvalId));
      expect(row).toMatchObject({ reservationId: null, amount: 900, currency: "EUR", merchant: "acme" });

      // A call that names no money still waits for its human, and its approval claims none.
      const unpriced = await fetch(`${shopping.url}/v1/decisions`, {
        method: "POST",
        headers: { authorization: `Bearer ${shopping.key}` },
        body: JSON.stringify({ action: "shop.browse", merchant: "globex", sessionId: "s-1", requestId: "first-browse" }),
      });
      const waiting = (await unpriced.json()) as { decision: string; approvalId: string };
      expect(waiting).toMatchObject({ decision: "pending" });
      await vi.waitFor(async () => {
        const [unpricedRow] = await database.db.select().from(approvals).where(eq(approvals.id, waiting.approvalId));
        expect(unpricedRow).toMatchObject({ reservationId: null, amount: null, currency: null, merchant: "globex" });
      });
      // A reviewer approves it as asked: there is no amount to cap, and the receipt caps none.
      const reviewer = createCaller(createContext({ db: database.db, session: { userId: shopping.reviewerId, organizationId: shopping.organizationId, role: "reviewer" } }));
      expect(await reviewer.approvals.decide({ id: waiting.approvalId, verdict: "approve" })).toMatchObject({ status: "approved", approvedAmount: null });
      const answered = await fetch(`${shopping.url}/v1/approvals/${waiting.approvalId}?waitMs=5000`, { headers: { authorization: `Bearer ${shopping.key}` } });
      const approved = (await answered.json()) as Record<string, unknown>;
      expect(approved).toMatchObject({ status: "approved", decision: "allow" });
      expect(approved).not.toHaveProperty("approvedAmount");
      expect(typeof approved.receipt).toBe("string");
    } finally {
      await shopping.stop();
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
