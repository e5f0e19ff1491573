import type { LoadedAgent, LoadedDelegation } from "./load";
import type { Rule, RuleLists } from "./rules";

// Every rule entry starts with these three cells. A check reads the first two before anything
// else, so a rule that does not concern the call is never visited.
/** The rule's action matcher, or null when it names no actions. */
export const ACTIONS = 0;
/** The rule's target when merchants or categories narrow it, else null. */
export const TARGET = 1;
export const RULE = 2;

// The layout of each kind's entries: `stride` cells each, the named cells after the first three.
export const TIME_WINDOW = { stride: 4, spec: 3 } as const;
export const DENY = { stride: 3 } as const;
export const GRANT = { stride: 3 } as const;
/** Caps and amount thresholds. */
export const MONEY = { stride: 5, amount: 3, currency: 4 } as const;
/**
 * A limit of the authority, with the envelope last built for it and for which calendar window,
 * session id, or "all_time": a call builds a key string only when a window turns over.
 */
export const LIMIT = { stride: 10, limit: 3, currency: 4, period: 5, agentId: 6, stamp: 7, key: 8, envelope: 9 } as const;
export const TRUST = { stride: 4, score: 3 } as const;
export const LOOP = { stride: 5, maxRepeats: 3, windowSeconds: 4 } as const;
/** A velocity limit of one agent on the chain, with the counter last built for it ("" stamp: per agent). */
export const VELOCITY = { stride: 10, maxCalls: 3, windowSeconds: 4, per: 5, agentId: 6, stamp: 7, key: 8, counter: 9 } as const;
/** A first-merchant approval and the agent whose merchant history counts. */
export const MERCHANT = { stride: 4, agentId: 3 } as const;
/** A delegation budget on the chain (no rule cells): its all-time envelope, read without a detour. */
export const BUDGET = { stride: 4, envelope: 0, key: 1, limit: 2, currency: 3 } as const;

/**
 * Everything a call through one chain is checked against, each rule once, built at load time.
 * The entries of every kind sit in one flat array, kind after kind, with what the checks compare
 * inline: a call to an agent that is cold in the CPU caches then reads a few consecutive cache
 * lines, where lists, rule objects, specs and slots each cost a dependent trip to memory (that
 * latency, not the work, made the evaluator's tail). The head of the array says where each
 * kind's entries start (see START), so no separate object stands between a chain and its
 * entries. The limit and velocity entries are mutable: they cache the keys of the current window
 * or session.
 */
export type ChainRules = unknown[];

/**
 * Positions in a chain's table of where each kind's entries start; a kind ends where the next
 * starts. Kinds whose rules act alike for every agent hold each rule once; limits are the
 * authority's (acting for another agent spends that agent's money: its envelopes and the
 * delegation budgets count, the caller's and intermediaries' own do not); velocity and
 * merchant approvals are once per agent on the chain that holds them; budgets are every
 * delegation budget on the chain, root first.
 */
export const START = {
  timeWindows: 0,
  denies: 1,
  /** The authority's grants (the first agent on the chain). */
  grants: 2,
  caps: 3,
  limits: 4,
  amountApprovals: 5,
  trustApprovals: 6,
  loops: 7,
  velocity: 8,
  merchantApprovals: 9,
  budgets: 10,
  end: 11,
} as const;
const HEAD = START.end + 1;

/** Where the entries at head position `kind` (a START value) start in a chain's table. */
export function startOf(rules: ChainRules, kind: number): number {
  return rules[kind] as number;
}

/**
 * The rules of a chain from the rule lists of its agents (aligned with `agents`). Agents on a
 * chain often share policies; a shared rule must not give its reason twice, so it appears once.
 */
export function chainRules(agents: readonly LoadedAgent[], delegations: readonly LoadedDelegation[], lists: readonly RuleLists[]): ChainRules {
  const cells: ChainRules = Array<number>(HEAD).fill(0);
  const add = (rule: Rule<unknown>, ...rest: unknown[]) => cells.push(rule.actions, rule.narrowed ? rule.target : null, rule, ...rest);
  const once = <R extends Rule<unknown>>(pick: (list: RuleLists) => readonly R[]): R[] => [...new Set(lists.flatMap(pick))];

  cells[START.timeWindows] = cells.length;
  for (const rule of once((list) => list.timeWindows)) add(rule, rule.spec);
  cells[START.denies] = cells.length;
  for (const rule of once((list) => list.denies)) add(rule);
  cells[START.grants] = cells.length;
  for (const rule of lists[0]!.grants) add(rule);
  cells[START.caps] = cells.length;
  for (const rule of once((list) => list.caps)) add(rule, rule.spec.amount, rule.spec.currency);
  cells[START.limits] = cells.length;
  for (const rule of lists[0]!.limits) add(rule, rule.spec.amount, rule.spec.currency, rule.spec.period, agents[0]!.id, null, "", null);
  cells[START.amountApprovals] = cells.length;
  for (const rule of once((list) => list.amountApprovals)) add(rule, rule.spec.amount, rule.spec.currency);
  cells[START.trustApprovals] = cells.length;
  for (const rule of once((list) => list.trustApprovals)) add(rule, rule.spec.score);
  cells[START.loops] = cells.length;
  for (const rule of once((list) => list.loops)) add(rule, rule.spec.maxRepeats, rule.spec.windowSeconds);
  cells[START.velocity] = cells.length;
  lists.forEach((list, position) => {
    for (const rule of list.velocity) add(rule, rule.spec.maxCalls, rule.spec.windowSeconds, rule.spec.per, agents[position]!.id, null, "", null);
  });
  cells[START.merchantApprovals] = cells.length;
  lists.forEach((list, position) => {
    for (const rule of list.merchantApprovals) add(rule, agents[position]!.id);
  });
  cells[START.budgets] = cells.length;
  for (const { budgetEnvelope: envelope } of delegations) {
    if (envelope !== null) cells.push(envelope, envelope.key, envelope.limit, envelope.currency);
  }
  cells[START.end] = cells.length;
  // A copy sized to fit, so the table is one allocation with no slack after it.
  return cells.slice();
}
