import type { Matcher } from "../match";
import { formatMoney } from "../money";
import { anomalyThreshold, type SpendBaseline } from "../baseline";
import { ACTIONS, agentAt, ANOMALY, BUDGET, BUDGETS, BUDGETS_END, DENY, GRANT, LIMIT, LOOP, MERCHANT, MONEY, RULE, slotKey, START, startOf, TARGET, TIME_WINDOW, TRUST, VELOCITY, type Cells, type ChainState, type RuleTable } from "../snapshot/rule-table";
import type { LoadedAgent, LoadedDelegation, LoadedSnapshot } from "../snapshot/load";
import { CHAIN, chainAt } from "../snapshot/chain-record";
import { counterAt, envelopeAt } from "../snapshot/slots";
import type { LocalClock } from "../period";
import type { AnomalySpec, Rule, Target, TimeWindowSpec } from "../snapshot/rules";
import { TRACE_STEPS, type Counter, type DecisionRequest, type Envelope, type Reason, type ReasonCode, type TraceStep, type Usage } from "./decision";

/** One evaluation pass: a call, its chain, and the chain's rules (enforced, or with shadow rules). */
export interface Pass {
  readonly snapshot: LoadedSnapshot;
  /** The snapshot's cells, where the chain's record, `table` and `state` are. */
  readonly cells: Cells;
  readonly request: DecisionRequest;
  readonly usage: Usage;
  readonly nowMs: number;
  /** Where the chain's record is (see CHAIN). */
  readonly chain: number;
  readonly table: RuleTable;
  /** The chain's envelopes, counters and budgets for `table`. */
  readonly state: ChainState;
  /** The shadow pass: every rule decides, but only shadow rules add holds and counters. */
  readonly shadowPass: boolean;
  /** Set by the first loop rule that applies; its window grows to the longest of those that apply. */
  fingerprint: { readonly key: string; windowSeconds: number } | null;
}

/** What the steps of a pass conclude. */
export interface Verdict {
  readonly denials: Reason[];
  readonly approvals: Reason[];
  readonly holds: Envelope[];
  readonly counters: Counter[];
  retryAfterMs: number;
}

type Step = (pass: Pass, verdict: Verdict) => number;

export function reason(code: ReasonCode, message: string, delegationId: string | null = null): Reason {
  return { code, message, policyId: null, policyVersion: null, rule: null, delegationId };
}

function ruleReason(code: ReasonCode, rule: Rule<unknown>, message: string): Reason {
  const { origin } = rule;
  return { code, message, policyId: origin.policyId, policyVersion: origin.policyVersion, rule: origin.ruleId, delegationId: null };
}

function describe(rule: Rule<unknown>): string {
  return `rule "${rule.origin.ruleId}" of policy "${rule.origin.policyName}" v${rule.origin.policyVersion}`;
}

/** Whether a target takes in the call's merchant and category (its actions are checked apart). */
export function targets(target: Target, request: DecisionRequest): boolean {
  if (target.merchants !== null && (request.merchant === undefined || !target.merchants.test(request.merchant))) return false;
  if (target.categories !== null && (request.category === undefined || !target.categories.test(request.category))) return false;
  return true;
}

/** Whether the table entry at `at` concerns the action of the call. */
function concernsAction(cells: Cells, at: number, request: DecisionRequest): boolean {
  const actions = cells[at + ACTIONS] as Matcher | null;
  return actions === null || actions.test(request.action);
}

/** Whether the call fits the merchants and categories (rarely set) of the table entry at `at`. */
function fitsTarget(cells: Cells, at: number, request: DecisionRequest): boolean {
  const target = cells[at + TARGET] as Target | null;
  return target === null || targets(target, request);
}

/** Whether the table entry at `at` applies to the call: its actions, then its merchants and categories. */
function applies(cells: Cells, at: number, request: DecisionRequest): boolean {
  return concernsAction(cells, at, request) && fitsTarget(cells, at, request);
}

/** Whether the money entry at `at` targets the call and is in the call's currency, so amounts compare. */
function priced(cells: Cells, at: number, request: DecisionRequest): boolean {
  return request.amount !== undefined && request.amount.currency === cells[at + MONEY.currency] && applies(cells, at, request);
}

/** The rule of the table entry at `at`: read only to explain a refusal, so it may be cold. */
function ruleAt<Spec>(cells: Cells, at: number): Rule<Spec> {
  return cells[at + RULE] as Rule<Spec>;
}

function isOpen(window: TimeWindowSpec, clock: LocalClock): boolean {
  const today = ((window.days >> clock.weekday) & 1) === 1;
  if (window.from < window.to) return today && clock.minute >= window.from && clock.minute < window.to;
  // A window such as 22:00–06:00 opens on a listed day and closes the next morning.
  const yesterday = ((window.days >> ((clock.weekday + 6) % 7)) & 1) === 1;
  return (today && clock.minute >= window.from) || (yesterday && clock.minute < window.to);
}

const checkTimeWindows: Step = ({ cells, table, request, snapshot, nowMs }, verdict) => {
  let checked = 0;
  for (let at = startOf(cells, table, START.timeWindows); at < startOf(cells, table, START.denies); at += TIME_WINDOW.stride) {
    if (!applies(cells, at, request)) continue;
    checked++;
    const spec = cells[at + TIME_WINDOW.spec] as TimeWindowSpec;
    if (!isOpen(spec, snapshot.calendar.clock(nowMs))) {
      const rule = ruleAt(cells, at);
      const where = `${spec.schedule} ${snapshot.organization.timeZone}`;
      verdict.denials.push(ruleReason("outside_time_window", rule, `${describe(rule)} allows ${request.action} only ${where}`));
    }
  }
  return checked;
};

// Counts the denies that concern the action, so the trace shows what was looked at.
const checkDenies: Step = ({ cells, table, request }, verdict) => {
  let checked = 0;
  for (let at = startOf(cells, table, START.denies); at < startOf(cells, table, START.grants); at += DENY.stride) {
    if (!concernsAction(cells, at, request)) continue;
    checked++;
    if (fitsTarget(cells, at, request)) {
      const rule = ruleAt(cells, at);
      verdict.denials.push(ruleReason("explicit_deny", rule, `${request.action} is denied by ${describe(rule)}`));
    }
  }
  return checked;
};

// Authority comes from the first agent on the chain only: delegations narrow it, they never add.
const checkGrants: Step = ({ cells, table, state, request }, verdict) => {
  for (let at = startOf(cells, table, START.grants); at < startOf(cells, table, START.caps); at += GRANT.stride) {
    if (applies(cells, at, request)) return (at - startOf(cells, table, START.grants)) / GRANT.stride + 1;
  }
  // No grant: say so, with the merchant and category that the grants did not cover.
  const { action, merchant, category } = request;
  const where = `${merchant === undefined ? "" : ` at merchant "${merchant}"`}${category === undefined ? "" : ` in category "${category}"`}`;
  verdict.denials.push(reason("no_matching_grant", `no grant for agent ${agentAt(cells, state, 0)} allows ${action}${where}`));
  return (startOf(cells, table, START.caps) - startOf(cells, table, START.grants)) / GRANT.stride;
};

/**
 * One money entry of the currency step: a mismatch is a denial; a missing amount is reported once,
 * as the first such rule's description, so the step can say what needs one.
 */
function checkEntryCurrency(cells: Cells, at: number, currency: string, request: DecisionRequest, verdict: Verdict, unpriced: string | null): string | null {
  if (request.amount === undefined) return unpriced ?? describe(ruleAt(cells, at));
  if (currency !== request.amount.currency) {
    const rule = ruleAt(cells, at);
    verdict.denials.push(ruleReason("currency_mismatch", rule, `${describe(rule)} counts ${currency}; the request is in ${request.amount.currency}`));
  }
  return unpriced;
}

// Amounts only compare within a currency, so this runs before any cap, envelope or threshold
// compares numbers; those then skip the rules reported here.
const checkCurrency: Step = ({ cells, table, state, request, chain }, verdict) => {
  let checked = 0;
  let unpriced: string | null = null;
  for (let at = startOf(cells, table, START.caps); at < startOf(cells, table, START.limits); at += MONEY.stride) {
    if (!applies(cells, at, request)) continue;
    checked++;
    unpriced = checkEntryCurrency(cells, at, cells[at + MONEY.currency] as string, request, verdict, unpriced);
  }
  for (let at = startOf(cells, table, START.limits); at < startOf(cells, table, START.amountApprovals); at += LIMIT.stride) {
    if (!applies(cells, at, request)) continue;
    checked++;
    unpriced = checkEntryCurrency(cells, at, cells[at + LIMIT.currency] as string, request, verdict, unpriced);
  }
  for (let at = startOf(cells, table, START.amountApprovals); at < startOf(cells, table, START.trustApprovals); at += MONEY.stride) {
    if (!applies(cells, at, request)) continue;
    checked++;
    unpriced = checkEntryCurrency(cells, at, cells[at + MONEY.currency] as string, request, verdict, unpriced);
  }
  for (let at = cells[state + BUDGETS] as number; at < (cells[state + BUDGETS_END] as number); at += BUDGET.stride) {
    checked++;
    const currency = cells[at + BUDGET.currency] as string;
    if (request.amount !== undefined && currency === request.amount.currency) continue;
    const delegation = budgetHolder(cells, chain, cells[at + BUDGET.envelope] as Envelope);
    if (request.amount === undefined) unpriced ??= `the budget of delegation ${delegation.id}`;
    else {
      const message = `delegation ${delegation.id} has a ${currency} budget; the request is in ${request.amount.currency}`;
      verdict.denials.push(reason("currency_mismatch", message, delegation.id));
    }
  }
  if (unpriced !== null) verdict.denials.push(reason("amount_required", `${request.action} needs an amount: ${unpriced} limits its spend`));
  return checked;
};

/** The delegation whose budget `envelope` is: looked up only to explain a refusal. */
function budgetHolder(cells: Cells, chain: number, envelope: Envelope): LoadedDelegation {
  return chainAt(cells, chain).delegations.find((delegation) => delegation.budgetEnvelope === envelope)!;
}

const checkCaps: Step = ({ cells, table, request }, verdict) => {
  let checked = 0;
  for (let at = startOf(cells, table, START.caps); at < startOf(cells, table, START.limits); at += MONEY.stride) {
    if (!priced(cells, at, request)) continue;
    checked++;
    const amount = request.amount!.amount;
    const cap = cells[at + MONEY.amount] as number;
    if (amount > cap) {
      const rule = ruleAt(cells, at);
      const currency = cells[at + MONEY.currency] as string;
      const message = `${formatMoney(amount, currency)} is over the per-call cap of ${formatMoney(cap, currency)} of ${describe(rule)}`;
      verdict.denials.push(ruleReason("over_per_call_cap", rule, message));
    }
  }
  return checked;
};

// Every envelope of the authority (the caller, or the root delegator it acts for) and every
// delegation budget on the chain must have room: the tightest one decides.
// INVARIANT: an envelope is only listed to hold where spent + amount <= limit was seen; the
// worker re-checks that atomically when it holds.
const checkEnvelopes: Step = (pass, verdict) => {
  const { cells, table, state, request, usage, chain } = pass;
  if (request.amount === undefined) return 0;
  const { amount, currency } = request.amount;
  let checked = 0;
  for (let at = startOf(cells, table, START.limits); at < startOf(cells, table, START.amountApprovals); at += LIMIT.stride) {
    if (cells[at + LIMIT.currency] !== currency || !applies(cells, at, request)) continue;
    checked++;
    const envelope = envelopeAt(cells, state, at, pass.snapshot.calendar, pass.nowMs, request.sessionId);
    const limit = cells[at + LIMIT.limit] as number;
    const spent = usage.spent(slotKey(cells, state, at, LIMIT.slot));
    if (spent + amount > limit) {
      const rule = ruleAt(cells, at);
      const left = formatMoney(Math.max(0, limit - spent), currency);
      const message = `${envelope.period} envelope of ${describe(rule)} for agent ${agentAt(cells, state, 0)} has ${left} of ${formatMoney(limit, currency)} left; ${formatMoney(amount, currency)} requested`;
      verdict.denials.push(ruleReason("envelope_exhausted", rule, message));
    }
    if (!pass.shadowPass || ruleAt(cells, at).origin.shadow) verdict.holds.push(envelope);
  }
  for (let at = cells[state + BUDGETS] as number; at < (cells[state + BUDGETS_END] as number); at += BUDGET.stride) {
    if (cells[at + BUDGET.currency] !== currency) continue;
    checked++;
    const envelope = cells[at + BUDGET.envelope] as Envelope;
    const limit = cells[at + BUDGET.limit] as number;
    const spent = usage.spent(cells[at + BUDGET.key] as string);
    if (spent + amount > limit) {
      const { id } = budgetHolder(cells, chain, envelope);
      const left = formatMoney(Math.max(0, limit - spent), currency);
      const message = `delegation ${id} has ${left} of its ${formatMoney(limit, currency)} budget left; ${formatMoney(amount, currency)} requested`;
      verdict.denials.push(reason("delegation_budget_exhausted", message, id));
    }
    if (!pass.shadowPass) verdict.holds.push(envelope);
  }
  return checked;
};

const checkVelocity: Step = (pass, verdict) => {
  const { cells, table } = pass;
  let checked = 0;
  for (let at = startOf(cells, table, START.velocity); at < startOf(cells, table, START.merchantApprovals); at += VELOCITY.stride) {
    if (!applies(cells, at, pass.request)) continue;
    checked++;
    const counter = counterAt(cells, pass.state, at, pass.request.sessionId);
    const maxCalls = cells[at + VELOCITY.maxCalls] as number;
    const windowSeconds = cells[at + VELOCITY.windowSeconds] as number;
    const calls = pass.usage.calls(slotKey(cells, pass.state, at, VELOCITY.slot), windowSeconds);
    if (calls >= maxCalls) {
      const rule = ruleAt(cells, at);
      verdict.denials.push(ruleReason("velocity_exceeded", rule, `${describe(rule)} allows ${maxCalls} calls per ${windowSeconds} s per ${cells[at + VELOCITY.per] as string}; ${calls} already made`));
      verdict.retryAfterMs = Math.max(verdict.retryAfterMs, windowSeconds * 1000);
    }
    if (!pass.shadowPass || ruleAt(cells, at).origin.shadow) verdict.counters.push(counter);
  }
  return checked;
};

/**
 * Identifies "the same call" for loop limits: caller, delegation, action, merchant, category and
 * amount. Metadata is left out on purpose: retries of one call differ in request ids and timestamps.
 * The separator U+001F cannot occur in a valid request's fields (decisionRequestSchema).
 */
function fingerprintOf(request: DecisionRequest): string {
  const { amount } = request;
  const price = amount === undefined ? "" : `${amount.amount} ${amount.currency}`;
  return `${request.agentId}\u001f${request.onBehalfOf ?? ""}\u001f${request.action}\u001f${request.merchant ?? ""}\u001f${request.category ?? ""}\u001f${price}`;
}

const checkLoops: Step = (pass, verdict) => {
  const { cells, table } = pass;
  let checked = 0;
  for (let at = startOf(cells, table, START.loops); at < startOf(cells, table, START.velocity); at += LOOP.stride) {
    if (!applies(cells, at, pass.request)) continue;
    checked++;
    const maxRepeats = cells[at + LOOP.maxRepeats] as number;
    const windowSeconds = cells[at + LOOP.windowSeconds] as number;
    if (pass.fingerprint === null) pass.fingerprint = { key: fingerprintOf(pass.request), windowSeconds };
    else if (windowSeconds > pass.fingerprint.windowSeconds) pass.fingerprint.windowSeconds = windowSeconds;
    const repeats = pass.usage.repeats(pass.fingerprint.key, windowSeconds);
    if (repeats >= maxRepeats) {
      const rule = ruleAt(cells, at);
      verdict.denials.push(ruleReason("loop_detected", rule, `the same call was already made ${repeats} times in ${windowSeconds} s; ${describe(rule)} allows ${maxRepeats}`));
      verdict.retryAfterMs = Math.max(verdict.retryAfterMs, windowSeconds * 1000);
    }
  }
  return checked;
};

const checkApprovals: Step = ({ cells, table, state, request, chain, usage }, verdict) => {
  let checked = 0;
  for (let at = startOf(cells, table, START.amountApprovals); at < startOf(cells, table, START.trustApprovals); at += MONEY.stride) {
    if (!priced(cells, at, request)) continue;
    checked++;
    const amount = request.amount!.amount;
    const threshold = cells[at + MONEY.amount] as number;
    if (amount > threshold) {
      const rule = ruleAt(cells, at);
      const currency = cells[at + MONEY.currency] as string;
      const message = `${formatMoney(amount, currency)} is over the approval threshold of ${formatMoney(threshold, currency)} of ${describe(rule)}`;
      verdict.approvals.push(ruleReason("approval_required_amount", rule, message));
    }
  }
  for (let at = startOf(cells, table, START.trustApprovals); at < startOf(cells, table, START.loops); at += TRUST.stride) {
    if (!applies(cells, at, request)) continue;
    checked++;
    // The least trusted agent on the chain speaks for the call; no score yet counts as lowest.
    const trust = cells[chain + CHAIN.minTrust] as number | null;
    const score = cells[at + TRUST.score] as number;
    if (trust === null || trust < score) {
      const rule = ruleAt(cells, at);
      const standing = trust === null ? "an agent on the call has no trust score yet" : `trust score ${trust} is below ${score}`;
      verdict.approvals.push(ruleReason("approval_required_trust", rule, `${standing}; ${describe(rule)} asks for approval`));
    }
  }
  const { merchant } = request;
  if (merchant === undefined) return checked;
  for (let at = startOf(cells, table, START.merchantApprovals); at < startOf(cells, table, START.anomalies); at += MERCHANT.stride) {
    if (!applies(cells, at, request)) continue;
    checked++;
    // Whose history counts: the agent whose policy asks, i.e. whose money it is.
    const agentId = agentAt(cells, state, cells[at + MERCHANT.position] as number);
    if (!usage.hasUsedMerchant(agentId, merchant)) {
      const rule = ruleAt(cells, at);
      const message = `agent ${agentId} has not used merchant "${merchant}" before; ${describe(rule)} asks for approval`;
      verdict.approvals.push(ruleReason("approval_required_first_merchant", rule, message));
    }
  }
  return checked;
};

/**
 * The lowest anomaly threshold among the agents on a call that have enough history in the
 * currency, and whose it is; null when none has.
 */
function tightestBaseline(agents: readonly LoadedAgent[], currency: string, minSamples: number, deviations: number) {
  let tightest: { readonly agent: LoadedAgent; readonly baseline: SpendBaseline; readonly threshold: number } | null = null;
  for (const agent of agents) {
    const baseline = agent.spendBaselines.get(currency);
    if (baseline === undefined || baseline.samples < minSamples) continue;
    const threshold = anomalyThreshold(baseline, deviations);
    if (tightest === null || threshold < tightest.threshold) tightest = { agent, baseline, threshold };
  }
  return tightest;
}

// A spend far above what an agent on the call usually spends in that currency: the caller, and on
// a delegated call every delegator it acts for, whose money it is. The tightest baseline decides,
// as the least trusted agent does for trust, so a delegate is never waved through where its
// delegator would be stopped. An agent without enough history is not judged by its own baseline.
const checkAnomalies: Step = ({ cells, table, request, chain }, verdict) => {
  let checked = 0;
  for (let at = startOf(cells, table, START.anomalies); at < startOf(cells, table, START.end); at += ANOMALY.stride) {
    if (request.amount === undefined || !applies(cells, at, request)) continue;
    checked++;
    const { amount, currency } = request.amount;
    const tightest = tightestBaseline(chainAt(cells, chain).agents, currency, cells[at + ANOMALY.minSamples] as number, cells[at + ANOMALY.deviations] as number);
    if (tightest === null || amount <= tightest.threshold) continue;
    const { agent, baseline, threshold } = tightest;
    const rule = ruleAt<AnomalySpec>(cells, at);
    const usual = `agent ${agent.id} usually spends ${formatMoney(baseline.median, currency)} (median of ${baseline.samples})`;
    const message = `${formatMoney(amount, currency)} is far above the usual: ${usual}, and ${describe(rule)} flags spends over ${formatMoney(threshold, currency)}`;
    if (cells[at + ANOMALY.respond] === "deny") verdict.denials.push(ruleReason("spend_anomaly", rule, message));
    else verdict.approvals.push(ruleReason("approval_required_anomaly", rule, message));
  }
  return checked;
};

/** The policy steps in evaluation order, after the agent and its delegation chain are resolved. */
export const POLICY_STEPS: readonly { readonly step: TraceStep; readonly index: number; readonly run: Step }[] = (
  [
  { step: "time_window", run: checkTimeWindows },
  { step: "deny", run: checkDenies },
  { step: "grant", run: checkGrants },
  { step: "currency", run: checkCurrency },
  { step: "cap", run: checkCaps },
  { step: "envelope", run: checkEnvelopes },
  { step: "velocity", run: checkVelocity },
  { step: "loop", run: checkLoops },
  { step: "anomaly", run: checkAnomalies },
  { step: "approval", run: checkApprovals },
  ] as const
).map(({ step, run }) => ({ step, index: TRACE_STEPS.indexOf(step), run }));
