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
/** A spend-anomaly rule: how far above an agent's baseline, from how many spends, and the response. */
export const ANOMALY = { stride: 6, deviations: 3, minSamples: 4, respond: 5 } as const;

/**
 * One array per loaded snapshot that holds every chain's record (chain-record.ts), state and
 * rule tables, each a run of cells at its own position: what a call reads is addressed by
 * offset from a Map lookup, so a cold call makes no trip to memory for an object or array
 * header on the way to it (each such dependent trip costs ~0.4 µs when cold, and that latency,
 * not the work, makes the evaluator's tail).
 */
export type Cells = unknown[];

/**
 * Everything a call is checked against, each rule once: the position in the cells of a table
 * built at load time for one combination of profiles (the profile of each agent on a chain,
 * authority first) and shared by every agent or chain with that combination: most agents of an
 * organization share a few profiles, so the table a cold agent's call reads is usually warm in
 * the CPU caches already. The entries of every kind follow each other, kind after kind, with
 * what the checks compare inline, since lists, rule objects and specs would each cost a
 * dependent trip to memory when cold. The head of the table says where each kind's entries
 * start (see START). A table holds nothing of any one agent: what is (the keys of envelopes and
 * counters, delegation budgets) lives in the chain's ChainState.
 */
export type RuleTable = number;

/**
 * Cells of a table's head: where each kind's entries start in the cells; a kind ends where the next starts.
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

/** Where the entries at head position `kind` (a START value) of `table` start in the cells. */
export function startOf(cells: Cells, table: RuleTable, kind: number): number {
  return cells[table + kind] as number;
}

/**
 * Appends the table for agents whose rule lists are `lists` (aligned with the agents of a chain)
 * to the cells. Agents on a chain often share policies; a shared rule must not give its reason
 * twice, so it appears once.
 */
export function appendRuleTable(cells: Cells, lists: readonly RuleLists[]): RuleTable {
  const table = cells.length;
  for (let cell = 0; cell < HEAD; cell++) cells.push(0);
  const add = (rule: Rule<unknown>, ...rest: unknown[]) => cells.push(rule.actions, rule.narrowed ? rule.target : null, rule, ...rest);
  const once = <R extends Rule<unknown>>(pick: (list: RuleLists) => readonly R[]): R[] => [...new Set(lists.flatMap(pick))];
  let slots = AGENTS + lists.length;

  cells[table + START.timeWindows] = cells.length;
  for (const rule of once((list) => list.timeWindows)) add(rule, rule.spec);
  cells[table + START.denies] = cells.length;
  for (const rule of once((list) => list.denies)) add(rule);
  cells[table + START.grants] = cells.length;
  for (const rule of lists[0]!.grants) add(rule);
  cells[table + START.caps] = cells.length;
  for (const rule of once((list) => list.caps)) add(rule, rule.spec.amount, rule.spec.currency);
  cells[table + START.limits] = cells.length;
  for (const rule of lists[0]!.limits) {
    add(rule, rule.spec.amount, rule.spec.currency, rule.spec.period, slots, rule.origin.policyId, rule.origin.ruleId);
    slots += SLOT.stride;
  }
  cells[table + START.amountApprovals] = cells.length;
  for (const rule of once((list) => list.amountApprovals)) add(rule, rule.spec.amount, rule.spec.currency);
  cells[table + START.trustApprovals] = cells.length;
  for (const rule of once((list) => list.trustApprovals)) add(rule, rule.spec.score);
  cells[table + START.loops] = cells.length;
  for (const rule of once((list) => list.loops)) add(rule, rule.spec.maxRepeats, rule.spec.windowSeconds);
  cells[table + START.velocity] = cells.length;
  lists.forEach((list, position) => {
    for (const rule of list.velocity) {
      add(rule, rule.spec.maxCalls, rule.spec.windowSeconds, rule.spec.per, position, slots);
      slots += SLOT.stride;
    }
  });
  cells[table + START.merchantApprovals] = cells.length;
  lists.forEach((list, position) => {
    for (const rule of list.merchantApprovals) add(rule, position);
  });
  cells[table + START.anomalies] = cells.length;
  for (const rule of once((list) => list.anomalies)) add(rule, rule.spec.deviations, rule.spec.minSamples, rule.spec.respond);
  cells[table + START.end] = cells.length;
  cells[table + START.slots] = slots;
  return table;
}

/**
 * The position in the cells of what one chain (an agent acting for itself, or a delegation)
 * keeps beside its shared table: where its budgets start and end, the ids of its agents (authority first: the keys of envelopes and
 * counters name them), a slot per limit and velocity entry of the table, then its delegation
 * budgets. Slots are mutable: they cache the envelope or counter of the current window or
 * session (see slots.ts), so a call builds a key string only when a window turns over or a
 * session starts. Everything a call needs of its own chain follows its record, so a cold chain
 * costs few trips to memory.
 */
export type ChainState = number;

/** Cells 0 and 1 of a state: where its budgets start and end in the cells. */
export const BUDGETS = 0;
export const BUDGETS_END = 1;
/** Where a state's agent ids start (see agentAt). */
const AGENTS = 2;
/**
 * A slot: for which calendar window, session id, or "all_time"/"" its envelope or counter was
 * built, its key, and the envelope or counter. A session slot also holds its key up to the
 * session id (`prefix`), so that a new session costs one concatenation.
 */
export const SLOT = { stride: 4, stamp: 0, key: 1, value: 2, prefix: 3 } as const;
/** A delegation budget on the chain, root first: its all-time envelope, read without a detour. */
export const BUDGET = { stride: 4, envelope: 0, key: 1, limit: 2, currency: 3 } as const;

/** The id of the agent at `position` on the chain (0: the authority). */
export function agentAt(cells: Cells, state: ChainState, position: number): string {
  return cells[state + AGENTS + position] as string;
}

/**
 * The key in the slot that the table entry at `at` names in its cell `slotCell` (LIMIT.slot or
 * VELOCITY.slot): read from the state, which the call has fetched, not from the envelope or counter.
 */
export function slotKey(cells: Cells, state: ChainState, at: number, slotCell: number): string {
  return cells[state + (cells[at + slotCell] as number) + SLOT.key] as string;
}

/**
 * Appends a fresh state for a chain (its agent ids, authority first) checked against `table`,
 * with the budgets of its delegations, to the cells.
 */
export function appendChainState(cells: Cells, table: RuleTable, agentIds: readonly string[], delegations: readonly LoadedDelegation[]): ChainState {
  const state = cells.length;
  const budgets = state + (cells[table + START.slots] as number);
  cells.push(budgets, budgets, ...agentIds);
  // Empty slots: no stamp equals null, so the first call fills them.
  while (cells.length < budgets) cells.push(null, "", null, null);
  for (const { budgetEnvelope: envelope } of delegations) {
    if (envelope !== null) cells.push(envelope, envelope.key, envelope.limit, envelope.currency);
  }
  cells[state + BUDGETS_END] = cells.length;
  return state;
}
