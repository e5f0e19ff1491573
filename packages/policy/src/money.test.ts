import { describe, expect, test } from "vitest";
import { formatMoney, moneySchema } from "./money";

describe("formatMoney", () => {
  test("writes minor units with the currency's decimals and no floating point", () => {
    expect(formatMoney(1250, "USD")).toBe("12.50 USD");
    expect(formatMoney(5, "EUR")).toBe("0.05 EUR");
    expect(formatMoney(0, "USD")).toBe("0.00 USD");
    expect(formatMoney(1500, "JPY")).toBe("1500 JPY");
    expect(formatMoney(1234, "KWD")).toBe("1.234 KWD");
    expect(formatMoney(-250, "USD")).toBe("-2.50 USD");
    expect(formatMoney(9_007_199_254_740_991, "USD")).toBe("90071992547409.91 USD");
  });
});

describe("moneySchema", () => {
  test("accepts integer minor units in an ISO 4217 currency", () => {
    expect(moneySchema.safeParse({ amount: 1250, currency: "USD" }).success).toBe(true);
    expect(moneySchema.safeParse({ amount: 0, currency: "EUR" }).success).toBe(true);
  });

  test("refuses fractions, negatives and lower-case or made-up currency codes", () => {
    for (const money of [{ amount: 12.5, currency: "USD" }, { amount: -1, currency: "USD" }, { amount: 1, currency: "usd" }, { amount: 1, currency: "DOLLARS" }]) {
      expect(moneySchema.safeParse(money).success).toBe(false);
    }
  });
});
