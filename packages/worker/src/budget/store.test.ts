import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sliceToGrant } from "./store";

describe("sliceToGrant", () => {
  const slice = (free: number, wanted: number, unit = wanted) => sliceToGrant(free, { wanted, smallestWant: wanted, unit, spread: 8 });

  it("grants an eighth of what is free in whole requests while plenty is free", () => {
    expect(slice(10_000, 37)).toBe(1_221);
    expect(slice(10_000, 37) % 37).toBe(0);
  });

  it("shrinks slices to a single request as the envelope nears its limit", () => {
    expect(slice(296, 37)).toBe(37);
    expect(slice(37, 37)).toBe(37);
  });

  it("refills in the background only while a whole slice is free, leaving the last requests to whoever asks", () => {
    expect(sliceToGrant(10_000, { wanted: 0, smallestWant: Infinity, unit: 37, spread: 8 })).toBe(1_221);
    expect(sliceToGrant(295, { wanted: 0, smallestWant: Infinity, unit: 37, spread: 8 })).toBe(0);
  });

  it("grants nothing when less than the smallest waiting request is free, so nothing is stranded", () => {
    expect(slice(36, 37)).toBe(0);
    expect(sliceToGrant(0, { wanted: 0, smallestWant: Infinity, unit: 37, spread: 8 })).toBe(0);
  });

  it("never grants more than is free, and always enough for one request when one fits", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 1, max: 100_000 }), (free, amount) => {
        const granted = slice(free, amount);
        expect(granted).toBeLessThanOrEqual(free);
        expect(granted >= amount).toBe(free >= amount);
      }),
    );
  });
});
