import type { ChainRules } from "../snapshot/chain-rules";
import { NONE, type Target } from "../snapshot/rules";
import type { Chain, LoadedAgent, LoadedDelegation, LoadedSnapshot } from "../snapshot/load";
import { TRACE_STEPS, type Decision, type DecisionRequest, type Envelope, type Outcome, type Reason, type TraceEntry, type Usage } from "./decision";
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
  const delegated = request.onBehalfOf === undefined ? undefined : snapshot.delegations.get(request.onBehalfOf);
  // A delegated call's delegation already points at its delegate: one lookup in RAM instead of two.
  const caller = delegated !== undefined && delegated.delegateAgentId === request.agentId ? delegated.delegate : snapshot.agents.get(request.agentId);
  if (caller === undefined) {
    return refuse(snapshot, request, trace, AGENT, [reason("agent_unknown", `agent ${request.agentId} is not in snapshot v${snapshot.version}`)]);
  }
  if (caller.status !== "active") {
    return refuse(snapshot, request, trace, AGENT, [reason("agent_suspended", `agent ${caller.id} (${caller.name}) is suspended`)]);
  }
  const { amount } = request;
  if (amount !== undefined && !(Number.isSafeInteger(amount.amount) && amount.amount >= 0)) {
    return refuse(snapshot, request, trace, AGENT, [reason("invalid_request", `amount ${amount.amount} is not a non-negative integer in minor units`)]);
  }
  trace.push(traceEntry(AGENT, PASS, 1));

  const nowMs = now.getTime();
  let chain = caller.solo;
  if (request.onBehalfOf === undefined) {
    trace.push(traceEntry(DELEGATION, SKIP, 0));
  } else {
    const refusal = checkDelegation(snapshot, request, caller, delegated, nowMs);
    if (refusal !== null) return refuse(snapshot, request, trace, DELEGATION, refusal);
    chain = delegated!.chain;
    trace.push(traceEntry(DELEGATION, PASS, chain.delegations.length));
  }

  const enforced = runPass(snapshot, request, usage, nowMs, chain, chain.enforced, false, trace);
  const shadow = chain.withShadow === null ? null : runPass(snapshot, request, usage, nowMs, chain, chain.withShadow, true, null);
  return {
    outcome: enforced.outcome,
    reasons: enforced.reasons,
    snapshotVersion: snapshot.version,
    agentId: request.agentId,
    chain: chain.ids,
    holds: enforced.holds,
    counters: shadow === null || shadow.verdict.counters.length === 0 ? enforced.verdict.counters : [...enforced.verdict.counters, ...shadow.verdict.counters],
    fingerprint: enforced.fingerprint ?? shadow?.fingerprint ?? null,
    retryAfterMs: enforced.verdict.retryAfterMs > 0 ? enforced.verdict.retryAfterMs : null,
    shadow: shadow === null ? null : { outcome: shadow.outcome, reasons: shadow.reasons, holds: shadow.holds },
    trace,
  };
}

/**
 * Why the delegation behind `onBehalfOf` cannot carry the call, or null when it can: every
 * delegation on its chain must be live and cover the call, and every delegator must be active.
 */
function checkDelegation(snapshot: LoadedSnapshot, request: DecisionRequest, caller: LoadedAgent, delegation: LoadedDelegation | undefined, nowMs: number): Reason[] | null {
  const id = request.onBehalfOf!;
  if (delegation === undefined) return [reason("delegation_unknown", `delegation ${id} is not in snapshot v${snapshot.version}`, id)];
  if (delegation.delegateAgentId !== caller.id) {
    return [reason("delegation_not_delegate", `delegation ${id} was granted to agent ${delegation.delegateAgentId}, not to ${caller.id}`, id)];
  }
  const { chain } = delegation;
  const covered = chain.narrowest !== null ? fitsScope(chain.narrowest, request) : chain.delegations.every((link) => fitsScope(link.target, request));
  const sound = nowMs < chain.liveUntilMs && !chain.suspendedDelegator && covered;
  if (sound) return null;
  const reasons: Reason[] = [];
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
  readonly fingerprint: string | null;
}

function runPass(
  snapshot: LoadedSnapshot,
  request: DecisionRequest,
  usage: Usage,
  nowMs: number,
  chain: Chain,
  rules: ChainRules,
  shadowPass: boolean,
  trace: TraceEntry[] | null,
): PassResult {
  const pass: Pass = { snapshot, request, usage, nowMs, chain, rules, shadowPass, fingerprint: null };
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
