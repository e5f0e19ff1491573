import { describe, expect, test } from "vitest";
import { agent, delegation, load, NOW, organization, policy, request, usage, usd, type UsageFacts } from "../testing/fixtures";
import { REASON_CODES, type DecisionRequest, type Outcome, type ReasonCode } from "./decision";
import { evaluate } from "./evaluate";

const snapshot = load(
  organization({
    agents: [
      agent("agt_pay", { tags: ["payments"] }),
      agent("agt_res", { tags: ["research"] }),
      agent("agt_trusted", { tags: ["research"] }),
      agent("agt_doubted", { tags: ["research"] }),
      agent("agt_eur", { tags: ["travel"] }),
      agent("agt_off", { tags: ["payments"], status: "suspended" }),
      agent("agt_del"),
      agent("agt_sub"),
      agent("agt_buyer", { tags: ["buying"] }),
      agent("agt_new_buyer", { tags: ["buying"] }),
    ],
    policies: [
      policy("pol_pay", {
        selector: { tags: ["payments"] },
        grants: [
          { id: "stripe", actions: ["stripe.*"] },
          { id: "shops", actions: ["shop.buy"], merchants: ["acme", "*.example.com"] },
        ],
        caps: [{ id: "max-charge", amount: 100_000, currency: "USD", actions: ["stripe.charges.*"] }],
        limits: [
          { id: "daily", period: "day", amount: 500_000, currency: "USD", actions: ["stripe.charges.*"] },
          { id: "monthly", period: "month", amount: 5_000_000, currency: "USD", actions: ["stripe.charges.*"] },
          { id: "shop-session", period: "session", amount: 20_000, currency: "USD", actions: ["shop.*"] },
        ],
        approvals: [
          { id: "over-250", when: "amount_over", amount: 25_000, currency: "USD", actions: ["stripe.charges.*"] },
          { id: "new-shop", when: "first_merchant", actions: ["shop.*"] },
        ],
        velocity: [{ id: "burst", maxCalls: 3, windowSeconds: 60, actions: ["stripe.charges.create"] }],
        loops: [{ id: "retries", maxRepeats: 2, windowSeconds: 300, actions: ["stripe.*"] }],
        timeWindows: [{ id: "payout-hours", days: ["mon", "tue", "wed", "thu", "fri"], from: "08:00", to: "19:00", actions: ["stripe.payouts.*"] }],
      }),
      policy("pol_res", {
        selector: { tags: ["research"] },
        grants: [{ id: "llm", actions: ["openai.*"] }],
        limits: [{ id: "lifetime", period: "all_time", amount: 1_000, currency: "USD" }],
        velocity: [{ id: "per-session", maxCalls: 2, windowSeconds: 60, per: "session" }],
        approvals: [{ id: "low-trust", when: "trust_below", score: 600 }],
      }),
      policy("pol_travel", {
        selector: { tags: ["travel"] },
        grants: [{ id: "travel", actions: ["travel.*"] }],
        limits: [{ id: "daily-eur", period: "day", amount: 10_000, currency: "EUR" }],
      }),
      policy("pol_guard", {
        selector: { all: true },
        denies: [
          { id: "no-refunds", actions: ["*.refunds.*"] },
          { id: "no-gambling", actions: ["*"], categories: ["gambling"] },
        ],
      }),
      policy("pol_buy", {
        selector: { tags: ["buying"] },
        grants: [{ id: "orders", actions: ["shop.order"] }],
        anomalies: [
          { id: "unusual", deviations: 6, minSamples: 20 },
          { id: "unusual-gift-cards", deviations: 3, minSamples: 20, respond: "deny", categories: ["gift-cards"] },
        ],
      }),
      policy("pol_helper", { selector: { agents: ["agt_del"] }, limits: [{ id: "own-daily", period: "day", amount: 50, currency: "USD" }] }),
      policy("pol_strict", { selector: { tags: ["payments"] }, caps: [{ id: "cap-100", amount: 10_000, currency: "USD", actions: ["stripe.charges.*"] }] }, { mode: "shadow" }),
    ],
    delegations: [
      delegation("del_1", "agt_pay", "agt_del", { scope: { actions: ["stripe.charges.*"] }, budget: usd(5_000), maxDepth: 1 }),
      delegation("del_2", "agt_del", "agt_sub", { parentDelegationId: "del_1", scope: { actions: ["stripe.charges.create"] }, budget: usd(2_000), maxDepth: 0 }),
      delegation("del_short", "agt_pay", "agt_sub", { scope: { actions: ["stripe.charges.*"] }, expiresAt: "2026-11-24T08:00:00Z" }),
      delegation("del_revoked", "agt_pay", "agt_del", { scope: { actions: ["stripe.charges.*"] }, revokedAt: "2026-11-20T00:00:00Z" }),
      delegation("del_off", "agt_off", "agt_del", { scope: { actions: ["stripe.charges.*"] } }),
      delegation("del_buy", "agt_buyer", "agt_new_buyer", { scope: { actions: ["shop.order"] } }),
    ],
    // agt_buyer usually spends 10.00 EUR: "far above" is over 10.00 + 6 × 5.00 (half the median,
    // since 1.4826 × 2.00 is less), or + 3 × 5.00 for gift cards.
    spendBaselines: {
      agt_buyer: [{ currency: "EUR", median: 1_000, mad: 200, samples: 50 }],
      agt_new_buyer: [{ currency: "EUR", median: 1_000, mad: 200, samples: 19 }],
    },
    trustScores: { agt_trusted: 650, agt_doubted: 550, agt_pay: 700, agt_del: 700, agt_sub: 700, agt_off: 700 },
  }),
  { issuedAt: "2026-11-23T00:00:00Z" },
);

const DAILY = "env/agent:agt_pay/pol_pay:daily/USD/day:2026-11-24";
const charge = (amount: number, extra: Partial<DecisionRequest> = {}) => request("agt_pay", "stripe.charges.create", { amount: usd(amount), ...extra });
const SATURDAY_NOON = new Date("2026-11-28T11:00:00Z");

interface Case {
  readonly name: string;
  readonly request: DecisionRequest;
  readonly usage?: UsageFacts;
  readonly now?: Date;
  readonly outcome: Outcome;
  readonly codes: readonly ReasonCode[];
}

const order = (agentId: string, amount: number, extra: Partial<DecisionRequest> = {}) =>
  request(agentId, "shop.order", { amount: { amount, currency: "EUR" }, ...extra });

const cases: Case[] = [
  { name: "a spend within the caller's usual range is allowed", request: order("agt_buyer", 3_000), outcome: "allow", codes: [] },
  { name: "a spend exactly at the anomaly threshold is not far above", request: order("agt_buyer", 4_000), outcome: "allow", codes: [] },
  { name: "a spend far above the caller's own baseline waits for approval", request: order("agt_buyer", 4_001), outcome: "pending", codes: ["approval_required_anomaly"] },
  { name: "an anomaly rule that responds with deny denies", request: order("agt_buyer", 2_501, { category: "gift-cards" }), outcome: "deny", codes: ["spend_anomaly"] },
  { name: "an agent with too little history is not judged by its baseline", request: order("agt_new_buyer", 1_000_000), outcome: "allow", codes: [] },
  {
    name: "a delegate with too little history is judged by its delegator's baseline",
    request: order("agt_new_buyer", 4_001, { onBehalfOf: "del_buy" }),
    outcome: "pending",
    codes: ["approval_required_anomaly"],
  },
  { name: "a delegate's spend within its delegator's usual range is allowed", request: order("agt_new_buyer", 4_000, { onBehalfOf: "del_buy" }), outcome: "allow", codes: [] },
  { name: "a currency the caller has no baseline in is not judged", request: request("agt_buyer", "shop.order", { amount: usd(1_000_000) }), outcome: "allow", codes: [] },
  { name: "a granted charge within every limit is allowed", request: charge(10_000), outcome: "allow", codes: [] },
  { name: "an unknown agent is denied", request: request("agt_ghost", "stripe.charges.create"), outcome: "deny", codes: ["agent_unknown"] },
  { name: "a suspended agent is denied", request: request("agt_off", "stripe.charges.create", { amount: usd(100) }), outcome: "deny", codes: ["agent_suspended"] },
  { name: "a fractional amount is denied as malformed", request: charge(12.5), outcome: "deny", codes: ["invalid_request"] },
  { name: "an action no grant covers is denied by default", request: request("agt_pay", "github.repos.delete"), outcome: "deny", codes: ["no_matching_grant"] },
  { name: "an explicit deny beats the grant", request: request("agt_pay", "stripe.refunds.create", { amount: usd(100) }), outcome: "deny", codes: ["explicit_deny"] },
  { name: "a deny by category applies to any action", request: request("agt_pay", "shop.buy", { merchant: "acme", category: "gambling", amount: usd(100) }), outcome: "deny", codes: ["explicit_deny"] },
  { name: "a deny beats an approval the call would also need", request: request("agt_pay", "stripe.refunds.create", { amount: usd(90_000) }), outcome: "deny", codes: ["explicit_deny"] },
  { name: "a grant limited to merchants does not cover others", request: request("agt_pay", "shop.buy", { merchant: "evil.test", amount: usd(100) }), outcome: "deny", codes: ["no_matching_grant"] },
  { name: "a grant limited to merchants does not cover calls without one", request: request("agt_pay", "shop.buy", { amount: usd(100) }), outcome: "deny", codes: ["no_matching_grant"] },
  {
    name: "a known merchant matching a wildcard is allowed",
    request: request("agt_pay", "shop.buy", { merchant: "store.example.com", amount: usd(100) }),
    usage: { usedMerchants: ["agt_pay/store.example.com"] },
    outcome: "allow",
    codes: [],
  },
  { name: "the first use of a merchant waits for approval", request: request("agt_pay", "shop.buy", { merchant: "acme", amount: usd(100) }), outcome: "pending", codes: ["approval_required_first_merchant"] },
  { name: "a charge at the per-call cap is not over it", request: charge(100_000), outcome: "pending", codes: ["approval_required_amount"] },
  { name: "a charge one cent over the per-call cap is denied", request: charge(100_001), outcome: "deny", codes: ["over_per_call_cap"] },
  { name: "a charge in another currency than the rules is denied", request: request("agt_pay", "stripe.charges.create", { amount: { amount: 100, currency: "EUR" } }), outcome: "deny", codes: ["currency_mismatch", "currency_mismatch", "currency_mismatch", "currency_mismatch"] },
  { name: "a charge without an amount is denied where limits apply", request: request("agt_pay", "stripe.charges.create"), outcome: "deny", codes: ["amount_required"] },
  { name: "a free action no money rule covers needs no amount", request: request("agt_pay", "stripe.customers.list"), outcome: "allow", codes: [] },
  { name: "an envelope filled exactly to its limit allows the call", request: charge(1_000), usage: { spent: { [DAILY]: 499_000 } }, outcome: "allow", codes: [] },
  { name: "an envelope one minor unit short denies the call", request: charge(1_000), usage: { spent: { [DAILY]: 499_001 } }, outcome: "deny", codes: ["envelope_exhausted"] },
  {
    name: "a session envelope counts the session's spend only",
    request: request("agt_pay", "shop.buy", { merchant: "acme", amount: usd(5_000), sessionId: "ses_9" }),
    usage: { spent: { "env/agent:agt_pay/pol_pay:shop-session/USD/session:ses_9": 15_001 }, usedMerchants: ["agt_pay/acme"] },
    outcome: "deny",
    codes: ["envelope_exhausted"],
  },
  {
    name: "an all-time envelope never resets",
    request: request("agt_trusted", "openai.chat", { amount: usd(2) }),
    usage: { spent: { "env/agent:agt_trusted/pol_res:lifetime/USD/all_time": 999 } },
    outcome: "deny",
    codes: ["envelope_exhausted"],
  },
  { name: "an envelope in another currency is compared in its own", request: request("agt_eur", "travel.book", { amount: { amount: 10_000, currency: "EUR" } }), outcome: "allow", codes: [] },
  { name: "a call past the velocity limit is denied", request: charge(100), usage: { calls: { "vel/agent:agt_pay/pol_pay:burst": 3 } }, outcome: "deny", codes: ["velocity_exceeded"] },
  { name: "a call within the velocity limit is allowed", request: charge(100), usage: { calls: { "vel/agent:agt_pay/pol_pay:burst": 2 } }, outcome: "allow", codes: [] },
  {
    name: "a per-session velocity limit counts the session only",
    request: request("agt_trusted", "openai.chat", { amount: usd(1), sessionId: "ses_busy" }),
    usage: { calls: { "vel/agent:agt_trusted/pol_res:per-session/session:ses_busy": 2 } },
    outcome: "deny",
    codes: ["velocity_exceeded"],
  },
  { name: "the same call repeated past the loop limit is denied", request: charge(100), usage: { repeats: 2 }, outcome: "deny", codes: ["loop_detected"] },
  { name: "a charge over the approval threshold waits for a human", request: charge(25_001), outcome: "pending", codes: ["approval_required_amount"] },
  { name: "a charge at the approval threshold does not", request: charge(25_000), outcome: "allow", codes: [] },
  { name: "an agent below the trust band waits for approval", request: request("agt_doubted", "openai.chat", { amount: usd(1) }), outcome: "pending", codes: ["approval_required_trust"] },
  { name: "an agent without a trust score counts as lowest", request: request("agt_res", "openai.chat", { amount: usd(1) }), outcome: "pending", codes: ["approval_required_trust"] },
  { name: "an agent above the trust band goes through", request: request("agt_trusted", "openai.chat", { amount: usd(1) }), outcome: "allow", codes: [] },
  { name: "a payout outside business hours is denied", request: request("agt_pay", "stripe.payouts.create"), now: SATURDAY_NOON, outcome: "deny", codes: ["outside_time_window"] },
  { name: "a payout in business hours is allowed", request: request("agt_pay", "stripe.payouts.create"), outcome: "allow", codes: [] },
  { name: "a time window only restricts the actions it names", request: charge(100), now: SATURDAY_NOON, outcome: "allow", codes: [] },
  { name: "a delegate acting within its scope is allowed", request: request("agt_del", "stripe.charges.create", { amount: usd(100), onBehalfOf: "del_1" }), outcome: "allow", codes: [] },
  { name: "a delegate acting outside its scope is denied", request: request("agt_del", "stripe.customers.list", { onBehalfOf: "del_1" }), outcome: "deny", codes: ["delegation_out_of_scope"] },
  {
    name: "a delegate acting for itself has only its own grants and envelopes",
    request: request("agt_del", "stripe.charges.create", { amount: usd(100) }),
    outcome: "deny",
    codes: ["no_matching_grant", "envelope_exhausted"],
  },
  { name: "only the delegate may use a delegation", request: request("agt_sub", "stripe.charges.create", { amount: usd(100), onBehalfOf: "del_1" }), outcome: "deny", codes: ["delegation_not_delegate"] },
  { name: "an unknown delegation is denied", request: request("agt_del", "stripe.charges.create", { onBehalfOf: "del_nope" }), outcome: "deny", codes: ["delegation_unknown"] },
  { name: "an expired delegation is denied", request: request("agt_sub", "stripe.charges.create", { amount: usd(100), onBehalfOf: "del_short" }), outcome: "deny", codes: ["delegation_expired"] },
  { name: "a revoked delegation is denied", request: request("agt_del", "stripe.charges.create", { amount: usd(100), onBehalfOf: "del_revoked" }), outcome: "deny", codes: ["delegation_revoked"] },
  { name: "a suspended delegator's delegation is denied", request: request("agt_del", "stripe.charges.create", { amount: usd(100), onBehalfOf: "del_off" }), outcome: "deny", codes: ["agent_suspended"] },
  {
    name: "a delegate cannot spend past the delegation's budget",
    request: request("agt_del", "stripe.charges.create", { amount: usd(1), onBehalfOf: "del_1" }),
    usage: { spent: { "env/delegation:del_1/budget/USD/all_time": 5_000 } },
    outcome: "deny",
    codes: ["delegation_budget_exhausted"],
  },
  {
    name: "a delegate's spend counts against the delegator's envelopes",
    request: request("agt_del", "stripe.charges.create", { amount: usd(100), onBehalfOf: "del_1" }),
    usage: { spent: { [DAILY]: 499_901 } },
    outcome: "deny",
    codes: ["envelope_exhausted"],
  },
  {
    name: "a delegate spending for its delegator is not held to its own envelopes",
    request: request("agt_del", "stripe.charges.create", { amount: usd(1_000), onBehalfOf: "del_1" }),
    outcome: "allow",
    codes: [],
  },
  {
    name: "a sub-delegate is held to the narrowest scope on the chain",
    request: request("agt_sub", "stripe.charges.capture", { amount: usd(100), onBehalfOf: "del_2" }),
    outcome: "deny",
    codes: ["delegation_out_of_scope"],
  },
  {
    name: "a sub-delegate is held to every budget on the chain",
    request: request("agt_sub", "stripe.charges.create", { amount: usd(100), onBehalfOf: "del_2" }),
    usage: { spent: { "env/delegation:del_1/budget/USD/all_time": 4_950 } },
    outcome: "deny",
    codes: ["delegation_budget_exhausted"],
  },
  {
    name: "the delegator's per-call cap applies to the delegate",
    request: request("agt_del", "stripe.charges.create", { amount: usd(100_001), onBehalfOf: "del_1" }),
    outcome: "deny",
    codes: ["over_per_call_cap", "delegation_budget_exhausted"],
  },
];

describe("evaluate: examples", () => {
  test.each(cases)("$name", ({ request: call, usage: facts, now, outcome, codes }) => {
    const decision = evaluate(snapshot, call, usage(facts), now ?? NOW);
    expect(decision.reasons.map((reason) => reason.code)).toEqual(codes);
    expect(decision.outcome).toBe(outcome);
  });

  test("the examples give every reason code", () => {
    const given = new Set(cases.flatMap((example) => example.codes));
    expect(REASON_CODES.filter((code) => !given.has(code))).toEqual([]);
  });
});

describe("evaluate: decisions", () => {
  test("an allowed charge lists every envelope to hold, keyed by owner, rule, currency and window", () => {
    const decision = evaluate(snapshot, charge(10_000), usage(), NOW);
    expect(decision.holds).toEqual([
      {
        key: DAILY,
        owner: "agent:agt_pay",
        limit: 500_000,
        currency: "USD",
        period: "day",
        windowStart: "2026-11-23T23:00:00.000Z",
        windowEnd: "2026-11-24T23:00:00.000Z",
        policyId: "pol_pay",
        rule: "daily",
      },
      {
        key: "env/agent:agt_pay/pol_pay:monthly/USD/month:2026-11",
        owner: "agent:agt_pay",
        limit: 5_000_000,
        currency: "USD",
        period: "month",
        windowStart: "2026-10-31T23:00:00.000Z",
        windowEnd: "2026-11-30T23:00:00.000Z",
        policyId: "pol_pay",
        rule: "monthly",
      },
    ]);
    expect(decision.counters).toEqual([{ key: "vel/agent:agt_pay/pol_pay:burst", windowSeconds: 60 }]);
    expect(decision.fingerprint).toEqual({ key: "agt_pay\u001f\u001fstripe.charges.create\u001f\u001f\u001f10000 USD", windowSeconds: 300 });
    expect(decision.chain).toEqual({ agents: ["agt_pay"], delegations: [] });
    expect(decision.trace.map(({ step, result }) => `${step}:${result}`)).toEqual([
      "agent:pass",
      "delegation:skip",
      "time_window:skip",
      "deny:pass",
      "grant:pass",
      "currency:pass",
      "cap:pass",
      "envelope:pass",
      "velocity:pass",
      "loop:pass",
      "anomaly:skip",
      "approval:pass",
    ]);
  });

  test("an anomaly on a delegated call names the agent whose baseline the spend is far above", () => {
    const decision = evaluate(snapshot, order("agt_new_buyer", 5_000, { onBehalfOf: "del_buy" }), usage(), NOW);
    expect(decision.reasons.map(({ message }) => message)).toEqual([
      '50.00 EUR is far above the usual: agent agt_buyer usually spends 10.00 EUR (median of 50), and rule "unusual" of policy "pol_buy" v1 flags spends over 40.00 EUR',
    ]);
  });

  test("a denial names the rule and policy version that decided, and holds nothing", () => {
    const decision = evaluate(snapshot, charge(1_000), usage({ spent: { [DAILY]: 499_500 } }), NOW);
    expect(decision.holds).toEqual([]);
    expect(decision.reasons).toEqual([
      {
        code: "envelope_exhausted",
        message: 'day envelope of rule "daily" of policy "pol_pay" v1 for agent agt_pay has 5.00 USD of 5000.00 USD left; 10.00 USD requested',
        policyId: "pol_pay",
        policyVersion: 1,
        rule: "daily",
        delegationId: null,
      },
    ]);
    expect(decision.trace.find((entry) => entry.step === "envelope")?.result).toBe("fail");
  });

  test("a pending call still holds its amount while it waits", () => {
    const decision = evaluate(snapshot, charge(30_000), usage(), NOW);
    expect(decision.outcome).toBe("pending");
    expect(decision.holds.map((envelope) => envelope.rule)).toEqual(["daily", "monthly"]);
  });

  test("a delegated call holds against the delegators' envelopes and every budget on the chain", () => {
    const decision = evaluate(snapshot, request("agt_sub", "stripe.charges.create", { amount: usd(100), onBehalfOf: "del_2" }), usage(), NOW);
    expect(decision.outcome).toBe("allow");
    expect(decision.chain).toEqual({ agents: ["agt_pay", "agt_del", "agt_sub"], delegations: ["del_1", "del_2"] });
    expect(decision.holds.map((envelope) => envelope.key)).toEqual([
      DAILY,
      "env/agent:agt_pay/pol_pay:monthly/USD/month:2026-11",
      "env/delegation:del_1/budget/USD/all_time",
      "env/delegation:del_2/budget/USD/all_time",
    ]);
  });

  test("velocity and loop denials say when to retry", () => {
    expect(evaluate(snapshot, charge(100), usage({ repeats: 5 }), NOW).retryAfterMs).toBe(300_000);
    expect(evaluate(snapshot, charge(100), usage(), NOW).retryAfterMs).toBeNull();
  });

  test("a call's fingerprint is kept for the longest loop window that applies, shadow rules included", () => {
    const loops = (...windows: [string, number, "enforce" | "shadow"][]) =>
      load(
        organization({
          agents: [agent("agt_a")],
          policies: [
            policy("pol_a", { selector: { all: true }, grants: [{ id: "all", actions: ["*"] }] }),
            ...windows.map(([id, windowSeconds, mode]) => policy(id, { selector: { all: true }, loops: [{ id: "loop", maxRepeats: 3, windowSeconds }] }, { mode })),
          ],
        }),
      );
    const fingerprintOf = (snapshotWithLoops: ReturnType<typeof loops>) => evaluate(snapshotWithLoops, request("agt_a", "tool.call"), usage(), NOW).fingerprint;
    expect(fingerprintOf(loops())).toBeNull();
    expect(fingerprintOf(loops(["pol_short", 60, "enforce"], ["pol_long", 900, "enforce"]))).toEqual({ key: "agt_a\u001f\u001ftool.call\u001f\u001f\u001f", windowSeconds: 900 });
    expect(fingerprintOf(loops(["pol_short", 60, "enforce"], ["pol_trial", 3_600, "shadow"]))?.windowSeconds).toBe(3_600);
    expect(fingerprintOf(loops(["pol_trial", 120, "shadow"]))?.windowSeconds).toBe(120);
  });

  test("a shadow policy's outcome is reported apart and does not decide", () => {
    const decision = evaluate(snapshot, charge(20_000), usage(), NOW);
    expect(decision.outcome).toBe("allow");
    expect(decision.shadow?.outcome).toBe("deny");
    expect(decision.shadow?.reasons.map((reason) => `${reason.code} ${reason.policyId}/${reason.rule}`)).toEqual(["over_per_call_cap pol_strict/cap-100"]);
    expect(evaluate(snapshot, request("agt_trusted", "openai.chat", { amount: usd(1) }), usage(), NOW).shadow).toBeNull();
  });

  test("deciding the same call twice gives the same decision", () => {
    const call = request("agt_sub", "stripe.charges.create", { amount: usd(100), onBehalfOf: "del_2" });
    expect(evaluate(snapshot, call, usage(), NOW)).toEqual(evaluate(snapshot, call, usage(), NOW));
  });
});

describe("evaluate: calendars across DST", () => {
  const inZone = (timeZone: string, window: { days: string[]; from: string; to: string }) =>
    load(
      organization({
        organization: { id: "org_tz", timeZone },
        agents: [agent("agt_a")],
        policies: [
          policy("pol_a", {
            selector: { all: true },
            grants: [{ id: "all", actions: ["*"] }],
            limits: [{ id: "daily", period: "day", amount: 1_000, currency: "USD" }],
            timeWindows: [{ id: "window", ...window }],
          }),
        ],
      }),
    );
  const decide = (snapshotInZone: ReturnType<typeof inZone>, iso: string) =>
    evaluate(snapshotInZone, request("agt_a", "tool.call", { amount: usd(1) }), usage(), new Date(iso));

  test("Berlin business hours follow the wall clock across the spring change", () => {
    const berlin = inZone("Europe/Berlin", { days: ["mon", "tue", "wed", "thu", "fri"], from: "09:00", to: "17:00" });
    // 07:30 UTC is 08:30 on the Friday before the change (UTC+1) and 09:30 on the Monday after (UTC+2).
    expect(decide(berlin, "2026-03-27T07:30:00Z").reasons.map((reason) => reason.code)).toEqual(["outside_time_window"]);
    expect(decide(berlin, "2026-03-30T07:30:00Z").outcome).toBe("allow");
    expect(decide(berlin, "2026-03-30T14:59:59Z").outcome).toBe("allow");
    expect(decide(berlin, "2026-03-30T15:00:00Z").outcome).toBe("deny");
  });

  test("a New York window on the Sunday clocks spring forward opens by local time", () => {
    const newYork = inZone("America/New_York", { days: ["sun"], from: "08:00", to: "09:00" });
    expect(decide(newYork, "2026-03-01T12:30:00Z").outcome).toBe("deny"); // 07:30 EST
    expect(decide(newYork, "2026-03-08T12:30:00Z").outcome).toBe("allow"); // 08:30 EDT
    expect(decide(newYork, "2026-03-08T13:00:00Z").outcome).toBe("deny"); // 09:00 EDT
  });

  test("an overnight window belongs to the day it opens", () => {
    const berlin = inZone("Europe/Berlin", { days: ["fri"], from: "22:00", to: "06:00" });
    expect(decide(berlin, "2026-11-27T21:30:00Z").outcome).toBe("allow"); // Friday 22:30
    expect(decide(berlin, "2026-11-28T04:59:00Z").outcome).toBe("allow"); // Saturday 05:59
    expect(decide(berlin, "2026-11-28T05:00:00Z").outcome).toBe("deny"); // Saturday 06:00
    expect(decide(berlin, "2026-11-27T04:00:00Z").outcome).toBe("deny"); // Friday 05:00, Thursday is not listed
  });

  test("a daily envelope resets at local midnight on the 23-hour DST day", () => {
    const berlin = inZone("Europe/Berlin", { days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], from: "00:00", to: "24:00" });
    const before = decide(berlin, "2026-03-29T21:59:59Z").holds[0]!;
    const after = decide(berlin, "2026-03-29T22:00:00Z").holds[0]!;
    expect(before).toMatchObject({ key: "env/agent:agt_a/pol_a:daily/USD/day:2026-03-29", windowStart: "2026-03-28T23:00:00.000Z", windowEnd: "2026-03-29T22:00:00.000Z" });
    expect(after).toMatchObject({ key: "env/agent:agt_a/pol_a:daily/USD/day:2026-03-30", windowStart: "2026-03-29T22:00:00.000Z" });
  });
});
