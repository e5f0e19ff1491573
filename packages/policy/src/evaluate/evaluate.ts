import type { Cells, ChainState, RuleTable } from "../snapshot/rule-table";
import { NONE, type Target } from "../snapshot/rules";
import type { LoadedAgent, LoadedSnapshot } from "../snapshot/load";
import { CHAIN, chainAt } from "../snapshot/chain-record";
import { prefetchChain } from "../snapshot/prefetch";
import { TRACE_STEPS, type Counter, type Decision, type DecisionRequest, type Envelope, type Outcome, type Reason, type TraceEntry, type Usage } from "./decision";
import { POLICY_STEPS, reason, targets, type Pass, type Verdict } from "./steps";

const TRACE_RESULTS = ["pass", "fail", "pending", "skip"] as const;
const [PASS, FAIL, PENDING, SKIP] = [0, 1, 2, 3] as const;
const INTERNED_CHECKS = 64;
const internedTrace: (TraceEntry | undefined)[] = Array.from({ length: TRACE_STEPS.length * TRACE_RESULTS.length * INTERNED_CHECKS }, () => undefined);

// Trace entries are immutable and few in kind, so they are shared rather than allocated per call:
// the trace costs a lookup per step instead of an object per step.
function traceEntry(step: number, result: number, checked: number): TraceEntry {
  if (checked >= INTERNED_CHECKS) return { step: TRACE_STEPS[step]!, result: TRACE_RESULTS[result]!, checked };
  const position = (step * TRACE_RESULTS.length + result) * INTERNED_CHECKS + checked;
  return (internedTrace[position] ??= Object.freeze({ step: TRACE_STEPS[step]!, result: TRACE_RESULTS[result]!, checked }));
}

const [AGENT, DELEGATION] = [TRACE_STEPS.indexOf("agent"), TRACE_STEPS.indexOf("delegation")];

/**
 * Decides one call from the snapshot alone; `usage` and `now` are the only outside facts.
 * Default deny: allowed only when a grant matches and nothing denies. Denials beat approvals,
 * approvals beat allows. Pure apart from the envelope and counter keys the snapshot caches.
 *
 * @example evaluate(snapshot, { agentId, action: "stripe.charges.create", amount: { amount: 1250, currency: "USD" }, sessionId }, usage, new Date())
 */
export function evaluate(snapshot: LoadedSnapshot, request: DecisionRequest, usage: Usage, now: Date): Decision {
  const trace: TraceEntry[] = [];
  const { onBehalfOf } = request;
  const { cells } = snapshot;
  // One lookup finds the chain's record, which carries all a decision reads of its agents and delegations.
  const chain = onBehalfOf === undefined ? snapshot.soloChains.get(request.agentId) : snapshot.delegatedChains.get(onBehalfOf);
  if (chain === undefined) return refuseUnresolved(snapshot, request, trace);
  // Before the caller's id is compared: that comparison reads a string the prefetch asks for too.
  prefetchChain(cells, chain);
  if (cells[chain + CHAIN.callerId] !== request.agentId) return refuseUnresolved(snapshot, request, trace);
  if (cells[chain + CHAIN.callerActive] !== true) return refuseCaller(snapshot, request, trace, chainAt(cells, chain).agents.at(-1)!);
  const invalid = invalidAmount(request);
  if (invalid !== null) return refuse(snapshot, request, trace, AGENT, [invalid]);
  trace.push(traceEntry(AGENT, PASS, 1));

  const nowMs = now.getTime();
  if (onBehalfOf === undefined) {
    trace.push(traceEntry(DELEGATION, SKIP, 0));
  } else {
    if (!carries(cells, chain, request, nowMs)) return refuse(snapshot, request, trace, DELEGATION, explainChain(cells, chain, request, nowMs));
    trace.push(traceEntry(DELEGATION, PASS, cells[chain + CHAIN.depth] as number));
  }

  const enforced = runPass(snapshot, request, usage, nowMs, chain, cells[chain + CHAIN.enforced] as RuleTable, cells[chain + CHAIN.enforcedState] as ChainState, false, trace);
  const withShadow = cells[chain + CHAIN.withShadow] as RuleTable | null;
  const shadow = withShadow === null ? null : runPass(snapshot, request, usage, nowMs, chain, withShadow, cells[chain + CHAIN.shadowState] as ChainState, true, null);
  return {
    outcome: enforced.outcome,
    reasons: enforced.reasons,
    snapshotVersion: snapshot.version,
    agentId: request.agentId,
    chain: cells[chain + CHAIN.ids] as Decision["chain"],
    holds: enforced.holds,
    counters: shadow === null || shadow.verdict.counters.length === 0 ? enforced.verdict.counters : [...enforced.verdict.counters, ...shadow.verdict.counters],
    // The shadow pass runs every enforced rule too, so its fingerprint has the longer window.
    fingerprint: shadow?.fingerprint ?? enforced.fingerprint,
    retryAfterMs: enforced.verdict.retryAfterMs > 0 ? enforced.verdict.retryAfterMs : null,
    shadow: shadow === null ? null : { outcome: shadow.outcome, reasons: shadow.reasons, holds: shadow.holds },
    trace,
  };
}

function invalidAmount({ amount }: DecisionRequest): Reason | null {
  if (amount === undefined || (Number.isSafeInteger(amount.amount) && amount.amount >= 0)) return null;
  return reason("invalid_request", `amount ${amount.amount} is not a non-negative integer in minor units`);
}

function refuseCaller(snapshot: LoadedSnapshot, request: DecisionRequest, trace: TraceEntry[], caller: LoadedAgent): Decision {
  return refuse(snapshot, request, trace, AGENT, [reason("agent_suspended", `agent ${caller.id} (${caller.name}) is suspended`)]);
}

/**
 * The refusal of a call that no chain carries: an unknown caller, or a delegation that is
 * unknown or not granted to it. Checks in the same order as a resolved call: caller, amount,
 * delegation.
 */
function refuseUnresolved(snapshot: LoadedSnapshot, request: DecisionRequest, trace: TraceEntry[]): Decision {
  const caller = snapshot.agents.get(request.agentId);
  if (caller === undefined) {
    return refuse(snapshot, request, trace, AGENT, [reason("agent_unknown", `agent ${request.agentId} is not in snapshot v${snapshot.version}`)]);
  }
  if (caller.status !== "active") return refuseCaller(snapshot, request, trace, caller);
  const invalid = invalidAmount(request);
  if (invalid !== null) return refuse(snapshot, request, trace, AGENT, [invalid]);
  trace.push(traceEntry(AGENT, PASS, 1));
  // INVARIANT: the caller has a solo chain, so only a delegated call is left unresolved.
  const id = request.onBehalfOf!;
  const delegation = snapshot.delegations.get(id);
  const refusal =
    delegation === undefined
      ? reason("delegation_unknown", `delegation ${id} is not in snapshot v${snapshot.version}`, id)
      : reason("delegation_not_delegate", `delegation ${id} was granted to agent ${delegation.delegateAgentId}, not to ${caller.id}`, id);
  return refuse(snapshot, request, trace, DELEGATION, [refusal]);
}

/**
 * Whether a delegated call's chain carries it: every delegation on it is live and covers the
 * call, and every delegator is active. Read from the chain's record, in O(1).
 */
function carries(cells: Cells, chain: number, request: DecisionRequest, nowMs: number): boolean {
  const narrowest = cells[chain + CHAIN.narrowest] as Target | null;
  const covered = narrowest !== null ? fitsScope(narrowest, request) : chainAt(cells, chain).delegations.every((link) => fitsScope(link.target, request));
  return nowMs < (cells[chain + CHAIN.liveUntilMs] as number) && cells[chain + CHAIN.suspendedDelegator] === false && covered;
}

/** Why a chain does not carry a call, link by link: walked only to explain a refusal. */
function explainChain(cells: Cells, record: number, request: DecisionRequest, nowMs: number): Reason[] {
  const reasons: Reason[] = [];
  const chain = chainAt(cells, record);
  chain.delegations.forEach((link, position) => {
    const delegator = chain.agents[position]!;
    if (link.revokedAtMs <= nowMs) reasons.push(reason("delegation_revoked", `delegation ${link.id} is revoked`, link.id));
    else if (link.expiresAtMs <= nowMs) reasons.push(reason("delegation_expired", `delegation ${link.id} expired at ${new Date(link.expiresAtMs).toISOString()}`, link.id));
    if (delegator.status !== "active") reasons.push(reason("agent_suspended", `delegator ${delegator.id} (${delegator.name}) is suspended`, link.id));
    if (!fitsScope(link.target, request)) {
      const what = `${request.action}${request.merchant === undefined ? "" : ` at ${request.merchant}`}`;
      reasons.push(reason("delegation_out_of_scope", `${what} is outside the scope of delegation ${link.id}`, link.id));
    }
  });
  return reasons;
}

/** Whether the call fits a delegation's scope: its actions (never null on a scope), merchants and categories. */
function fitsScope(scope: Target, request: DecisionRequest): boolean {
  return scope.actions!.test(request.action) && targets(scope, request);
}

interface PassResult {
  readonly outcome: Outcome;
  readonly reasons: readonly Reason[];
  readonly holds: readonly Envelope[];
  readonly verdict: Verdict;
  readonly fingerprint: Counter | null;
}

function runPass(
  snapshot: LoadedSnapshot,
  request: DecisionRequest,
  usage: Usage,
  nowMs: number,
  chain: number,
  table: RuleTable,
  state: ChainState,
  shadowPass: boolean,
  trace: TraceEntry[] | null,
): PassResult {
  const pass: Pass = { snapshot, cells: snapshot.cells, request, usage, nowMs, chain, table, state, shadowPass, fingerprint: null };
  const verdict: Verdict = { denials: [], approvals: [], holds: [], counters: [], retryAfterMs: 0 };
  for (const { step, index, run } of POLICY_STEPS) {
    // An approval is only worth a human's time for a call that would otherwise go through.
    if (step === "approval" && verdict.denials.length > 0) {
      trace?.push(traceEntry(index, SKIP, 0));
      continue;
    }
    const denials = verdict.denials.length;
    const approvals = verdict.approvals.length;
    const checked = run(pass, verdict);
    if (trace !== null) {
      const result = verdict.denials.length > denials ? FAIL : verdict.approvals.length > approvals ? PENDING : checked === 0 ? SKIP : PASS;
      trace.push(traceEntry(index, result, checked));
    }
  }
  if (verdict.denials.length > 0) return { outcome: "deny", reasons: verdict.denials, holds: NONE, verdict, fingerprint: pass.fingerprint };
  return {
    outcome: verdict.approvals.length > 0 ? "pending" : "allow",
    reasons: verdict.approvals,
    holds: verdict.holds,
    verdict,
    fingerprint: pass.fingerprint,
  };
}

function refuse(snapshot: LoadedSnapshot, request: DecisionRequest, trace: TraceEntry[], step: number, reasons: Reason[]): Decision {
  trace.push(traceEntry(step, FAIL, 1));
  return {
    outcome: "deny",
    reasons,
    snapshotVersion: snapshot.version,
    agentId: request.agentId,
    chain: { agents: [request.agentId], delegations: request.onBehalfOf === undefined ? NONE : [request.onBehalfOf] },
    holds: NONE,
    counters: NONE,
    fingerprint: null,
    retryAfterMs: null,
    shadow: null,
    trace,
  };
}
