import type { Counter, Envelope } from "../evaluate/decision";
import type { Matcher } from "../match";
import type { Period } from "../period";
import type { LoadedAgent } from "./load";
import { NONE, type LimitSpec, type LoopSpec, type MoneySpec, type Rule, type RuleLists, type Target, type TimeWindowSpec, type TrustSpec, type VelocitySpec } from "./rules";

/**
 * A limit held by one agent. It copies what the envelope check reads and remembers the envelope
 * it last built and for which window or session, so a call reads this one object instead of
 * chasing rule, spec and envelope, and builds a key string only when a window turns over.
 */
export class EnvelopeSlot {
  readonly actions: Matcher | null;
  readonly narrowed: boolean;
  readonly target: Target;
  readonly limit: number;
  readonly currency: string;
  readonly period: Period;
  readonly shadow: boolean;
  /** The window start (ms) or session id the envelope was built for. */
  stamp: number | string | null = null;
  key = "";
  envelope: Envelope | null = null;

  constructor(
    readonly agent: LoadedAgent,
    readonly rule: Rule<LimitSpec>,
  ) {
    ({ actions: this.actions, narrowed: this.narrowed, target: this.target } = rule);
    ({ amount: this.limit, currency: this.currency, period: this.period } = rule.spec);
    this.shadow = rule.origin.shadow;
  }
}

/** A velocity limit held by one agent, with the counter it last built. */
export class CounterSlot {
  readonly actions: Matcher | null;
  readonly narrowed: boolean;
  readonly target: Target;
  readonly maxCalls: number;
  readonly windowSeconds: number;
  readonly per: "agent" | "session";
  readonly shadow: boolean;
  /** The session id the counter was built for ("" for a per-agent counter). */
  stamp: string | null = null;
  counter: Counter | null = null;

  constructor(
    readonly agent: LoadedAgent,
    readonly rule: Rule<VelocitySpec>,
  ) {
    ({ actions: this.actions, narrowed: this.narrowed, target: this.target } = rule);
    ({ maxCalls: this.maxCalls, windowSeconds: this.windowSeconds, per: this.per } = rule.spec);
    this.shadow = rule.origin.shadow;
  }
}

/** A first-merchant approval rule and the agent whose merchant history it asks about. */
export class MerchantSlot {
  readonly actions: Matcher | null;
  readonly narrowed: boolean;
  readonly target: Target;

  constructor(
    readonly agent: LoadedAgent,
    readonly rule: Rule<null>,
  ) {
    ({ actions: this.actions, narrowed: this.narrowed, target: this.target } = rule);
  }
}

/** Everything a call through one chain is checked against, each rule once. Built at load time. */
export interface ChainRules {
  /** The authority's grants (the first agent on the chain). */
  readonly grants: readonly Rule<null>[];
  // Rules whose outcome does not depend on which agent holds them: each rule once.
  readonly timeWindows: readonly Rule<TimeWindowSpec>[];
  readonly denies: readonly Rule<null>[];
  readonly caps: readonly Rule<MoneySpec>[];
  readonly amountApprovals: readonly Rule<MoneySpec>[];
  readonly trustApprovals: readonly Rule<TrustSpec>[];
  readonly loops: readonly Rule<LoopSpec>[];
  /**
   * The authority's envelopes. Acting for another agent spends that agent's money: its envelopes
   * and the delegation budgets count, the caller's and intermediaries' own envelopes do not.
   */
  readonly limits: readonly EnvelopeSlot[];
  // Rules that act per agent: once for every agent on the chain that holds them.
  readonly velocity: readonly CounterSlot[];
  readonly merchantApprovals: readonly MerchantSlot[];
}



/**
 * Gives each (agent, rule) pair one slot, whichever chains the agent is on, so envelopes and
 * counters built for one chain serve every other.
 */
export class SlotTable {
  readonly #slots = new Map<LoadedAgent, Map<Rule<unknown>, object>>();

  slot<S extends object, R extends Rule<unknown>>(agent: LoadedAgent, rule: R, make: (agent: LoadedAgent, rule: R) => S): S {
    let byRule = this.#slots.get(agent);
    if (byRule === undefined) this.#slots.set(agent, (byRule = new Map()));
    let slot = byRule.get(rule) as S | undefined;
    if (slot === undefined) byRule.set(rule, (slot = make(agent, rule)));
    return slot;
  }
}

/**
 * The rules of a chain from the rule lists of its agents (aligned with `agents`). Agents on a
 * chain often share policies; a shared rule must not give its reason twice, so it appears once.
 */
export function chainRules(agents: readonly LoadedAgent[], lists: readonly RuleLists[], slots: SlotTable): ChainRules {
  const once = <T>(pick: (list: RuleLists) => readonly T[]): readonly T[] => {
    if (lists.length === 1) return pick(lists[0]!);
    const distinct = [...new Set(lists.flatMap(pick))];
    return distinct.length === 0 ? NONE : distinct;
  };
  const perAgent = <R extends Rule<unknown>, S extends object>(pick: (list: RuleLists) => readonly R[], make: (agent: LoadedAgent, rule: R) => S): readonly S[] => {
    const paired = lists.flatMap((list, position) => pick(list).map((rule) => slots.slot(agents[position]!, rule, make)));
    return paired.length === 0 ? NONE : paired;
  };
  return {
    grants: lists[0]!.grants,
    timeWindows: once((list) => list.timeWindows),
    denies: once((list) => list.denies),
    caps: once((list) => list.caps),
    amountApprovals: once((list) => list.amountApprovals),
    trustApprovals: once((list) => list.trustApprovals),
    loops: once((list) => list.loops),
    limits: lists[0]!.limits.map((rule) => slots.slot(agents[0]!, rule, (agent, limit) => new EnvelopeSlot(agent, limit))),
    velocity: perAgent((list) => list.velocity, (agent, rule) => new CounterSlot(agent, rule)),
    merchantApprovals: perAgent((list) => list.merchantApprovals, (agent, rule) => new MerchantSlot(agent, rule)),
  };
}
