import { issueAgentKey } from "@tollgate/api";
import { signingKeys, type Database } from "@tollgate/db";
import { testDrivers } from "@tollgate/db/testing";
import type { TestWorker } from "@tollgate/worker/testing";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTollgate, TollgateError, verifyReceipt, type Tollgate } from "./index";
import { startSdkWorker, stopSdkWorker } from "./test-support";

const policy = {
  name: "buying",
  selector: { all: true },
  grants: [{ id: "shop", actions: ["shop.*"] }],
  limits: [{ id: "daily", period: "day", amount: 100_000, currency: "EUR" }],
  approvals: [{ id: "big", when: "amount_over", amount: 10_000, currency: "EUR" }],
};

describe.each(testDrivers)("the SDK against a real worker on %s", (driver) => {
  let database: Database;
  let worker: TestWorker;
  let gate: Tollgate;
  let counter = 0;
  const requestId = () => `sdk-${driver}-${++counter}`;

  beforeAll(async () => ({ database, worker, gate } = await startSdkWorker(driver, policy)));
  afterAll(() => stopSdkWorker(database, worker));

  it("gets an allow with a verifiable receipt, and commits what the call cost", async () => {
    const answer = await gate.decide({ action: "shop.order", amount: { amount: 2_500, currency: "EUR" }, merchant: "acme", sessionId: "s", requestId: requestId() });
    expect(answer.decision).toBe("allow");
    const keys = await database.db.select().from(signingKeys).where(and(eq(signingKeys.organizationId, worker.organizationId), eq(signingKeys.purpose, "receipt")));
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
    await worker.decide(pending.approvalId!, "denied", "not this month");
    expect(await waiting).toMatchObject({ status: "denied", decision: "deny", note: "not this month" });
  });

  it("throws a typed error when the worker refuses the request itself", async () => {
    const stranger = createTollgate({ url: worker.url, key: issueAgentKey().key });
    const error = await stranger.decide({ action: "shop.order", sessionId: "s", requestId: requestId() }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TollgateError);
    expect(error).toMatchObject({ status: 401, code: "key_unknown" });
  });
});
