import { reservations, type Database } from "@tollgate/db";
import { agentFixture, openTestDatabase, organizationFixture, publishedPolicyFixture, testDrivers, userFixture, withRollback } from "@tollgate/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readOrganizationState } from "./organization-state";
import { readSpendBaselines } from "./spend-baselines";

const now = new Date("2026-11-24T09:00:00Z");
const daysAgo = (days: number) => new Date(now.getTime() - days * 24 * 60 * 60 * 1000);

describe.each(testDrivers)("spend baselines on %s", (driver) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database?.close());

  async function agentWithSpends(tx: Database["db"], spends: { amount: number; currency?: string; committed?: number; at?: Date; status?: "committed" | "released" }[]) {
    const org = await organizationFixture(tx);
    const agent = await agentFixture(tx, await userFixture(tx, org.id));
    await tx.insert(reservations).values(
      spends.map(({ amount, currency = "EUR", committed = amount, at = daysAgo(1), status = "committed" }) => ({
        organizationId: org.id,
        agentId: agent.id,
        amount,
        currency,
        committedAmount: status === "committed" ? committed : null,
        status,
        expiresAt: at,
        createdAt: at,
        settledAt: at,
      })),
    );
    return { org, agent };
  }

  it("summarizes each currency's committed spends of the last 30 days by median and MAD", () =>
    withRollback(database.db, async (tx) => {
      const { org, agent } = await agentWithSpends(tx, [
        ...[100, 200, 300, 400, 10_000].map((amount) => ({ amount })),
        // Not spends of the window: too old, released, or committed at nothing.
        { amount: 99_999, at: daysAgo(31) },
        { amount: 99_999, status: "released" },
        { amount: 5_000, committed: 0 },
        { amount: 700, currency: "USD" },
      ]);
      expect(await readSpendBaselines(tx, org.id, now)).toEqual({
        [agent.id]: expect.arrayContaining([
          // Spends 100…400 and one of 10,000: the outlier moves neither the median nor the MAD.
          { currency: "EUR", median: 300, mad: 100, samples: 5 },
          { currency: "USD", median: 700, mad: 0, samples: 1 },
        ]),
      });
    }));

  it("reaches the compiler's input only when a published policy has an anomaly rule", () =>
    withRollback(database.db, async (tx) => {
      const { org, agent } = await agentWithSpends(tx, [{ amount: 1_000 }]);
      const grants = [{ id: "shop", actions: ["shop.*"] }];
      await publishedPolicyFixture(tx, org.id, { name: "plain", selector: { all: true }, grants });
      expect((await readOrganizationState(tx, org.id, now)).spendBaselines).toEqual({});
      await publishedPolicyFixture(tx, org.id, { name: "watchful", selector: { all: true }, grants, anomalies: [{ id: "far", deviations: 6 }] });
      expect((await readOrganizationState(tx, org.id, now)).spendBaselines).toEqual({ [agent.id]: [{ currency: "EUR", median: 1_000, mad: 0, samples: 1 }] });
    }));
});
