import { describe, expect, test } from "vitest";
import { agent, delegation, options, organization, policy } from "../testing/fixtures";
import { compileSnapshot } from "./compile";
import type { OrganizationState } from "./state";

const usd = (amount: number) => ({ amount, currency: "USD" });

const base = organization({
  agents: ["agt_a", "agt_b", "agt_c", "agt_d"].map((id) => agent(id)),
  policies: [
    policy("pol_a", {
      selector: { agents: ["agt_a"] },
      grants: [
        { id: "stripe", actions: ["stripe.*"] },
        { id: "shop", actions: ["shop.buy"], merchants: ["acme", "globex"] },
      ],
      limits: [
        { id: "daily", period: "day", amount: 10_000, currency: "USD" },
        { id: "monthly", period: "month", amount: 50_000, currency: "USD" },
      ],
    }),
  ],
});

function errorsOf(delegations: OrganizationState["delegations"]): string[] {
  const result = compileSnapshot({ ...base, delegations }, options());
  return result.ok ? [] : result.errors.map(({ path, message }) => `${path}: ${message}`);
}

describe("delegation checks", () => {
  test("a scope within the delegator's grants and a budget within its envelope compile", () => {
    expect(
      errorsOf([
        delegation("del_1", "agt_a", "agt_b", { scope: { actions: ["stripe.charges.*"] }, budget: usd(30_000), maxDepth: 2 }),
        delegation("del_2", "agt_b", "agt_c", { parentDelegationId: "del_1", scope: { actions: ["stripe.charges.create"] }, budget: usd(10_000), maxDepth: 1 }),
        delegation("del_3", "agt_a", "agt_d", { scope: { actions: ["shop.buy"], merchants: ["acme"] }, budget: usd(20_000) }),
      ]),
    ).toEqual([]);
  });

  test("refuses a root delegation wider than what the delegator is granted", () => {
    expect(errorsOf([delegation("del_1", "agt_a", "agt_b", { scope: { actions: ["stripe.*", "openai.*"] } })])).toEqual([
      'delegations[0].scope.actions[1]: "openai.*" is wider than what delegator agt_a is granted',
    ]);
    expect(errorsOf([delegation("del_1", "agt_a", "agt_b", { scope: { actions: ["shop.buy"] } })])).toEqual([
      'delegations[0].scope.merchants: any for "shop.buy" is wider than what delegator agt_a is granted (acme, globex)',
    ]);
  });

  test("refuses a delegation wider than its parent's scope", () => {
    expect(
      errorsOf([
        delegation("del_1", "agt_a", "agt_b", { scope: { actions: ["stripe.charges.*"] } }),
        delegation("del_2", "agt_b", "agt_c", { parentDelegationId: "del_1", scope: { actions: ["stripe.*"] }, maxDepth: 0 }),
      ]),
    ).toEqual(["delegations[1].scope.actions[0]: \"stripe.*\" is wider than parent delegation del_1's scope"]);
  });

  test("refuses carve-outs that sum past the parent delegation's budget", () => {
    expect(
      errorsOf([
        delegation("del_1", "agt_a", "agt_b", { budget: usd(10_000), scope: { actions: ["stripe.*"] } }),
        delegation("del_2", "agt_b", "agt_c", { parentDelegationId: "del_1", budget: usd(6_000), scope: { actions: ["stripe.*"] }, maxDepth: 0 }),
        delegation("del_3", "agt_b", "agt_d", { parentDelegationId: "del_1", budget: usd(4_001), scope: { actions: ["stripe.*"] }, maxDepth: 0 }),
      ]),
    ).toEqual(["delegations[0].budget.amount: budgets of delegations del_2, del_3 sum to 100.01 USD, past this budget of 100.00 USD"]);
  });

  test("refuses root budgets that sum past the delegator's largest envelope", () => {
    expect(
      errorsOf([
        delegation("del_1", "agt_a", "agt_b", { budget: usd(30_000), scope: { actions: ["stripe.*"] } }),
        delegation("del_2", "agt_a", "agt_c", { budget: usd(20_001), scope: { actions: ["stripe.*"] } }),
      ]),
    ).toEqual([
      'delegations[0].budget.amount: budgets of delegations del_1, del_2 sum to 500.01 USD, past delegator agt_a\'s largest USD envelope ("monthly", month) of 500.00 USD',
    ]);
  });

  test("refuses a budget in a currency none of the delegator's envelopes use", () => {
    expect(errorsOf([delegation("del_1", "agt_a", "agt_b", { budget: { amount: 100, currency: "EUR" }, scope: { actions: ["stripe.*"] } })])).toEqual([
      "delegations[0].budget.currency: must match an envelope of delegator agt_a, whose envelopes are in USD",
    ]);
  });

  test("refuses delegation cycles", () => {
    expect(
      errorsOf([
        delegation("del_1", "agt_b", "agt_c", { parentDelegationId: "del_2" }),
        delegation("del_2", "agt_c", "agt_b", { parentDelegationId: "del_1" }),
      ]),
    ).toEqual(["delegations[0].parentDelegationId: forms a cycle: del_2 → del_1 → del_2", "delegations[1].parentDelegationId: forms a cycle: del_2 → del_1 → del_2"]);
  });

  test("refuses a chain that comes back to an agent already on it", () => {
    expect(
      errorsOf([
        delegation("del_1", "agt_a", "agt_b", { scope: { actions: ["stripe.*"] }, maxDepth: 2 }),
        delegation("del_2", "agt_b", "agt_a", { parentDelegationId: "del_1", scope: { actions: ["stripe.*"] }, maxDepth: 1 }),
      ]),
    ).toEqual(["delegations[1].delegateAgentId: agt_a is already on the chain del_1 → del_2: a delegation loop"]);
  });

  test("refuses re-delegation past the depth the parent allows", () => {
    expect(
      errorsOf([
        delegation("del_1", "agt_a", "agt_b", { scope: { actions: ["stripe.*"] }, maxDepth: 0 }),
        delegation("del_2", "agt_b", "agt_c", { parentDelegationId: "del_1", scope: { actions: ["stripe.*"] }, maxDepth: 0 }),
      ]),
    ).toEqual(["delegations[1].parentDelegationId: delegation del_1 allows no re-delegation (maxDepth 0)"]);
    expect(
      errorsOf([
        delegation("del_1", "agt_a", "agt_b", { scope: { actions: ["stripe.*"] }, maxDepth: 2 }),
        delegation("del_2", "agt_b", "agt_c", { parentDelegationId: "del_1", scope: { actions: ["stripe.*"] }, maxDepth: 2 }),
      ]),
    ).toEqual(["delegations[1].maxDepth: must be at most 1, one less than parent delegation del_1's"]);
  });

  test("refuses references to unknown agents and delegations, and parents granted to someone else", () => {
    expect(
      errorsOf([
        delegation("del_1", "agt_a", "agt_x", { scope: { actions: ["stripe.*"] } }),
        delegation("del_2", "agt_c", "agt_d", { parentDelegationId: "del_1", scope: { actions: ["stripe.*"] }, maxDepth: 2 }),
        delegation("del_3", "agt_c", "agt_d", { parentDelegationId: "del_9" }),
      ]),
    ).toEqual([
      "delegations[0].delegateAgentId: names agt_x, which is no agent of this organization",
      "delegations[1].parentDelegationId: delegation del_1 was granted to agt_x, not to this delegation's delegator agt_c",
      "delegations[2].parentDelegationId: names del_9, which is no delegation of this organization",
    ]);
  });

  test("revoked and expired delegations stay in the snapshot without being held to scope and budget", () => {
    const result = compileSnapshot(
      {
        ...base,
        delegations: [
          delegation("del_old", "agt_a", "agt_b", { scope: { actions: ["openai.*"] }, expiresAt: "2026-01-01T00:00:00Z" }),
          delegation("del_gone", "agt_a", "agt_c", { scope: { actions: ["openai.*"] }, revokedAt: "2026-11-01T00:00:00Z" }),
        ],
      },
      options(),
    );
    expect(result.ok && Object.keys(result.snapshot.body.delegations)).toEqual(["del_gone", "del_old"]);
  });
});
