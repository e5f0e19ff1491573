import { delegations, policyVersions, trustScores, type Database, type Db } from "@tollgate/db";
import { agentFixture, openTestDatabase, organizationFixture, publishedPolicyFixture, testDrivers, userFixture, withRollback } from "@tollgate/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createContext } from "../context";
import { createCaller } from "../root";
import { sessionOf } from "../testing";

const day = 86_400_000;

/** A buyer granted search and acme orders (and, in shadow mode only, payments), a helper and a runner. */
async function team(tx: Db) {
  const org = await organizationFixture(tx);
  const admin = await userFixture(tx, org.id, { role: "admin" });
  await publishedPolicyFixture(tx, org.id, {
    name: "buying",
    selector: { tags: ["buyer"] },
    grants: [
      { id: "search", actions: ["search.*"] },
      { id: "shop", actions: ["shop.order"], merchants: ["acme"], categories: ["office"] },
    ],
    limits: [
      { id: "monthly", period: "month", amount: 10_000, currency: "EUR" },
      { id: "travel", period: "day", amount: 500, currency: "EUR", categories: ["travel"] },
    ],
  });
  const shadow = await publishedPolicyFixture(tx, org.id, { name: "payments-trial", selector: { tags: ["buyer"] }, grants: [{ id: "pay", actions: ["stripe.*"] }] });
  await tx.update(policyVersions).set({ mode: "shadow" }).where(eq(policyVersions.policyId, shadow.id));
  const agent = (name: string, tags: string[] = []) => agentFixture(tx, admin, { name: `${name}-${org.id.slice(0, 8)}`, tags });
  const [buyer, helper, runner] = [await agent("buyer", ["buyer"]), await agent("helper"), await agent("runner")];
  const caller = createCaller(createContext({ db: tx, session: sessionOf(admin) }));
  const grant = (values: { delegateAgentId?: string; maxDepth?: number } = {}) =>
    caller.delegations.create({ delegatorAgentId: buyer.id, delegateAgentId: helper.id, actions: ["search.web"], expiresAt: new Date(Date.now() + day).toISOString(), ...values });
  return { org, admin, buyer, helper, runner, caller, grant };
}

describe.each(testDrivers)("what an agent may delegate, and the delegation graph, on %s", (driver) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database?.close());

  it("offers the grants and all-spend envelopes of the delegator's enforced policies, not its shadow ones", () =>
    withRollback(database.db, async (tx) => {
      const { buyer, runner, caller } = await team(tx);
      const scope = await caller.delegations.delegableScope({ agentId: buyer.id });
      expect(scope.agent).toEqual({ id: buyer.id, name: buyer.name, status: "active" });
      expect(scope.grants).toEqual([
        { policy: "buying", rule: "search", actions: ["search.*"], merchants: null, categories: null },
        { policy: "buying", rule: "shop", actions: ["shop.order"], merchants: ["acme"], categories: ["office"] },
      ]);
      expect(scope.envelopes).toEqual([{ policy: "buying", rule: "monthly", amount: 10_000, currency: "EUR", period: "month" }]);
      expect(scope.received).toEqual([]);
      expect(await caller.delegations.delegableScope({ agentId: runner.id })).toMatchObject({ grants: [], envelopes: [], received: [] });
    }));

  it("offers a delegate what it received, where the delegation allows passing it on", () =>
    withRollback(database.db, async (tx) => {
      const { helper, runner, caller, grant } = await team(tx);
      const [onward] = (await grant({ maxDepth: 1 })).delegations;
      await grant({ delegateAgentId: runner.id });
      expect((await caller.delegations.delegableScope({ agentId: helper.id })).received.map((received) => [received.id, received.actions])).toEqual([
        [onward!.id, ["search.web"]],
      ]);
      expect((await caller.delegations.delegableScope({ agentId: runner.id })).received).toEqual([]);
      await caller.delegations.revoke({ id: onward!.id });
      expect((await caller.delegations.delegableScope({ agentId: helper.id })).received).toEqual([]);
    }));

  it("draws the agents on any delegation with status and trust score, and every delegation as an edge, live ones first", () =>
    withRollback(database.db, async (tx) => {
      const { org, buyer, helper, runner, caller, grant } = await team(tx);
      expect(await caller.delegations.graph()).toEqual({ agents: [], delegations: [], truncated: false });

      await tx.insert(trustScores).values({ organizationId: org.id, agentId: buyer.id, score: 701 });
      const [revoked] = (await grant()).delegations;
      await caller.delegations.revoke({ id: revoked!.id });
      await tx.insert(delegations).values({ organizationId: org.id, delegatorAgentId: buyer.id, delegateAgentId: runner.id, scope: { actions: ["search.web"] }, createdAt: new Date(Date.now() - 2 * day), expiresAt: new Date(Date.now() - day) });
      const [live] = (await grant({ delegateAgentId: runner.id })).delegations;
      // An agent on no delegation is not drawn.
      await agentFixture(tx, { id: buyer.ownerUserId, organizationId: org.id }, { status: "suspended", suspendedAt: new Date() });

      const graph = await caller.delegations.graph();
      expect(graph.truncated).toBe(false);
      expect(graph.agents).toEqual(
        [
          { id: buyer.id, name: buyer.name, status: "active", trustScore: 701 },
          { id: helper.id, name: helper.name, status: "active", trustScore: null },
          { id: runner.id, name: runner.name, status: "active", trustScore: null },
        ].sort((a, b) => a.name.localeCompare(b.name)),
      );
      expect(graph.delegations.map((delegation) => delegation.status)).toEqual(["active", "revoked", "expired"]);
      expect(graph.delegations[0]).toMatchObject({ id: live!.id, delegator: { id: buyer.id }, delegate: { id: runner.id }, actions: ["search.web"] });
    }));
});
