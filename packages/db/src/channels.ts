/**
 * NOTIFY channels between the control plane and the workers. Payloads are JSON; a listener
 * treats them as hints and reads the row they name, since a notification can be missed.
 */
export const SNAPSHOT_CHANNEL = "tollgate_snapshots";

/** `{ organizationId, version }` on SNAPSHOT_CHANNEL after a snapshot row is committed. */
export interface SnapshotNotice {
  organizationId: string;
  version: number;
}

/** `{ approvalId, status }` on APPROVAL_CHANNEL after an approval is decided or expires. */
export const APPROVAL_CHANNEL = "tollgate_approvals";

export interface ApprovalNotice {
  approvalId: string;
  status: "approved" | "denied" | "expired";
}

/** `{ agentId, sessionId, status }` on SESSION_CHANNEL when a session's breaker trips or is reset. */
export const SESSION_CHANNEL = "tollgate_sessions";

export interface SessionNotice {
  agentId: string;
  /** The agent's own session name (`sessionId` in decision requests). */
  sessionId: string;
  status: "open" | "tripped";
}
