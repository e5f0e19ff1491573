import { describe, expect, test } from "vitest";
import { describeRules } from "./rule-text";

const none = { grants: [], denies: [], caps: [], limits: [], approvals: [], velocity: [], loops: [], timeWindows: [], anomalies: [] };

describe("describeRules", () => {
  test("says every kind of rule in plain words, grants first", () => {
    const lines = describeRules({
      ...none,
      grants: [{ id: "shop", actions: ["shop.*"], merchants: ["acme"] }],
      denies: [{ id: "no-refunds", actions: ["*.refunds.*"] }],
      caps: [{ id: "cap", amount: 10_000, currency: "EUR" }],
      limits: [{ id: "daily", period: "day", amount: 50_000, currency: "EUR", actions: ["shop.order"] }],
      velocity: [{ id: "burst", maxCalls: 3, windowSeconds: 60, per: "session" }],
      loops: [{ id: "retries", maxRepeats: 2, windowSeconds: 300 }],
      timeWindows: [{ id: "office", days: ["mon", "fri"], from: "09:00", to: "18:00" }],
      anomalies: [{ id: "unusual", deviations: 6, minSamples: 20, respond: "deny", categories: ["gift-cards"] }],
      approvals: [
        { id: "big", when: "amount_over", amount: 5_000, currency: "EUR" },
        { id: "doubt", when: "trust_below", score: 600 },
        { id: "new-shop", when: "first_merchant" },
      ],
    });
    expect(lines.map((line) => `${line.kind} ${line.id}: ${line.text}`)).toEqual([
      "allow shop: may call shop.* at acme",
      "deny no-refunds: never *.refunds.*",
      "limit office: only mon, fri 09:00–18:00",
      "limit cap: at most €100.00 per call",
      "limit daily: €500.00 a day for shop.order",
      "limit burst: at most 3 calls per 60 s per session",
      "limit retries: the same call at most 2 times per 300 s",
      "deny unusual: denies a spend over 6 deviations above its usual (after 20 spends) in gift-cards",
      "approval big: a human approves over €50.00",
      "approval doubt: a human approves while its trust score is below 600",
      "approval new-shop: a human approves its first use of a merchant",
    ]);
  });

  test("a policy without rules says nothing", () => {
    expect(describeRules(none)).toEqual([]);
  });
});
