import { describe, expect, it } from "vitest";
import { approvalsRequired } from "./approval-rules";

describe("approvalsRequired", () => {
  const dualAbove500Eur = { dualApprovalAbove: 50_000, dualApprovalCurrency: "EUR" };

  it("takes one reviewer when the organization set no dual-approval amount", () => {
    expect(approvalsRequired({ dualApprovalAbove: null, dualApprovalCurrency: null }, { amount: 10_000_000, currency: "EUR" })).toBe(1);
  });

  it("takes two reviewers only above the amount, not at it", () => {
    expect(approvalsRequired(dualAbove500Eur, { amount: 50_000, currency: "EUR" })).toBe(1);
    expect(approvalsRequired(dualAbove500Eur, { amount: 50_001, currency: "EUR" })).toBe(2);
  });

  it("takes two reviewers for an amount in another currency, which it cannot compare", () => {
    expect(approvalsRequired(dualAbove500Eur, { amount: 1, currency: "USD" })).toBe(2);
  });
});
