import { z } from "zod";

/** Where every agent starts, before it has done anything good or bad. */
export const NEUTRAL_SCORE = 650;
export const MIN_SCORE = 300;
export const MAX_SCORE = 850;

const count = z.int({ error: "must be a whole number" }).nonnegative({ error: "must not be negative" });

/** What an agent did across its sessions, counted by the control plane from the decision log. */
export const trustSignalsSchema = z.strictObject({
  /** Days since the agent was created. */
  tenureDays: count,
  /** Allowed calls whose hold was committed within every envelope. */
  cleanCommits: count,
  /** Approvals a reviewer granted. */
  approvalsGranted: count,
  /** Calls denied by policy: no grant, an explicit deny, out of a delegated scope, outside a time window. */
  policyDenials: count,
  /** Calls denied because an envelope or a delegation budget was exhausted. */
  budgetExhaustions: count,
  /** Calls stopped by a loop or velocity limit. */
  loopTrips: count,
  /** Spends far above a baseline on the call: the agent's own, or a delegator's it acted for. */
  anomalies: count,
  /** Approvals a reviewer denied. */
  approvalsRejected: count,
  /** Sessions whose circuit breaker tripped. */
  breakerTrips: count,
});

export type TrustSignals = z.infer<typeof trustSignalsSchema>;

/** One reason that moved a score, like a credit report's reason codes. */
export interface TrustReason {
  code: keyof TrustSignals;
  message: string;
  /** Points this signal added (positive) or took away (negative). */
  points: number;
}

export interface TrustScore {
  score: number;
  /** The four signals that moved the score most, largest effect first. */
  reasons: TrustReason[];
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

/**
 * How each signal moves the score: at most `weight` points, approached with diminishing returns
 * (`weight · (1 − e^(−n/scale))`), so a thousand clean commits cannot buy back a stolen key's
 * behaviour and one bad day does not sink an agent for good.
 */
const MODEL: Record<keyof TrustSignals, { weight: number; scale: number; message: (n: number) => string }> = {
  tenureDays: { weight: 40, scale: 45, message: (n) => `active for ${plural(n, "day")}` },
  cleanCommits: { weight: 120, scale: 60, message: (n) => `${plural(n, "call")} committed within their envelopes` },
  approvalsGranted: { weight: 30, scale: 8, message: (n) => `${plural(n, "approval")} granted by reviewers` },
  policyDenials: { weight: -150, scale: 12, message: (n) => `${plural(n, "call")} denied by policy` },
  budgetExhaustions: { weight: -80, scale: 5, message: (n) => `${plural(n, "call")} over an exhausted envelope` },
  loopTrips: { weight: -200, scale: 4, message: (n) => `${plural(n, "call")} stopped by loop or velocity limits` },
  anomalies: { weight: -150, scale: 3, message: (n) => `${plural(n, "spend")} far above the usual` },
  approvalsRejected: { weight: -120, scale: 4, message: (n) => `${plural(n, "approval")} rejected by reviewers` },
  breakerTrips: { weight: -200, scale: 2, message: (n) => `${plural(n, "session")} tripped a circuit breaker` },
};

const SIGNALS = Object.keys(MODEL) as (keyof TrustSignals)[];

/**
 * The trust score (300–850) of an agent with these signals, and the top four reasons.
 * A documented sum, no black box: every point comes from one signal's line in MODEL.
 *
 * @example trustScore({ ...noSignals, cleanCommits: 200, tenureDays: 90 }).score // 800
 */
export function trustScore(signals: TrustSignals): TrustScore {
  const contributions = SIGNALS.map((code) => {
    const { weight, scale, message } = MODEL[code];
    const n = signals[code];
    return { code, message: message(n), points: weight * (1 - Math.exp(-n / scale)) };
  });
  const total = NEUTRAL_SCORE + contributions.reduce((sum, reason) => sum + reason.points, 0);
  const score = Math.min(MAX_SCORE, Math.max(MIN_SCORE, Math.round(total)));
  const reasons = contributions
    .filter((reason) => Math.round(reason.points) !== 0)
    .sort((a, b) => Math.abs(b.points) - Math.abs(a.points) || a.code.localeCompare(b.code))
    .slice(0, 4)
    .map((reason) => ({ ...reason, points: Math.round(reason.points) }));
  return { score, reasons };
}

/** The signals of an agent that has done nothing yet. */
export const noSignals: TrustSignals = Object.fromEntries(SIGNALS.map((code) => [code, 0])) as TrustSignals;
