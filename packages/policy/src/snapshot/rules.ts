import { WEEKDAYS, type RuleScope } from "../document/schema";
import type { Matcher, Matchers } from "../match";
import type { Period } from "../period";
import type { SnapshotBody } from "./schema";

/** The one empty list that rule sets, chains and decisions share instead of allocating their own. */
export const NONE: readonly never[] = Object.freeze([]);

/** Which calls a rule or delegation concerns; null places no condition. */
export interface Target {
  readonly actions: Matcher | null;
  readonly merchants: Matcher | null;
  readonly categories: Matcher | null;
}

/** Where a rule comes from, for reasons and for the keys of its envelopes and counters. */
export interface RuleOrigin {
  readonly policyId: string;
  readonly policyName: string;
  readonly policyVersion: number;
  readonly ruleId: string;
  /** `policyId:ruleId`: stable across policy versions, so envelopes survive a republish. */
  readonly ref: string;
  /** From a shadow-mode policy: decides only the shadow outcome. */
  readonly shadow: boolean;
}

/**
 * A rule ready for evaluation. Every kind shares this one class and keeps its own fields in
 * `spec`, so the evaluator's property accesses stay monomorphic (one hidden class, not eight).
 */
export class Rule<Spec> {
  /** `target.actions`, kept on the rule because every check reads it first. */
  readonly actions: Matcher | null;
  /** Whether merchants or categories narrow the rule; most rules are not, and skip the check. */
  readonly narrowed: boolean;

  constructor(
    readonly origin: RuleOrigin,
    readonly target: Target,
    readonly spec: Spec,
  ) {
    this.actions = target.actions;
    this.narrowed = target.merchants !== null || target.categories !== null;
  }
}

export interface MoneySpec {
  readonly amount: number;
  readonly currency: string;
}
export interface LimitSpec extends MoneySpec {
  readonly period: Period;
}
export interface TrustSpec {
  /** Below this score, the call waits for approval. */
  readonly score: number;
}
export interface VelocitySpec {
  readonly maxCalls: number;
  readonly windowSeconds: number;
  readonly per: "agent" | "session";
}
export interface LoopSpec {
  readonly maxRepeats: number;
  readonly windowSeconds: number;
}
export interface AnomalySpec {
  readonly deviations: number;
  readonly minSamples: number;
  readonly respond: "approval" | "deny";
}
export interface TimeWindowSpec {
  /** Bit n set: open on weekday n (0 = Monday). */
  readonly days: number;
  /** Minutes since local midnight; from > to wraps past midnight into the next day. */
  readonly from: number;
  readonly to: number;
  /** As written, for messages: `mon,tue 09:00–18:00`. */
  readonly schedule: string;
}

/** A set of rules by kind, in snapshot order (policies by id, rules as written). */
export interface RuleLists {
  readonly timeWindows: readonly Rule<TimeWindowSpec>[];
  readonly denies: readonly Rule<null>[];
  readonly grants: readonly Rule<null>[];
  readonly caps: readonly Rule<MoneySpec>[];
  readonly limits: readonly Rule<LimitSpec>[];
  /** Approval over an amount (`when: amount_over`). */
  readonly amountApprovals: readonly Rule<MoneySpec>[];
  /** Approval below a trust score (`when: trust_below`). */
  readonly trustApprovals: readonly Rule<TrustSpec>[];
  /** Approval on first use of a merchant (`when: first_merchant`). */
  readonly merchantApprovals: readonly Rule<null>[];
  readonly velocity: readonly Rule<VelocitySpec>[];
  readonly loops: readonly Rule<LoopSpec>[];
  readonly anomalies: readonly Rule<AnomalySpec>[];
}

/** The matchers for a rule's or a delegation's scope. */
export function targetOf(scope: RuleScope, matchers: Matchers): Target {
  const of = (list: readonly string[] | undefined) => (list === undefined ? null : matchers.of(list));
  return { actions: of(scope.actions), merchants: of(scope.merchants), categories: of(scope.categories) };
}

function minutes(clock: string): number {
  return Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));
}

/** Turns one snapshot policy's rules into matchers ready for evaluation. */
export function loadRules(policy: SnapshotBody["policies"][number], matchers: Matchers): RuleLists {
  const rule = <Spec>(written: { id: string } & RuleScope, spec: Spec): Rule<Spec> => {
    const origin: RuleOrigin = {
      policyId: policy.policyId,
      policyName: policy.name,
      policyVersion: policy.version,
      ruleId: written.id,
      ref: `${policy.policyId}:${written.id}`,
      shadow: policy.mode === "shadow",
    };
    return new Rule(origin, targetOf(written, matchers), spec);
  };
  const { rules } = policy;
  return {
    timeWindows: rules.timeWindows.map((written) =>
      rule(written, {
        days: written.days.reduce((mask, day) => mask | (1 << WEEKDAYS.indexOf(day)), 0),
        from: minutes(written.from),
        to: minutes(written.to),
        schedule: `${written.days.join(",")} ${written.from}–${written.to}`,
      }),
    ),
    denies: rules.denies.map((written) => rule(written, null)),
    grants: rules.grants.map((written) => rule(written, null)),
    caps: rules.caps.map((written) => rule(written, { amount: written.amount, currency: written.currency })),
    limits: rules.limits.map((written) => rule(written, { amount: written.amount, currency: written.currency, period: written.period })),
    amountApprovals: rules.approvals.flatMap((written) => (written.when === "amount_over" ? [rule(written, { amount: written.amount, currency: written.currency })] : [])),
    trustApprovals: rules.approvals.flatMap((written) => (written.when === "trust_below" ? [rule(written, { score: written.score })] : [])),
    merchantApprovals: rules.approvals.flatMap((written) => (written.when === "first_merchant" ? [rule(written, null)] : [])),
    velocity: rules.velocity.map((written) => rule(written, { maxCalls: written.maxCalls, windowSeconds: written.windowSeconds, per: written.per })),
    loops: rules.loops.map((written) => rule(written, { maxRepeats: written.maxRepeats, windowSeconds: written.windowSeconds })),
    anomalies: rules.anomalies.map((written) => rule(written, { deviations: written.deviations, minSamples: written.minSamples, respond: written.respond })),
  };
}

/** Concatenates rule lists kind by kind, keeping their order; empty kinds share NONE. */
export function mergeRules(lists: readonly RuleLists[]): RuleLists {
  const all = <T>(pick: (list: RuleLists) => readonly T[]): readonly T[] => {
    const merged = lists.flatMap(pick);
    return merged.length === 0 ? NONE : merged;
  };
  return {
    timeWindows: all((list) => list.timeWindows),
    denies: all((list) => list.denies),
    grants: all((list) => list.grants),
    caps: all((list) => list.caps),
    limits: all((list) => list.limits),
    amountApprovals: all((list) => list.amountApprovals),
    trustApprovals: all((list) => list.trustApprovals),
    merchantApprovals: all((list) => list.merchantApprovals),
    velocity: all((list) => list.velocity),
    loops: all((list) => list.loops),
    anomalies: all((list) => list.anomalies),
  };
}
