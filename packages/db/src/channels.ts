import { sql } from "drizzle-orm";
import type { Db } from "./client";

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

/**
 * `{ organizationId, approvalId, agentId, status }` on APPROVAL_CHANNEL after an approval is
 * opened, voted on, decided or expires: the console's live queue and the waiting agents both
 * listen, and workers learn which agents may have a standing grant.
 */
export const APPROVAL_CHANNEL = "tollgate_approvals";

export interface ApprovalNotice {
  organizationId: string;
  approvalId: string;
  /** The agent that asked. */
  agentId: string;
  status: "pending" | "approved" | "denied" | "expired";
}

/** Announces changes to approvals, in one statement; inside a transaction, listeners hear them only once it commits. */
export async function announceApprovals(db: Db, notices: readonly ApprovalNotice[]): Promise<void> {
  if (notices.length === 0) return;
  const payloads = JSON.stringify(notices.map((notice) => JSON.stringify(notice)));
  await db.execute(sql`select pg_notify(${APPROVAL_CHANNEL}, payload) from json_array_elements_text(${payloads}::json) as payload`);
}

export const announceApproval = (db: Db, notice: ApprovalNotice) => announceApprovals(db, [notice]);

/** `{ agentId, sessionId, status }` on SESSION_CHANNEL when a session's breaker trips or is reset. */
export const SESSION_CHANNEL = "tollgate_sessions";

export interface SessionNotice {
  agentId: string;
  /** The agent's own session name (`sessionId` in decision requests). */
  sessionId: string;
  status: "open" | "tripped";
}
