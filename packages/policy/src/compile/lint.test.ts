import { describe, expect, test } from "vitest";
import { agent, options, organization, policy } from "../testing/fixtures";
import { compileSnapshot } from "./compile";
import type { OrganizationState } from "./state";

function warningsOf(policies: OrganizationState["policies"]): string[] {
  const result = compileSnapshot(organization({ agents: [agent("agt_a", { tags: ["payments"] }), agent("agt_b")], policies }), options());
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.warnings.map(({ code, path, message }) => `${code} ${path}: ${message}`);
}

describe("lint", () => {
  test("a tidy policy set has no warnings", () => {
    expect(
      warningsOf([
        policy("pol_a", { selector: { tags: ["payments"] }, grants: [{ id: "stripe", actions: ["stripe.*"] }], denies: [{ id: "no-refunds", actions: ["stripe.refunds.*"] }] }),
      ]),
    ).toEqual([]);
  });

  test("warns about a grant that a deny for the same agents makes unreachable", () => {
    expect(
      warningsOf([
        policy("pol_a", { selector: { tags: ["payments"] }, grants: [{ id: "refunds", actions: ["stripe.refunds.create"] }] }),
        policy("pol_b", { selector: { all: true }, denies: [{ id: "no-refunds", actions: ["*.refunds.*"] }] }),
      ]),
    ).toEqual([
      'unreachable_rule policies[0].document.grants[0]: grant "refunds" is unreachable for agents policy "pol_b" also selects: its deny "no-refunds" covers every call the grant allows',
    ]);
  });

  test("a deny narrowed to merchants does not make a broader grant unreachable", () => {
    expect(
      warningsOf([
        policy("pol_a", { selector: { all: true }, grants: [{ id: "shop", actions: ["shop.*"] }], denies: [{ id: "not-evil", actions: ["shop.*"], merchants: ["evil"] }] }),
      ]),
    ).toEqual([]);
  });

  test("warns about rules another rule of the same policy makes redundant", () => {
    expect(
      warningsOf([
        policy("pol_a", {
          selector: { all: true },
          grants: [
            { id: "stripe", actions: ["stripe.*"] },
            { id: "charges", actions: ["stripe.charges.*"] },
          ],
          caps: [
            { id: "small", amount: 100, currency: "USD" },
            { id: "large", amount: 500, currency: "USD", actions: ["stripe.*"] },
            { id: "euro", amount: 50, currency: "EUR" },
          ],
          limits: [
            { id: "daily-a", period: "day", amount: 1_000, currency: "USD" },
            { id: "daily-b", period: "day", amount: 1_000, currency: "USD" },
            { id: "weekly", period: "week", amount: 1_000, currency: "USD" },
          ],
        }),
      ]),
    ).toEqual([
      'shadowed_rule policies[0].document.grants[1]: rule "charges" never decides anything: grants[0] ("stripe") already covers every call it does, at least as strictly',
      'shadowed_rule policies[0].document.caps[1]: rule "large" never decides anything: caps[0] ("small") already covers every call it does, at least as strictly',
      'shadowed_rule policies[0].document.limits[1]: rule "daily-b" never decides anything: limits[0] ("daily-a") already covers every call it does, at least as strictly',
    ]);
  });

  test("warns about selectors that select nobody", () => {
    expect(warningsOf([policy("pol_a", { selector: { agents: ["agt_gone"], tags: ["nobody"] } })])).toEqual([
      "unknown_agent policies[0].document.selector.agents[0]: names agt_gone, which is no agent of this organization",
      'selects_no_agent policies[0].document.selector: policy "pol_a" selects no agent, so none of its rules apply',
    ]);
  });
});
