import { agentSessions, announceApproval, approvals, decisions, organizations, trustScores, type Database, type Db } from "@tollgate/db";
import { openTestDatabase, testDrivers, withRollback } from "@tollgate/db/testing";
import type { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createContext } from "../context";
import { appRouter, createCaller } from "../root";
import { pendingApproval, sessionOf } from "../testing";

/** Another pending approval of `agentId`, in session `run-7`, opened just now. */
async function anotherPending(db: Db, { organizationId, agentId }: { organizationId: string; agentId: string }, requestId: string) {
  const [session] = await db.insert(agentSessions).values({ organizationId, agentId, externalId: `run-${requestId}` }).returning();
  const [decision] = await db
    .insert(decisions)
    .values({ organizationId, agentId, sessionId: session!.id, requestId, action: "cloud.gpu.rent", amount: 7_500, currency: "EUR", merchant: "gpu-co", outcome: "pending", snapshotVersion: 1, workerId: "w" })
    .returning();
  const [approval] = await db
    .insert(approvals)
    .values({
      organizationId,
      decisionId: decision!.id,
      agentId,
      action: "cloud.gpu.rent",
      merchant: "gpu-co",
      amount: 7_500,
      currency: "EUR",
      reasons: [{ code: "approval_required_amount", message: "over 50.00 EUR", rule: "spend/over-50", policyVersion: 1 }],
      expiresAt: new Date(Date.now() + 30_000),
    })
    .returning();
  return { approval: approval!, session: session! };
}

describe.each(testDrivers)("the live approval queue on %s", (driver) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database?.close());

  it("shows each pending request with its agent, owner, trust score, reasons, session and votes, soonest to expire first", () =>
    withRollback(database.db, async (tx) => {
      const { org, owner, reviewer, agent, approval, as } = await pendingApproval(tx, { organization: { dualApprovalAbove: 10_000, dualApprovalCurrency: "EUR" } });
      await tx.insert(trustScores).values({ organizationId: org.id, agentId: agent.id, score: 640 });
      const { approval: sooner, session } = await anotherPending(tx, { organizationId: org.id, agentId: agent.id }, "gpu");
      await as(reviewer).approvals.decide({ id: approval.id, verdict: "approve" });

      const queue = await as(reviewer).approvals.queue();
      expect(queue.items.map((item) => item.id)).toEqual([sooner.id, approval.id]);
      expect(queue.items[0]).toMatchObject({
        agent: { id: agent.id, name: agent.name, trustScore: 640 },
        owner: { id: owner.id, name: owner.name },
        action: "cloud.gpu.rent",
        merchant: "gpu-co",
        amount: { amount: 7_500, currency: "EUR" },
        reasons: [{ code: "approval_required_amount", message: "over 50.00 EUR", rule: "spend/over-50" }],
        session: { id: session.id, externalId: "run-gpu" },
        approvals: { given: 0, required: 1 },
        votedByMe: false,
        ownedByMe: false,
      });
      expect(queue.items[1]).toMatchObject({ approvals: { given: 1, required: 2 }, votedByMe: true, session: null });
      expect((await as(owner).approvals.queue()).items[0]!.ownedByMe).toBe(true);
    }));

  it("leaves out decided approvals and those whose time is up", () =>
    withRollback(database.db, async (tx) => {
      const { reviewer, approval, as } = await pendingApproval(tx, { expiresInMs: -1_000 });
      expect((await as(reviewer).approvals.queue()).items.map((item) => item.id)).not.toContain(approval.id);
      expect((await as(reviewer).approvals.queue()).items).toEqual([]);
    }));

  it("sends the queue at once, then again when a request opens or is decided, and nothing of other organizations", async () => {
    const mine = await pendingApproval(database.db);
    const theirs = await pendingApproval(database.db);
    const live = createCaller(createContext({ db: database.db, session: sessionOf(mine.reviewer), listen: database.listen }));
    const updates = (await live.approvals.live())[Symbol.asyncIterator]();
    try {
      const next = async () => (await updates.next()).value!.items.map((item) => item.id);
      expect(await next()).toEqual([mine.approval.id]);

      const opened = await anotherPending(database.db, { organizationId: mine.org.id, agentId: mine.agent.id }, "live");
      await announceApproval(database.db, { organizationId: mine.org.id, approvalId: opened.approval.id, agentId: opened.approval.agentId, status: "pending" });
      expect(await next()).toEqual([opened.approval.id, mine.approval.id]);

      // Another organization's news wakes nobody here: the next update is this decision's.
      await theirs.as(theirs.reviewer).approvals.decide({ id: theirs.approval.id, verdict: "deny" });
      await mine.as(mine.reviewer).approvals.decide({ id: opened.approval.id, verdict: "approve" });
      expect(await next()).toEqual([mine.approval.id]);
    } finally {
      await updates.return?.();
      await database.db.delete(organizations).where(eq(organizations.id, mine.org.id));
      await database.db.delete(organizations).where(eq(organizations.id, theirs.org.id));
    }
  });

  it("lets exactly one of two reviewers acting at once decide, and tells the other who did", async () => {
    const { org, reviewer, admin, approval, as } = await pendingApproval(database.db);
    try {
      const outcomes = await Promise.all(
        [reviewer, admin].map((user) =>
          as(user)
            .approvals.decide({ id: approval.id, verdict: user === reviewer ? "approve" : "deny" })
            .then((decided) => ({ user, decided }), (error: TRPCError) => ({ user, error })),
        ),
      );
      const winners = outcomes.filter((outcome) => "decided" in outcome);
      const losers = outcomes.filter((outcome) => "error" in outcome);
      expect([winners.length, losers.length]).toEqual([1, 1]);
      const winner = winners[0]!.user;
      const [row] = await database.db.select().from(approvals).where(eq(approvals.id, approval.id));
      expect(row!.decidedByUserId).toBe(winner.id);
      expect(losers[0]).toMatchObject({ error: { code: "CONFLICT", message: `this approval was already ${row!.status} by ${winner.name}` } });
    } finally {
      await database.db.delete(organizations).where(eq(organizations.id, org.id));
    }
  });
});

describe("the live queue over server-sent events", () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase("pglite");
  });
  afterAll(() => database?.close());

  it("streams the queue as an event and stops listening once the browser goes away", async () => {
    const { reviewer, approval } = await pendingApproval(database.db);
    let listening = 0;
    const listen: Database["listen"] = async (channel, onMessage) => {
      const unlisten = await database.listen(channel, onMessage);
      listening++;
      return async () => {
        listening--;
        await unlisten();
      };
    };
    const browser = new AbortController();
    const response = await fetchRequestHandler({
      endpoint: "/trpc",
      req: new Request("http://localhost/trpc/approvals.live", { signal: browser.signal }),
      router: appRouter,
      createContext: () => createContext({ db: database.db, session: sessionOf(reviewer), listen }),
    });
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = response.body!.getReader();
    let received = "";
    while (!received.includes(approval.id)) received += new TextDecoder().decode((await reader.read()).value);
    expect(listening).toBe(1);
    browser.abort();
    await reader.cancel().catch(() => {});
    await vi.waitFor(() => expect(listening).toBe(0));
  });
});
