import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { anomalyThreshold, type SpendBaseline } from "./baseline";

const baselineArb: fc.Arbitrary<SpendBaseline> = fc.record({
  currency: fc.constant("EUR"),
  median: fc.integer({ min: 0, max: 10_000_000 }),
  mad: fc.integer({ min: 0, max: 10_000_000 }),
  samples: fc.integer({ min: 1, max: 10_000 }),
});
const deviationsArb = fc.double({ min: 2, max: 100, noNaN: true });

describe("anomalyThreshold", () => {
  test("an agent that always spends the same amount may spend up to 1 + deviations/2 times it", () => {
    expect(anomalyThreshold({ currency: "EUR", median: 1_000, mad: 0, samples: 50 }, 6)).toBe(4_000);
  });

  test("a wide spread moves the threshold by 1.4826 × MAD per deviation", () => {
    expect(anomalyThreshold({ currency: "EUR", median: 1_000, mad: 1_000, samples: 50 }, 2)).toBe(3_965);
  });

  test("invariant: the threshold is never below the median", () => {
    fc.assert(fc.property(baselineArb, deviationsArb, (baseline, deviations) => anomalyThreshold(baseline, deviations) >= baseline.median));
  });

  test("invariant: more deviations or a wider spread never lower the threshold", () => {
    fc.assert(
      fc.property(baselineArb, deviationsArb, deviationsArb, fc.integer({ min: 0, max: 1_000_000 }), (baseline, a, b, wider) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        expect(anomalyThreshold(baseline, low)).toBeLessThanOrEqual(anomalyThreshold(baseline, high));
        expect(anomalyThreshold(baseline, low)).toBeLessThanOrEqual(anomalyThreshold({ ...baseline, mad: baseline.mad + wider }, low));
      }),
    );
  });
});
