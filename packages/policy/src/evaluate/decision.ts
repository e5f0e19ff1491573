import { z } from "zod";
import { actionSchema, idSchema, labelSchema } from "../document/schema";
import { moneySchema } from "../money";
import type { Period } from "../period";

/** What an agent asks before a paid call. Workers validate request bodies with this schema. */
export const decisionRequestSchema = z.object({
  agentId: idSchema,
  action: actionSchema,
  /** Absent for free actions; required by any cap, envelope or amount threshold that targets the call. */
  amount: moneySchema.optional(),
  merchant: labelSchema.optional(),
  category: labelSchema.optional(),
  sessionId: z.string().min(1).max(200),
  /** A delegation granted to `agentId`: the call is made with the delegator's authority. */
  onBehalfOf: idSchema.optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

export type DecisionRequest = z.infer<typeof decisionRequestSchema>;

/**
 * What the worker knows about past calls, from its in-memory budget state. Keys come from
 * decisions (`holds[].key`, `counters[].key`, `fingerprint.key`), so the worker never builds them.
 */
export interface Usage {
  /** Minor units held plus committed against an envelope key (the key already names its window). */
  spent(envelopeKey: string): number;
  /** Calls recorded under a counter key during the `windowSeconds` before now, this one excluded. */
  calls(counterKey: string, windowSeconds: number): number;
  /** Calls recorded with this fingerprint during the `windowSeconds` before now, this one excluded. */
  repeats(fingerprint: string, windowSeconds: number): number;
  /** Whether the agent has spent with the merchant before. */
  hasUsedMerchant(agentId: string, merchant: string): boolean;
}

/** Every reason a decision can give, in evaluation order. Codes are stable: clients match on them. */
export const REASON_CODES = [
  "invalid_request",
  "agent_unknown",
  "agent_suspended",
  "delegation_unknown",
  "delegation_not_delegate",
  "delegation_revoked",
  "delegation_expired",
  "delegation_out_of_scope",
  "outside_time_window",
  "explicit_deny",
  "no_matching_grant",
  "amount_required",
  "currency_mismatch",
  "over_per_call_cap",
  "envelope_exhausted",
  "delegation_budget_exhausted",
  "velocity_exceeded",
  "loop_detected",
  "spend_anomaly",
  "approval_required_anomaly",
  "approval_required_amount",
  "approval_required_trust",
  "approval_required_first_merchant",
] as const;

export type ReasonCode = (typeof REASON_CODES)[number];

export type Outcome = "allow" | "deny" | "pending";

/** Why a call was denied or sent for approval, naming the rule and policy version that decided. */
export interface Reason {
  readonly code: ReasonCode;
  readonly message: string;
  readonly policyId: string | null;
  readonly policyVersion: number | null;
  /** The rule's id within its policy; null for reasons no rule gives (unknown agent, expired delegation…). */
  readonly rule: string | null;
  readonly delegationId: string | null;
}

/**
 * A spending envelope the call's amount must be held against, atomically with the check
 * `spent + amount <= limit`. Decisions share these objects: treat them as read-only.
 */
export interface Envelope {
  /** Names the owner, the rule, the currency and the window: `env/agent:agt_1/pol_1:daily/USD/day:2026-11-24`. */
  readonly key: string;
  /** `agent:<id>` or `delegation:<id>`. */
  readonly owner: string;
  readonly limit: number;
  readonly currency: string;
  readonly period: Period;
  /** UTC bounds of the calendar window; null for session and all-time envelopes. */
  readonly windowStart: string | null;
  readonly windowEnd: string | null;
  readonly policyId: string | null;
  readonly rule: string | null;
}

/** A key the worker records a call under, whatever the outcome, and the window it counts in. Read-only: decisions share counters. */
export interface Counter {
  readonly key: string;
  readonly windowSeconds: number;
}

export const TRACE_STEPS = [
  "agent",
  "delegation",
  "time_window",
  "deny",
  "grant",
  "currency",
  "cap",
  "envelope",
  "velocity",
  "loop",
  "anomaly",
  "approval",
] as const;

export type TraceStep = (typeof TRACE_STEPS)[number];

/** One evaluation step: what it concluded and how many rules or links it looked at. */
export interface TraceEntry {
  readonly step: TraceStep;
  readonly result: "pass" | "fail" | "pending" | "skip";
  readonly checked: number;
}

/** What the shadow-mode policies would have decided had they been enforced alongside the others. */
export interface ShadowDecision {
  readonly outcome: Outcome;
  readonly reasons: readonly Reason[];
  /** Envelopes of shadow policies only, for a worker that tracks what they would have held. */
  readonly holds: readonly Envelope[];
}

/** A decision as plain data. Only `outcome`, `reasons` and `holds` are enforced; `shadow` is advice. */
export interface Decision {
  readonly outcome: Outcome;
  /** Deny reasons when denied, approval reasons when pending, empty when allowed. */
  readonly reasons: readonly Reason[];
  readonly snapshotVersion: number;
  readonly agentId: string;
  /** Agents from the authority down to the caller, and the delegations between them. */
  readonly chain: { readonly agents: readonly string[]; readonly delegations: readonly string[] };
  /** Envelopes to hold `request.amount` against; empty unless allowed or pending with an amount. */
  readonly holds: readonly Envelope[];
  /** Record the call under each, and under `fingerprint` when present, whatever the outcome. */
  readonly counters: readonly Counter[];
  /**
   * The call's fingerprint (see `Usage.repeats`) when a loop limit applied, with the longest loop
   * window that applied: how long a record of this call must be kept to answer later repeats.
   */
  readonly fingerprint: Counter | null;
  /** Set when a velocity or loop limit denied: the longest window involved. */
  readonly retryAfterMs: number | null;
  readonly shadow: ShadowDecision | null;
  readonly trace: readonly TraceEntry[];
}
