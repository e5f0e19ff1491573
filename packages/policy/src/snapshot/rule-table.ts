import type { LoadedDelegation } from "./load";
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
 * A limit of the authority; `slot` is where the chain's state caches its current envelope. The
 * rule's policy and id are inline so that a new session's envelope is built without the rule.
 */
export const LIMIT = { stride: 9, limit: 3, currency: 4, period: 5, slot: 6, policyId: 7, ruleId: 8 } as const;
export const TRUST = { stride: 4, score: 3 } as const;
export const LOOP = { stride: 5, maxRepeats: 3, windowSeconds: 4 } as const;
/**
 * A velocity limit of the agent at `position` on the chain (0: the authority); `slot` is where
 * the chain's state caches its current counter.
 */
export const VELOCITY = { stride: 8, maxCalls: 3, windowSeconds: 4, per: 5, position: 6, slot: 7 } as const;
/** A first-merchant approval, and the position on the chain of the agent whose history counts. */
export const MERCHANT = { stride: 4, position: 3 } as const;
/** A spend-anomaly rule: how far above the caller's baseline, from how many spends, and the response. */
export const ANOMALY = { stride: 6, deviations: 3, minSamples: 4, respond: 5 } as const;

/**
 * Everything a call is checked against, each rule once, built at load time for one combination
 * of profiles (the profile of each agent on a chain, authority first) and shared by every agent
 * or chain with that combination: most agents of an organization share a few profiles, so the
 * table a cold agent's call reads is usually warm in the CPU caches already. The entries of
 * every kind sit in one flat array, kind after kind, with what the checks compare inline, since
 * lists, rule objects and specs would each cost a dependent trip to memory when cold (that
 * latency, not the work, makes the evaluator's tail). The head of the array says where each
 * kind's entries start (see START). A table holds nothing of any one agent: what is (the keys
 * of envelopes and counters, delegation budgets) lives in the chain's ChainState.
 */
export type RuleTable = readonly unknown[];

/**
 * Positions in a table of where each kind's entries start; a kind ends where the next starts.
 * Kinds whose rules act alike for every agent hold each rule once; limits are the authority's
 * (acting for another agent spends that agent's money: its envelopes and the delegation budgets
 * count, the caller's and intermediaries' own do not); velocity and merchant approvals are once
 * per agent on the chain that holds them.
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
  anomalies: 10,
  end: 11,
  /** Where the budgets start in the state of a chain checked against this table (see ChainState). */
  slots: 12,
} as const;
const HEAD = START.slots + 1;

/** Where the entries at head position `kind` (a START value) start in a table. */
export function startOf(table: RuleTable, kind: number): number {
  return table[kind] as number;
}

/**
 * The table for agents whose rule lists are `lists` (aligned with the agents of a chain). Agents
 * on a chain often share policies; a shared rule must not give its reason twice, so it appears once.
 */
export function ruleTable(lists: readonly RuleLists[]): RuleTable {
  const cells: unknown[] = Array<number>(HEAD).fill(0);
  const add = (rule: Rule<unknown>, ...rest: unknown[]) => cells.push(rule.actions, rule.narrowed ? rule.target : null, rule, ...rest);
  const once = <R extends Rule<unknown>>(pick: (list: RuleLists) => readonly R[]): R[] => [...new Set(lists.flatMap(pick))];
  let slots = AGENTS + lists.length;

  cells[START.timeWindows] = cells.length;
  for (const rule of once((list) => list.timeWindows)) add(rule, rule.spec);
  cells[START.denies] = cells.length;
  for (const rule of once((list) => list.denies)) add(rule);
  cells[START.grants] = cells.length;
  for (const rule of lists[0]!.grants) add(rule);
  cells[START.caps] = cells.length;
  for (const rule of once((list) => list.caps)) add(rule, rule.spec.amount, rule.spec.currency);
  cells[START.limits] = cells.length;
  for (const rule of lists[0]!.limits) {
    add(rule, rule.spec.amount, rule.spec.currency, rule.spec.period, slots, rule.origin.policyId, rule.origin.ruleId);
    slots += SLOT.stride;
  }
  cells[START.amountApprovals] = cells.length;
  for (const rule of once((list) => list.amountApprovals)) add(rule, rule.spec.amount, rule.spec.currency);
  cells[START.trustApprovals] = cells.length;
  for (const rule of once((list) => list.trustApprovals)) add(rule, rule.spec.score);
  cells[START.loops] = cells.length;
  for (const rule of once((list) => list.loops)) add(rule, rule.spec.maxRepeats, rule.spec.windowSeconds);
  cells[START.velocity] = cells.length;
  lists.forEach((list, position) => {
    for (const rule of list.velocity) {
      add(rule, rule.spec.maxCalls, rule.spec.windowSeconds, rule.spec.per, position, slots);
      slots += SLOT.stride;
    }
  });
  cells[START.merchantApprovals] = cells.length;
  lists.forEach((list, position) => {
    for (const rule of list.merchantApprovals) add(rule, position);
  });
  cells[START.anomalies] = cells.length;
  for (const rule of once((list) => list.anomalies)) add(rule, rule.spec.deviations, rule.spec.minSamples, rule.spec.respond);
  cells[START.end] = cells.length;
  cells[START.slots] = slots;
  // A copy sized to fit, so the table is one allocation with no slack after it.
  return cells.slice();
}

/**
 * What one chain (an agent acting for itself, or a delegation) keeps beside its shared table:
 * where its budgets start, the ids of its agents (authority first: the keys of envelopes and
 * counters name them), a slot per limit and velocity entry of the table, then its delegation
 * budgets. Slots are mutable: they cache the envelope or counter of the current window or
 * session (see slots.ts), so a call builds a key string only when a window turns over or a
 * session starts. Everything a call needs of its own chain is in this one array, so a cold
 * chain costs few trips to memory.
 */
export type ChainState = unknown[];

/** Cell 0 of a state: where its budgets start; they end where the state ends. */
export const BUDGETS = 0;
/** Where a state's agent ids start (see agentAt). */
const AGENTS = 1;
/**
 * A slot: for which calendar window, session id, or "all_time"/"" its envelope or counter was
 * built, its key, and the envelope or counter. A session slot also holds its key up to the
 * session id (`prefix`), so that a new session costs one concatenation.
 */
export const SLOT = { stride: 4, stamp: 0, key: 1, value: 2, prefix: 3 } as const;
/** A delegation budget on the chain, root first: its all-time envelope, read without a detour. */
export const BUDGET = { stride: 4, envelope: 0, key: 1, limit: 2, currency: 3 } as const;

/** The id of the agent at `position` on the chain (0: the authority). */
export function agentAt(state: ChainState, position: number): string {
  return state[AGENTS + position] as string;
}

/**
 * The key in the slot that the table entry at `at` names in its cell `slotCell` (LIMIT.slot or
 * VELOCITY.slot): read from the state, which the call has fetched, not from the envelope or counter.
 */
export function slotKey(table: RuleTable, state: ChainState, at: number, slotCell: number): string {
  return state[(table[at + slotCell] as number) + SLOT.key] as string;
}

/** A fresh state for a chain (its agent ids, authority first) checked against `table`, with the budgets of its delegations. */
export function chainState(table: RuleTable, agentIds: readonly string[], delegations: readonly LoadedDelegation[]): ChainState {
  const budgetsStart = table[START.slots] as number;
  const cells: ChainState = [budgetsStart, ...agentIds];
  // Empty slots: no stamp equals null, so the first call fills them.
  while (cells.length < budgetsStart) cells.push(null, "", null, null);
  for (const { budgetEnvelope: envelope } of delegations) {
    if (envelope !== null) cells.push(envelope, envelope.key, envelope.limit, envelope.currency);
  }
  return cells;
}
