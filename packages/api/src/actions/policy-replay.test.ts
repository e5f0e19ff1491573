import { decisions, type Database, type Db } from "@tollgate/db";
import { agentFixture, openTestDatabase, organizationFixture, publishedPolicyFixture, testDrivers, userFixture, withRollback } from "@tollgate/db/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replayPolicyDraft } from "./policy-replay";

const now = new Date("2026-11-24T12:00:00Z");
const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000);

const payments = { name: "payments", selector: { all: true }, grants: [{ id: "charges", actions: ["stripe.*"] }] };

/** The published `payments` policy lets an agent charge anything; five decisions were logged under it. */
async function loggedCharges(tx: Db) {
  const org = await organizationFixture(tx);
  const admin = await userFixture(tx, org.id);
  const agent = await agentFixture(tx, admin);
  await publishedPolicyFixture(tx, org.id, payments);
  let sequence = 0;
  const log = (outcome: "allow" | "deny", action: string, amount: number | null, createdAt: Date, currency = "USD") =>
    tx.insert(decisions).values({
      organizationId: org.id,
      agentId: agent.id,
      requestId: `r${(sequence += 1)}`,
      action,
      amount,
      currency: amount === null ? null : currency,
      merchant: "acme",
      outcome,
      snapshotVersion: 1,
      workerId: "w",
      createdAt,
    });
  await log("allow", "stripe.charges.create", 1_000, hoursAgo(30));
  await log("allow", "stripe.charges.create", 6_000, hoursAgo(20));
  await log("allow", "stripe.charges.create", 8_000, hoursAgo(10));
  await log("allow", "stripe.charges.create", 9_000, hoursAgo(5), "EUR");
  await log("deny", "github.repos.delete", null, hoursAgo(2));
  // Outside a 7-day window: never replayed.
  await log("allow", "stripe.charges.create", 50_000, hoursAgo(24 * 8));
  return { org, agent };
}

const capped = `
name: payments
selector: { all: true }
grants:
  - id: charges
    actions: ["stripe.*"]
caps:
  - id: small
    amount: 5000
    currency: USD
    actions: ["stripe.*"]
`;

describe.each(testDrivers)("replaying a policy draft on %s", (driver) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database?.close());

  it("counts every decision of the window by outcome before and after, with the money and the flips", () =>
    withRollback(database.db, async (tx) => {
      const { org, agent } = await loggedCharges(tx);
      const result = await replayPolicyDraft(tx, org.id, capped, { days: 7, now, limit: 10 });
      if (!result.ok) throw new Error(JSON.stringify(result.errors));

      expect(result.policy).toEqual({ name: "payments", version: 2 });
      expect([result.replayed, result.skipped, result.flipped]).toEqual([5, 0, 3]);
      expect(result.transitions).toEqual([
        { before: "allow", after: "deny", count: 3 },
        { before: "allow", after: "allow", count: 1 },
        { before: "deny", after: "deny", count: 1 },
      ]);
      expect(result.money).toEqual([
        { currency: "EUR", allowedBefore: 9_000, allowedAfter: 0 },
        { currency: "USD", allowedBefore: 15_000, allowedAfter: 1_000 },
      ]);
      expect(result.examples.map((example) => [example.amount, example.after, example.reasons[0]?.code])).toEqual([
        [{ amount: 6_000, currency: "USD" }, "deny", "over_per_call_cap"],
        [{ amount: 8_000, currency: "USD" }, "deny", "over_per_call_cap"],
        [{ amount: 9_000, currency: "EUR" }, "deny", "currency_mismatch"],
      ]);
      expect(result.examples[0]).toMatchObject({ agentId: agent.id, before: "allow", merchant: "acme" });
    }));

  it("replays the published policy unchanged as no flips at all", () =>
    withRollback(database.db, async (tx) => {
      const { org } = await loggedCharges(tx);
      const result = await replayPolicyDraft(tx, org.id, JSON.stringify(payments), { days: 7, now, limit: 10 });
      expect(result).toMatchObject({ ok: true, replayed: 5, flipped: 0, examples: [] });
    }));

  it("keeps at most `limit` examples but counts every flip, and narrows to `days`", () =>
    withRollback(database.db, async (tx) => {
      const { org } = await loggedCharges(tx);
      const result = await replayPolicyDraft(tx, org.id, capped, { days: 1, now, limit: 1 });
      expect(result).toMatchObject({ ok: true, replayed: 4, flipped: 3 });
      if (result.ok) expect(result.examples).toHaveLength(1);
    }));

  it("adds a draft of a new name beside the published policies: a deny of its own flips what it names", () =>
    withRollback(database.db, async (tx) => {
      const { org } = await loggedCharges(tx);
      const freeze = "name: freeze\nselector: { all: true }\ndenies:\n  - { id: no-euro-refunds, actions: [stripe.charges.create], merchants: [acme] }\n";
      const result = await replayPolicyDraft(tx, org.id, freeze, { days: 7, now, limit: 0 });
      expect(result).toMatchObject({ ok: true, policy: { name: "freeze", version: 1 }, flipped: 4, examples: [] });
    }));

  it("counts a loop limit over repeats of the same call only", () =>
    withRollback(database.db, async (tx) => {
      const { org, agent } = await loggedCharges(tx);
      const once = capped.replace("caps:", "loops:\n  - { id: once, maxRepeats: 1, windowSeconds: 86400 }\ncaps:");
      // The five logged calls all differ, so a draft that allows each call once a day flips only what its cap does.
      const result = await replayPolicyDraft(tx, org.id, once, { days: 7, now, limit: 0 });
      expect(result).toMatchObject({ ok: true, replayed: 5, flipped: 3 });
      await tx.insert(decisions).values({
        organizationId: org.id,
        agentId: agent.id,
        requestId: "again",
        action: "stripe.charges.create",
        amount: 1_000,
        currency: "USD",
        merchant: "acme",
        outcome: "allow",
        snapshotVersion: 1,
        workerId: "w",
        createdAt: hoursAgo(29),
      });
      // The same 10.00 USD charge an hour after the first is its repeat.
      const repeated = await replayPolicyDraft(tx, org.id, once, { days: 7, now, limit: 10 });
      expect(repeated).toMatchObject({ ok: true, replayed: 6, flipped: 4 });
      if (!repeated.ok) return;
      const loops = repeated.examples.filter((example) => example.reasons.some((reason) => reason.code === "loop_detected"));
      expect(loops.map((example) => example.amount)).toEqual([{ amount: 1_000, currency: "USD" }]);
    }));

  it("replays every decision exactly once across batches, even many logged in the same microsecond", () =>
    withRollback(database.db, async (tx) => {
      const { org, agent } = await loggedCharges(tx);
      // All at one instant with microseconds a JS Date cannot hold: only the id breaks the ties.
      const instant = sql`${hoursAgo(1).toISOString()}::timestamptz + interval '123 microseconds'`;
      const burst = Array.from({ length: 1_201 }, (_, index) => ({
        organizationId: org.id,
        agentId: agent.id,
        requestId: `burst-${index}`,
        action: "stripe.charges.create",
        amount: 100,
        currency: "USD",
        outcome: "allow" as const,
        snapshotVersion: 1,
        workerId: "w",
        createdAt: instant,
      }));
      await tx.insert(decisions).values(burst);
      const result = await replayPolicyDraft(tx, org.id, capped, { days: 7, now, limit: 0 });
      expect(result).toMatchObject({ ok: true, flipped: 3 });
      if (result.ok) expect(result.transitions.find((row) => row.before === "allow" && row.after === "allow")?.count).toBe(1 + 1_201);
    }));

  it("returns the draft's errors with their paths instead of replaying", () =>
    withRollback(database.db, async (tx) => {
      const { org } = await loggedCharges(tx);
      const result = await replayPolicyDraft(tx, org.id, "name: payments\nselector: { all: true }\ncaps:\n  - { id: c, amount: -5, currency: USD }\n", { days: 7, now, limit: 10 });
      expect(result).toEqual({ ok: false, errors: [{ path: "caps[0].amount", message: "must be a positive integer in minor units" }] });
    }));
});
