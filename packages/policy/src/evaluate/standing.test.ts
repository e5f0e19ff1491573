import { describe, expect, test } from "vitest";
import { agent, load, NOW, organization, policy, request, usage, usd } from "../testing/fixtures";
import { evaluate } from "./evaluate";
import { standingEnvelopes } from "./standing";

const snapshot = load(
  organization({
    agents: [agent("agt_pay", { tags: ["payments"] }), agent("agt_plain"), agent("agt_off", { tags: ["payments"], status: "suspended" })],
    policies: [
      policy("pol_pay", {
        selector: { tags: ["payments"] },
        grants: [{ id: "stripe", actions: ["stripe.*"] }, { id: "shop", actions: ["shop.buy"] }],
        limits: [
          { id: "daily", period: "day", amount: 500_000, currency: "USD" },
          { id: "lifetime", period: "all_time", amount: 9_000_000, currency: "USD" },
          { id: "charges", period: "week", amount: 100_000, currency: "USD", actions: ["stripe.charges.*"] },
          { id: "acme", period: "day", amount: 10_000, currency: "USD", merchants: ["acme"] },
          { id: "per-task", period: "session", amount: 20_000, currency: "USD" },
        ],
      }),
    ],
  }),
);

describe("standingEnvelopes", () => {
  test("lists the limits every call holds, in calendar and all-time windows", () => {
    const listed = standingEnvelopes(snapshot, "agt_pay", NOW);
    expect(listed.map((envelope) => `${envelope.rule}/${envelope.period}/${envelope.currency}`)).toEqual(["daily/day/USD", "lifetime/all_time/USD"]);
    // The day is the organization's (Berlin's), as evaluate computes it.
    expect(listed[0]!.windowStart).toBe("2026-11-23T23:00:00.000Z");
  });

  test("are the very envelopes a call of any action holds", () => {
    const listed = standingEnvelopes(snapshot, "agt_pay", NOW);
    for (const action of ["shop.buy", "stripe.charges.create"]) {
      const decision = evaluate(snapshot, request("agt_pay", action, { amount: usd(500), merchant: "someone" }), usage(), NOW);
      expect(decision.outcome).toBe("allow");
      const held = new Map(decision.holds.map((envelope) => [envelope.key, envelope]));
      for (const envelope of listed) expect(held.get(envelope.key)).toEqual(envelope);
    }
  });

  test("is empty for an agent without limits, a suspended agent and an unknown one", () => {
    expect(standingEnvelopes(snapshot, "agt_plain", NOW)).toEqual([]);
    expect(standingEnvelopes(snapshot, "agt_off", NOW)).toEqual([]);
    expect(standingEnvelopes(snapshot, "agt_nobody", NOW)).toEqual([]);
  });
});
