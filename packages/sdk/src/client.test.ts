import { issueAgentKey, publishSnapshot } from "@tollgate/api";
import { APPROVAL_CHANNEL, apiKeys, approvals, organizations, policies, policyVersions, signingKeys, type Database } from "@tollgate/db";
import { agentFixture, openTestDatabase, organizationFixture, testDrivers, userFixture } from "@tollgate/db/testing";
import { serveWorker } from "@tollgate/worker";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTollgate, TollgateError, verifyReceipt, type Tollgate } from "./index";

const policy = {
  name: "buying",
  selector: { all: true },
  grants: [{ id: "shop", actions: ["shop.*"] }],
  limits: [{ id: "daily", period: "day", amount: 100_000, currency: "EUR" }],
  approvals: [{ id: "big", when: "amount_over", amount: 10_000, currency: "EUR" }],
};

describe.each(testDrivers)("the SDK against a real worker on %s", (driver) => {
  let database: Database;
  let worker: Awaited<ReturnType<typeof serveWorker>>;
  let gate: Tollgate;
  let organizationId: string;
  let reviewerId: string;
  let counter = 0;
  const requestId = () => `sdk-${driver}-${++counter}`;

  beforeAll(async () => {
    database = await openTestDatabase(driver);
    const org = await organizationFixture(database.db);
    organizationId = org.id;
    const agent = await agentFixture(database.db, await userFixture(database.db, org.id));
    reviewerId = (await userFixture(database.db, org.id, { role: "reviewer" })).id;
    const key = issueAgentKey();
    await database.db.insert(apiKeys).values({ organizationId, agentId: agent.id, prefix: key.prefix, hash: key.hash });
    const [row] = await database.db.insert(policies).values({ organizationId, name: "buying" }).returning();
    await database.db.insert(policyVersions).values({
      organizationId,
      policyId: row!.id,
      version: 1,
      source: JSON.stringify(policy),
      document: policy,
      status: "published",
      publishedAt: new Date(),
    });
    await publishSnapshot({ db: database.db, organizationId, cause: "test", now: new Date() });
    worker = await serveWorker({ host: "127.0.0.1", port: 0, workerId: `w-sdk-${driver}-${org.id.slice(0, 8)}`, version: "test", database });
    gate = createTollgate({ url: worker.url, key: key.key });
  });
  afterAll(async () => {
    await worker?.stop();
    await database?.db.delete(organizations).where(eq(organizations.id, organizationId));
    await database?.close();
  });

  it("gets an allow with a verifiable receipt, and commits what the call cost", async () => {
    const answer = await gate.decide({ action: "shop.order", amount: { amount: 2_500, currency: "EUR" }, merchant: "acme", sessionId: "s", requestId: requestId() });
    expect(answer.decision).toBe("allow");
    const keys = await database.db.select().from(signingKeys).where(and(eq(signingKeys.organizationId, organizationId), eq(signingKeys.purpose, "receipt")));
    expect(verifyReceipt(answer.receipt!, Object.fromEntries(keys.map((k) => [k.id, k.publicKey])), new Date()).ok).toBe(true);
    expect(await gate.commit(answer.reservationId!, { amount: 2_000, currency: "EUR" })).toMatchObject({ status: "committed" });
  });

  it("gets a deny with the reason code and the rule", async () => {
    const answer = await gate.decide({ action: "casino.bet", amount: { amount: 100, currency: "EUR" }, sessionId: "s", requestId: requestId() });
    expect(answer).toMatchObject({ decision: "deny", reasons: [{ code: "no_matching_grant" }] });
  });

  it("returns the first decision for a retried request id", async () => {
    const id = requestId();
    const first = await gate.decide({ action: "shop.order", amount: { amount: 300, currency: "EUR" }, sessionId: "s", requestId: id });
    const again = await gate.decide({ action: "shop.order", amount: { amount: 300, currency: "EUR" }, sessionId: "s", requestId: id });
    expect(again.decisionId).toBe(first.decisionId);
    await gate.release(first.reservationId!);
  });

  it("waits for a human's approval and learns it", async () => {
    const pending = await gate.decide({ action: "shop.order", amount: { amount: 20_000, currency: "EUR" }, sessionId: "s", requestId: requestId() });
    expect(pending.decision).toBe("pending");
    const waiting = gate.waitForApproval(pending.approvalId!, { timeoutMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await database.db
      .update(approvals)
      .set({ status: "denied", decidedByUserId: reviewerId, decidedAt: new Date(), note: "not this month" })
      .where(eq(approvals.id, pending.approvalId!));
    await database.db.execute(sql`select pg_notify(${APPROVAL_CHANNEL}, ${JSON.stringify({ approvalId: pending.approvalId, status: "denied" })})`);
    expect(await waiting).toMatchObject({ status: "denied", decision: "deny", note: "not this month" });
  });

  it("throws a typed error when the worker refuses the request itself", async () => {
    const stranger = createTollgate({ url: worker.url, key: issueAgentKey().key });
    const error = await stranger.decide({ action: "shop.order", sessionId: "s", requestId: requestId() }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TollgateError);
    expect(error).toMatchObject({ status: 401, code: "key_unknown" });
  });
});
