import type { Database } from "@tollgate/db";
import { agentFixture, openTestDatabase, organizationFixture, testDrivers, userFixture, withRollback } from "@tollgate/db/testing";
import type { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publishSnapshot } from "../snapshots/publish";
import { callerAs, populatedOrganization } from "../testing";

describe.each(testDrivers)("an agent's overview on %s", (driver) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database?.close());

  it("shows the policies the newest snapshot enforces on it, its delegations both ways, its trust and its latest decisions", () =>
    withRollback(database.db, async (tx) => {
      const world = await populatedOrganization(tx);
      const published = await publishSnapshot({ db: tx, organizationId: world.organization.id, cause: "test", now: new Date() });
      const manager = callerAs(tx, world.users.manager);

      const buyer = await manager.agents.overview({ id: world.agents.buyer.id });
      expect(buyer.snapshotVersion).toBe(published.ok ? published.version : null);
      expect(buyer.policies).toMatchObject([{ policyId: world.policy.id, name: `policy-${world.agents.buyer.name}`, mode: "enforce", rules: { grants: [{ id: "search", actions: ["search.*"] }], denies: [] } }]);
      expect(buyer.delegationsOut).toMatchObject([{ id: world.delegation.id, delegate: { id: world.agents.helper.id }, budget: { amount: 5_000, currency: "EUR" }, status: "active" }]);
      expect(buyer.delegationsIn).toEqual([]);
      expect(buyer.trust).toMatchObject({ score: 712 });
      // Both were made in one transaction, at one instant: their order is not the point here.
      expect(buyer.recentDecisions).toHaveLength(2);
      expect(buyer.recentDecisions).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ outcome: "pending", amount: { amount: 90_000, currency: "EUR" }, merchant: "acme", session: { id: world.session.id, externalId: "run-1" } }),
          expect.objectContaining({ outcome: "allow", amount: { amount: 1_250, currency: "EUR" } }),
        ]),
      );

      // The helper's tags select no policy: it is granted nothing of its own, and receives the delegation.
      const helper = await manager.agents.overview({ id: world.agents.helper.id });
      expect(helper).toMatchObject({ policies: [], delegationsIn: [{ id: world.delegation.id }], delegationsOut: [], trust: null, recentDecisions: [] });
    }));

  it("says when no snapshot has been published yet, and finds no other organization's agent", () =>
    withRollback(database.db, async (tx) => {
      const org = await organizationFixture(tx);
      const admin = await userFixture(tx, org.id);
      const agent = await agentFixture(tx, admin);
      const caller = callerAs(tx, admin);
      expect(await caller.agents.overview({ id: agent.id })).toMatchObject({ policies: null, snapshotVersion: null });

      const other = await populatedOrganization(tx);
      const refused = await caller.agents.overview({ id: other.agents.buyer.id }).catch((error: TRPCError) => error);
      expect(refused).toMatchObject({ code: "NOT_FOUND" });
    }));
});
