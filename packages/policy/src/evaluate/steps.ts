import type { Matcher } from "../match";
import { formatMoney } from "../money";
import type { LocalClock } from "../period";
import type { ChainRules, CounterSlot, EnvelopeSlot } from "../snapshot/chain-rules";
import type { Chain, LoadedSnapshot } from "../snapshot/load";
import type { MoneySpec, Rule, Target, TimeWindowSpec } from "../snapshot/rules";
import { TRACE_STEPS, type Counter, type DecisionRequest, type Envelope, type Reason, type ReasonCode, type TraceStep, type Usage } from "./decision";

/** One evaluation pass: a call, its chain, and the chain's rules (enforced, or with shadow rules). */
export interface Pass {
  readonly snapshot: LoadedSnapshot;
  readonly request: DecisionRequest;
  readonly usage: Usage;
  readonly nowMs: number;
  readonly chain: Chain;
  readonly rules: ChainRules;
  /** The shadow pass: every rule decides, but only shadow rules add holds and counters. */
  readonly shadowPass: boolean;
  fingerprint: string | null;
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

/** What a rule or a slot says about the calls it concerns. */
interface Applicable {
  readonly actions: Matcher | null;
  readonly narrowed: boolean;
  readonly target: Target;
}

/** Whether a rule or slot applies to the call: its actions, then (rarely set) merchants and categories. */
function applies(rule: Applicable, request: DecisionRequest): boolean {
  if (rule.actions !== null && !rule.actions.test(request.action)) return false;
  return !rule.narrowed || targets(rule.target, request);
}

function isOpen(window: TimeWindowSpec, clock: LocalClock): boolean {
  const today = ((window.days >> clock.weekday) & 1) === 1;
  if (window.from < window.to) return today && clock.minute >= window.from && clock.minute < window.to;
  // A window such as 22:00–06:00 opens on a listed day and closes the next morning.
  const yesterday = ((window.days >> ((clock.weekday + 6) % 7)) & 1) === 1;
  return (today && clock.minute >= window.from) || (yesterday && clock.minute < window.to);
}

const checkTimeWindows: Step = ({ rules, request, snapshot, nowMs }, verdict) => {
  let checked = 0;
  for (const rule of rules.timeWindows) {
    if (!applies(rule, request)) continue;
    checked++;
    if (!isOpen(rule.spec, snapshot.calendar.clock(nowMs))) {
      const where = `${rule.spec.schedule} ${snapshot.organization.timeZone}`;
      verdict.denials.push(ruleReason("outside_time_window", rule, `${describe(rule)} allows ${request.action} only ${where}`));
    }
  }
  return checked;
};

// Counts the denies that concern the action, so the trace shows what was looked at.
const checkDenies: Step = ({ rules, request }, verdict) => {
  let checked = 0;
  for (const rule of rules.denies) {
    if (rule.actions !== null && !rule.actions.test(request.action)) continue;
    checked++;
    if (!rule.narrowed || targets(rule.target, request)) verdict.denials.push(ruleReason("explicit_deny", rule, `${request.action} is denied by ${describe(rule)}`));
  }
  return checked;
};

// Authority comes from the first agent on the chain only: delegations narrow it, they never add.
const checkGrants: Step = ({ rules, request, chain }, verdict) => {
  const { grants } = rules;
  for (let i = 0; i < grants.length; i++) {
    if (applies(grants[i]!, request)) return i + 1;
  }
  // No grant: say so, with the merchant and category that the grants did not cover.
  const { action, merchant, category } = request;
  const where = `${merchant === undefined ? "" : ` at merchant "${merchant}"`}${category === undefined ? "" : ` in category "${category}"`}`;
  verdict.denials.push(reason("no_matching_grant", `no grant for agent ${chain.agents[0]!.id} allows ${action}${where}`));
  return grants.length;
};

/** Whether a money rule targets the call and is in the call's currency, so amounts compare. */
function priced(rule: Rule<MoneySpec>, request: DecisionRequest): boolean {
  return request.amount !== undefined && request.amount.currency === rule.spec.currency && applies(rule, request);
}

/**
 * One money rule of the currency step: a mismatch is a denial; a missing amount is returned as
 * the rule's description so the step can say what needs one.
 */
function checkRuleCurrency(rule: Rule<MoneySpec>, request: DecisionRequest, verdict: Verdict): string | null {
  if (request.amount === undefined) return describe(rule);
  if (rule.spec.currency !== request.amount.currency) {
    verdict.denials.push(ruleReason("currency_mismatch", rule, `${describe(rule)} counts ${rule.spec.currency}; the request is in ${request.amount.currency}`));
  }
  return null;
}

// Amounts only compare within a currency, so this runs before any cap, envelope or threshold
// compares numbers; those then skip the rules reported here.
const checkCurrency: Step = ({ rules, request, chain }, verdict) => {
  let checked = 0;
  let unpriced: string | null = null;
  for (const rule of rules.caps) {
    if (!applies(rule, request)) continue;
    checked++;
    unpriced ??= checkRuleCurrency(rule, request, verdict);
  }
  for (const slot of rules.limits) {
    if (!applies(slot, request)) continue;
    checked++;
    if (request.amount === undefined) unpriced ??= describe(slot.rule);
    else if (slot.currency !== request.amount.currency) checkRuleCurrency(slot.rule, request, verdict);
  }
  for (const rule of rules.amountApprovals) {
    if (!applies(rule, request)) continue;
    checked++;
    unpriced ??= checkRuleCurrency(rule, request, verdict);
  }
  for (const delegation of chain.delegations) {
    const budget = delegation.budgetEnvelope;
    if (budget === null) continue;
    checked++;
    if (request.amount === undefined) unpriced ??= `the budget of delegation ${delegation.id}`;
    else if (budget.currency !== request.amount.currency) {
      const message = `delegation ${delegation.id} has a ${budget.currency} budget; the request is in ${request.amount.currency}`;
      verdict.denials.push(reason("currency_mismatch", message, delegation.id));
    }
  }
  if (unpriced !== null) verdict.denials.push(reason("amount_required", `${request.action} needs an amount: ${unpriced} limits its spend`));
  return checked;
};

const checkCaps: Step = ({ rules, request }, verdict) => {
  let checked = 0;
  for (const rule of rules.caps) {
    if (!priced(rule, request)) continue;
    checked++;
    const amount = request.amount!.amount;
    if (amount > rule.spec.amount) {
      const { currency } = rule.spec;
      const message = `${formatMoney(amount, currency)} is over the per-call cap of ${formatMoney(rule.spec.amount, currency)} of ${describe(rule)}`;
      verdict.denials.push(ruleReason("over_per_call_cap", rule, message));
    }
  }
  return checked;
};

/** Makes sure the slot holds its envelope for the window of `now`, or for the call's session. */
function refreshEnvelope(pass: Pass, slot: EnvelopeSlot): void {
  const { period, currency } = slot;
  const window = period === "day" || period === "week" || period === "month" ? pass.snapshot.calendar.window(period, pass.nowMs) : null;
  const stamp = window !== null ? window.startMs : period === "session" ? pass.request.sessionId : 0;
  if (slot.stamp === stamp) return;
  const label = window !== null ? `${period}:${window.label}` : period === "session" ? `session:${pass.request.sessionId}` : "all_time";
  const { agent, rule } = slot;
  const key = `env/agent:${agent.id}/${rule.origin.ref}/${currency}/${label}`;
  slot.envelope = {
    key,
    owner: `agent:${agent.id}`,
    limit: slot.limit,
    currency,
    period,
    windowStart: window === null ? null : window.start,
    windowEnd: window === null ? null : window.end,
    policyId: rule.origin.policyId,
    rule: rule.origin.ruleId,
  };
  slot.key = key;
  slot.stamp = stamp;
}

// Every envelope of the authority (the caller, or the root delegator it acts for) and every
// delegation budget on the chain must have room: the tightest one decides.
// INVARIANT: an envelope is only listed to hold where spent + amount <= limit was seen; the
// worker re-checks that atomically when it holds.
const checkEnvelopes: Step = (pass, verdict) => {
  const { rules, request, usage, chain } = pass;
  if (request.amount === undefined) return 0;
  const { amount, currency } = request.amount;
  let checked = 0;
  for (const slot of rules.limits) {
    if (slot.currency !== currency || !applies(slot, request)) continue;
    checked++;
    refreshEnvelope(pass, slot);
    const spent = usage.spent(slot.key);
    if (spent + amount > slot.limit) {
      const left = formatMoney(Math.max(0, slot.limit - spent), currency);
      const message = `${slot.period} envelope of ${describe(slot.rule)} for agent ${slot.agent.id} has ${left} of ${formatMoney(slot.limit, currency)} left; ${formatMoney(amount, currency)} requested`;
      verdict.denials.push(ruleReason("envelope_exhausted", slot.rule, message));
    }
    if (!pass.shadowPass || slot.shadow) verdict.holds.push(slot.envelope!);
  }
  for (const delegation of chain.delegations) {
    const envelope = delegation.budgetEnvelope;
    if (envelope === null || envelope.currency !== currency) continue;
    checked++;
    const spent = usage.spent(envelope.key);
    if (spent + amount > envelope.limit) {
      const left = formatMoney(Math.max(0, envelope.limit - spent), currency);
      const message = `delegation ${delegation.id} has ${left} of its ${formatMoney(envelope.limit, currency)} budget left; ${formatMoney(amount, currency)} requested`;
      verdict.denials.push(reason("delegation_budget_exhausted", message, delegation.id));
    }
    if (!pass.shadowPass) verdict.holds.push(envelope);
  }
  return checked;
};

/** The slot's counter: one per agent, or one per agent and session. */
function counterOf(pass: Pass, slot: CounterSlot): Counter {
  const stamp = slot.per === "session" ? pass.request.sessionId : "";
  if (slot.counter !== null && slot.stamp === stamp) return slot.counter;
  const base = `vel/agent:${slot.agent.id}/${slot.rule.origin.ref}`;
  slot.counter = { key: slot.per === "session" ? `${base}/session:${stamp}` : base, windowSeconds: slot.windowSeconds };
  slot.stamp = stamp;
  return slot.counter;
}

const checkVelocity: Step = (pass, verdict) => {
  let checked = 0;
  for (const slot of pass.rules.velocity) {
    if (!applies(slot, pass.request)) continue;
    checked++;
    const counter = counterOf(pass, slot);
    const { maxCalls, windowSeconds, per } = slot;
    const calls = pass.usage.calls(counter.key, windowSeconds);
    if (calls >= maxCalls) {
      verdict.denials.push(ruleReason("velocity_exceeded", slot.rule, `${describe(slot.rule)} allows ${maxCalls} calls per ${windowSeconds} s per ${per}; ${calls} already made`));
      verdict.retryAfterMs = Math.max(verdict.retryAfterMs, windowSeconds * 1000);
    }
    if (!pass.shadowPass || slot.shadow) verdict.counters.push(counter);
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
  let checked = 0;
  for (const rule of pass.rules.loops) {
    if (!applies(rule, pass.request)) continue;
    checked++;
    pass.fingerprint ??= fingerprintOf(pass.request);
    const { maxRepeats, windowSeconds } = rule.spec;
    const repeats = pass.usage.repeats(pass.fingerprint, windowSeconds);
    if (repeats >= maxRepeats) {
      verdict.denials.push(ruleReason("loop_detected", rule, `the same call was already made ${repeats} times in ${windowSeconds} s; ${describe(rule)} allows ${maxRepeats}`));
      verdict.retryAfterMs = Math.max(verdict.retryAfterMs, windowSeconds * 1000);
    }
  }
  return checked;
};

const checkApprovals: Step = ({ rules, request, chain, usage }, verdict) => {
  let checked = 0;
  for (const rule of rules.amountApprovals) {
    if (!priced(rule, request)) continue;
    checked++;
    const amount = request.amount!.amount;
    if (amount > rule.spec.amount) {
      const { currency } = rule.spec;
      const message = `${formatMoney(amount, currency)} is over the approval threshold of ${formatMoney(rule.spec.amount, currency)} of ${describe(rule)}`;
      verdict.approvals.push(ruleReason("approval_required_amount", rule, message));
    }
  }
  for (const rule of rules.trustApprovals) {
    if (!applies(rule, request)) continue;
    checked++;
    // The least trusted agent on the chain speaks for the call; no score yet counts as lowest.
    const trust = chain.minTrust;
    if (trust === null || trust < rule.spec.score) {
      const standing = trust === null ? "an agent on the call has no trust score yet" : `trust score ${trust} is below ${rule.spec.score}`;
      verdict.approvals.push(ruleReason("approval_required_trust", rule, `${standing}; ${describe(rule)} asks for approval`));
    }
  }
  const { merchant } = request;
  if (merchant === undefined) return checked;
  for (const slot of rules.merchantApprovals) {
    if (!applies(slot, request)) continue;
    const { agent, rule } = slot;
    checked++;
    // Whose history counts: the agent whose policy asks, i.e. whose money it is.
    if (!usage.hasUsedMerchant(agent.id, merchant)) {
      const message = `agent ${agent.id} has not used merchant "${merchant}" before; ${describe(rule)} asks for approval`;
      verdict.approvals.push(ruleReason("approval_required_first_merchant", rule, message));
    }
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
  { step: "approval", run: checkApprovals },
  ] as const
).map(({ step, run }) => ({ step, index: TRACE_STEPS.indexOf(step), run }));
