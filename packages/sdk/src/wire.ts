import type { Money } from "@tollgate/policy";

/** A reason as the worker gives it: a stable code, a message, and the rule that decided. */
export interface Reason {
  code: string;
  message: string;
  rule: string | null;
  policyVersion: number | null;
}

/** What the worker answered to `decide`. */
export interface DecisionResult {
  decision: "allow" | "deny" | "pending";
  decisionId: string;
  reasons: Reason[];
  policyVersion: number;
  reservationId?: string;
  approvalId?: string;
  retryAfterMs?: number;
  receipt?: string;
}

/** What a paid call is, as the agent asks about it. */
export interface DecisionRequest {
  action: string;
  amount?: Money;
  merchant?: string;
  category?: string;
  sessionId: string;
  /** Idempotency key: the same id always returns the first decision and never holds twice. */
  requestId: string;
  onBehalfOf?: string;
  metadata?: Record<string, unknown>;
}

export interface ApprovalResult {
  approvalId: string;
  decisionId: string;
  status: "pending" | "approved" | "denied" | "expired";
  decision: "allow" | "deny" | "pending";
  approvedAmount?: Money;
  reservationId?: string;
  receipt?: string;
  note: string | null;
}
