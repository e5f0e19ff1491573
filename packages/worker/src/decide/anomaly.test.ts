import { publishSnapshot } from "@tollgate/api";
import { reservations, type Database } from "@tollgate/db";
import { openTestDatabase, testDrivers } from "@tollgate/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestWorker, type TestWorker } from "../testing";

/** Gift cards far above the agent's usual spend are denied; anything else far above waits for a human. */
const watchful = {
  name: "watchful-shopping",
  selector: { tags: ["shopping"] },
  grants: [{ id: "shop", actions: ["shop.*"] }],
  limits: [{ id: "daily", period: "day", amount: 10_000_000, currency: "EUR" }],
  anomalies: [
    { id: "gift-cards", deviations: 3, respond: "deny", categories: ["gift-cards"] },
    { id: "far-above", deviations: 6, respond: "approval" },
  ],
};

describe.each(testDrivers)("the anomaly gate on %s", (driver) => {
  let database: Database;
  let worker: TestWorker;
  let counter = 0;

  const ask = async (amount: number, category?: string) => {
    const response = await fetch(`${worker.url}/v1/decisions`, {
      method: "POST",
      headers: { authorization: `Bearer ${worker.key}` },
      body: JSON.stringify({ action: "shop.order", amount: { amount, currency: "EUR" }, category, sessionId: "s-1", requestId: `anomaly-${++counter}` }),
    });
    return (await response.json()) as { decision: string; reasons: { code: string }[]; reservationId?: string; policyVersion: number };
  };

  beforeAll(async () => {
    database = await openTestDatabase(driver);
    worker = await startTestWorker(database, { policy: watchful, tags: ["shopping"] });
    // A month of ordinary orders around 10.00 EUR, then a new snapshot that carries the baseline.
    const settledAt = new Date(Date.now() - 24 * 60 * 60 * 1000);
    await database.db.insert(reservations).values(
      Array.from({ length: 30 }, (_, index) => ({
        organizationId: worker.organizationId,
        agentId: worker.agentId,
        amount: 900 + (index % 5) * 50,
        currency: "EUR",
        committedAmount: 900 + (index % 5) * 50,
        status: "committed" as const,
        expiresAt: settledAt,
        settledAt,
      })),
    );
    await publishSnapshot({ db: database.db, organizationId: worker.organizationId, cause: "test", now: new Date() });
  });
  afterAll(async () => {
    await worker?.stop();
    await database?.close();
  });

  it("answers a spend far above the agent's own baseline with the policy's response, before anything is held", async () => {
    // The second snapshot, the first with the baseline, reaches the worker by notification.
    await expect.poll(async () => (await ask(1_000)).policyVersion, { timeout: 2_000 }).toBe(2);
    const held = await database.db.select().from(reservations).where(eq(reservations.agentId, worker.agentId));

    expect(await ask(1_200)).toMatchObject({ decision: "allow" });
    expect(await ask(100_000)).toMatchObject({ decision: "pending", reasons: [{ code: "approval_required_anomaly" }] });
    const denied = await ask(5_000, "gift-cards");
    expect(denied).toMatchObject({ decision: "deny", reasons: [{ code: "spend_anomaly" }] });
    expect(denied.reservationId).toBeUndefined();
    // The allow and the pending each hold; the denial held nothing.
    const after = await database.db.select().from(reservations).where(eq(reservations.agentId, worker.agentId));
    expect(after.length - held.length).toBe(2);
  });
});
