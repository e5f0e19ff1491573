import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_SCORE, MIN_SCORE, NEUTRAL_SCORE, noSignals, trustScore, trustSignalsSchema, type TrustSignals } from "./score";

const GOOD = ["tenureDays", "cleanCommits", "approvalsGranted"] as const;
const BAD = ["policyDenials", "budgetExhaustions", "loopTrips", "anomalies", "approvalsRejected", "breakerTrips"] as const;

const signals = fc.record(Object.fromEntries([...GOOD, ...BAD].map((code) => [code, fc.nat({ max: 100_000 })])) as Record<keyof TrustSignals, fc.Arbitrary<number>>);

describe("trust score", () => {
  it("starts a new agent at the documented neutral score, with no reasons", () => {
    expect(trustScore(noSignals)).toEqual({ score: NEUTRAL_SCORE, reasons: [] });
  });

  it("invariant: every score lies in 300–850", () => {
    fc.assert(
      fc.property(signals, (s) => {
        const { score } = trustScore(s);
        expect(score).toBeGreaterThanOrEqual(MIN_SCORE);
        expect(score).toBeLessThanOrEqual(MAX_SCORE);
        expect(Number.isInteger(score)).toBe(true);
      }),
    );
  });

  it("invariant: more bad behaviour never raises a score", () => {
    fc.assert(
      fc.property(signals, fc.constantFrom(...BAD), fc.integer({ min: 1, max: 1_000 }), (s, code, more) => {
        expect(trustScore({ ...s, [code]: s[code] + more }).score).toBeLessThanOrEqual(trustScore(s).score);
      }),
    );
  });

  it("invariant: more good behaviour never lowers a score", () => {
    fc.assert(
      fc.property(signals, fc.constantFrom(...GOOD), fc.integer({ min: 1, max: 1_000 }), (s, code, more) => {
        expect(trustScore({ ...s, [code]: s[code] + more }).score).toBeGreaterThanOrEqual(trustScore(s).score);
      }),
    );
  });

  it("invariant: at most four reasons, largest effect first, each naming its signal", () => {
    fc.assert(
      fc.property(signals, (s) => {
        const { reasons } = trustScore(s);
        expect(reasons.length).toBeLessThanOrEqual(4);
        for (let i = 1; i < reasons.length; i++) expect(Math.abs(reasons[i - 1]!.points)).toBeGreaterThanOrEqual(Math.abs(reasons[i]!.points));
        for (const reason of reasons) expect(reason.message).toContain(String(s[reason.code]));
      }),
    );
  });

  it("ranks a careful agent above a loopy one, and explains both", () => {
    const careful = trustScore({ ...noSignals, tenureDays: 60, cleanCommits: 400, approvalsGranted: 6, policyDenials: 2 });
    const loopy = trustScore({ ...noSignals, tenureDays: 60, cleanCommits: 300, loopTrips: 9, breakerTrips: 1, policyDenials: 20 });
    expect(careful.score).toBeGreaterThan(750);
    expect(loopy.score).toBeLessThan(550);
    expect(careful.reasons[0]).toMatchObject({ code: "cleanCommits", points: 120 });
    expect(loopy.reasons.map((reason) => reason.code)).toEqual(["loopTrips", "policyDenials", "cleanCommits", "breakerTrips"]);
  });

  it("refuses malformed signals, naming the field", () => {
    const parsed = trustSignalsSchema.safeParse({ ...noSignals, loopTrips: -1 });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({ path: ["loopTrips"], message: "must not be negative" });
  });
});
