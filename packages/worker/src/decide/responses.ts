import type { Decision, Reason } from "@tollgate/policy";
import type { decisions } from "@tollgate/db";

/** A reason as clients read it: `rule` is `<policy>/<rule id>` when a rule decided. */
export interface WireReason {
  code: string;
  message: string;
  rule: string | null;
  policyVersion: number | null;
}

/** The body of a decision response: the contract's fields, present only where they apply. */
export interface DecisionResponse {
  decision: Decision["outcome"];
  decisionId: string;
  reasons: WireReason[];
  policyVersion: number;
  reservationId?: string;
  approvalId?: string;
  retryAfterMs?: number;
  /** Compact JWS (Ed25519) binding agent, action, amount cap, merchant, nonce and expiry; allows only. */
  receipt?: string;
}

export const wireReason = (reason: Reason): WireReason => ({
  code: reason.code,
  message: reason.message,
  rule: reason.rule === null ? null : `${reason.policyId}/${reason.rule}`,
  policyVersion: reason.policyVersion,
});

/** The response a client received for a logged decision, rebuilt from the decision log. */
export function responseOfLogged(
  row: typeof decisions.$inferSelect,
  links: { reservationId?: string; approvalId?: string },
): DecisionResponse {
  return {
    decision: row.outcome,
    decisionId: row.id,
    reasons: row.reasons as WireReason[],
    policyVersion: row.snapshotVersion,
    ...(links.reservationId ? { reservationId: links.reservationId } : {}),
    ...(links.approvalId ? { approvalId: links.approvalId } : {}),
  };
}
