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
 * `{ organizationId, approvalId, status }` on APPROVAL_CHANNEL after an approval is opened,
 * voted on, decided or expires: the console's live queue and the waiting agents both listen.
 */
export const APPROVAL_CHANNEL = "tollgate_approvals";

export interface ApprovalNotice {
  organizationId: string;
  approvalId: string;
  status: "pending" | "approved" | "denied" | "expired";
}

/** Announces a change to an approval; inside a transaction, listeners hear it only once it commits. */
export async function announceApproval(db: Db, notice: ApprovalNotice): Promise<void> {
  await db.execute(sql`select pg_notify(${APPROVAL_CHANNEL}, ${JSON.stringify(notice)})`);
}

/** `{ agentId, sessionId, status }` on SESSION_CHANNEL when a session's breaker trips or is reset. */
export const SESSION_CHANNEL = "tollgate_sessions";

export interface SessionNotice {
  agentId: string;
  /** The agent's own session name (`sessionId` in decision requests). */
  sessionId: string;
  status: "open" | "tripped";
}
