import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { agent, delegation, options, organization, policy } from "../testing/fixtures";
import { compileSnapshot } from "./compile";
import type { OrganizationState } from "./state";

const state = organization({
  agents: [agent("agt_c", { tags: ["payments"] }), agent("agt_a", { tags: ["payments"] }), agent("agt_b", { tags: ["research"] }), agent("agt_z")],
  policies: [
    policy("pol_research", { selector: { tags: ["research"] }, grants: [{ id: "llm", actions: ["openai.*"] }] }),
    policy("pol_pay", {
      selector: { tags: ["payments"] },
      grants: [{ id: "stripe", actions: ["stripe.*"] }],
      limits: [{ id: "monthly", period: "month", amount: 100_000, currency: "USD" }],
    }),
    policy("pol_all", { selector: { all: true }, denies: [{ id: "no-refunds", actions: ["*.refunds.*"] }] }),
  ],
  delegations: [
    delegation("del_2", "agt_b", "agt_c", { parentDelegationId: "del_1", scope: { actions: ["stripe.charges.create"] }, maxDepth: 0 }),
    delegation("del_1", "agt_a", "agt_b", { scope: { actions: ["stripe.charges.*"] }, maxDepth: 1 }),
  ],
  trustScores: { agt_a: 720 },
});

function compile(input: OrganizationState = state) {
  const result = compileSnapshot(input, options());
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.path}: ${e.message}`).join("\n"));
  return result;
}

function errorsOf(input: OrganizationState, overrides = {}) {
  const result = compileSnapshot(input, options(overrides));
  if (result.ok) throw new Error("expected a refusal");
  return result.errors.map(({ path, message }) => `${path}: ${message}`);
}

describe("compileSnapshot", () => {
  test("indexes agents by id and keys by hash, and groups agents with the same policies", () => {
    const { body } = compile().snapshot;
    expect(Object.keys(body.agents)).toEqual(["agt_a", "agt_b", "agt_c", "agt_z"]);
    expect(body.policies.map((entry) => entry.policyId)).toEqual(["pol_all", "pol_pay", "pol_research"]);
    expect(body.agents["agt_a"]!.profile).toBe(body.agents["agt_c"]!.profile);
    expect(body.profiles[body.agents["agt_a"]!.profile]!.policies).toEqual([0, 1]);
    expect(body.profiles[body.agents["agt_z"]!.profile]!.policies).toEqual([0]);
    expect(body.agents["agt_a"]!.trustScore).toBe(720);
    expect(body.agents["agt_b"]!.trustScore).toBeNull();
    expect(Object.values(body.keys).map((key) => key.agentId).sort()).toEqual(["agt_a", "agt_b", "agt_c", "agt_z"]);
    expect(body.delegations["del_2"]!.chain).toEqual(["del_1", "del_2"]);
  });

  test("the published row's mode wins over the document's", () => {
    const input = organization({
      agents: [agent("agt_a")],
      policies: [{ ...policy("pol_x", { selector: { all: true } }), mode: "shadow" }],
    });
    expect(compile(input).snapshot.body.policies[0]!.mode).toBe("shadow");
  });

  test("invariant: compiling is deterministic and independent of the order of the state's lists", () => {
    const reference = compile().snapshot.hash;
    fc.assert(
      fc.property(
        fc.shuffledSubarray(state.agents, { minLength: state.agents.length }),
        fc.shuffledSubarray(state.policies, { minLength: state.policies.length }),
        fc.shuffledSubarray(state.delegations, { minLength: state.delegations.length }),
        (agents, policies, delegations) => {
          expect(compile({ ...state, agents, policies, delegations }).snapshot.hash).toBe(reference);
        },
      ),
      { numRuns: 25 },
    );
  });

  test("a new version or issue time is a new snapshot", () => {
    const first = compile().snapshot.hash;
    expect(compileSnapshot(state, options({ version: 2 }))).toMatchObject({ ok: true });
    expect((compileSnapshot(state, options({ version: 2 })) as { snapshot: { hash: string } }).snapshot.hash).not.toBe(first);
  });

  test("refuses invalid state with the path of each problem", () => {
    const broken = {
      ...state,
      organization: { id: "org_demo", timeZone: "Mars/Olympus_Mons" },
      agents: [...state.agents, agent("agt_a")],
      policies: [
        ...state.policies,
        policy("pol_bad", { selector: { all: true }, limits: [{ id: "daily", period: "day", amount: 0, currency: "USD" }] }),
      ],
    };
    expect(errorsOf(broken)).toEqual(["organization.timeZone: must be an IANA time zone such as Europe/Berlin"]);
    expect(errorsOf({ ...broken, organization: state.organization })).toEqual([
      "policies[3].document.limits[0].amount: must be a positive integer in minor units",
      "agents[4].id: agent id agt_a is also at agents[1].id",
      "agents[4].keys[0].hash: key hash " + state.agents[1]!.keys[0]!.hash + " is also at agents[1].keys[0].hash",
    ]);
  });

  test("refuses bad options under options.", () => {
    expect(errorsOf(state, { issuedAt: "yesterday", version: -1 })).toEqual([
      "options.version: must be at least 0",
      "options.issuedAt: must be an ISO 8601 timestamp with an offset",
    ]);
  });
});
