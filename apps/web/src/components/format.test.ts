import { describe, expect, it } from "vitest";
import { formatDuration, formatMajorUnits, parseMoney } from "./format";

describe("parseMoney", () => {
  it("reads major units into minor units exactly, with the currency's decimals", () => {
    expect(parseMoney("120.5", "EUR")).toBe(12_050);
    expect(parseMoney(" 0.07 ", "USD")).toBe(7);
    expect(parseMoney("1500", "JPY")).toBe(1_500);
    expect(parseMoney("19.99", "EUR")).toBe(1_999);
  });

  it("refuses anything but a plain amount with at most the currency's decimals", () => {
    for (const text of ["", "abc", "-5", "1.234", "1e3", "1,50"]) expect(parseMoney(text, "EUR")).toBeNull();
    expect(parseMoney("1.5", "JPY")).toBeNull();
  });
});

describe("formatMajorUnits", () => {
  it("writes minor units as the plain decimal parseMoney reads back", () => {
    expect([formatMajorUnits({ amount: 12_050, currency: "EUR" }), formatMajorUnits({ amount: 7, currency: "USD" }), formatMajorUnits({ amount: 1_500, currency: "JPY" })]).toEqual(["120.50", "0.07", "1500"]);
    expect(parseMoney(formatMajorUnits({ amount: 123_456_789, currency: "EUR" }), "EUR")).toBe(123_456_789);
  });
});

describe("formatDuration", () => {
  it("says a duration in the unit a person would", () => {
    expect([formatDuration(850), formatDuration(42_400), formatDuration(185_000), formatDuration(120_000)]).toEqual(["850 ms", "42 s", "3 min 5 s", "2 min"]);
  });
});
