import { announceApproval, approvals, type Db } from "@tollgate/db";
import { and, eq, lte } from "drizzle-orm";
import type { Budget } from "../budget";
import { enqueueApprovalWebhooks } from "./approval-webhooks";

type ApprovalRow = typeof approvals.$inferSelect;

/**
 * Expires `row` if its time is up and nobody decided it: the request is denied and its hold
 * returned. The conditional UPDATE makes the first to see it (a long-poll or the sweep) do it once.
 */
export async function expireIfDue(db: Db, budget: Budget, row: ApprovalRow, at: Date): Promise<ApprovalRow> {
  if (row.status !== "pending" || row.expiresAt > at) return row;
  const expired = await db.transaction(async (tx) => {
    const [changed] = await tx
      .update(approvals)
      .set({ status: "expired", decidedAt: at })
      .where(and(eq(approvals.id, row.id), eq(approvals.status, "pending")))
      .returning();
    if (!changed) return null;
    await enqueueApprovalWebhooks(tx, "approval.expired", [changed]);
    await announceApproval(tx, { organizationId: row.organizationId, approvalId: row.id, agentId: row.agentId, status: "expired" });
    return changed;
  });
  if (!expired) return row;
  // After the commit: the budget settles through its own group commit. Should this process die
  // in between, the hold lapses at its own expiry like any unclaimed hold.
  if (expired.reservationId) await budget.release({ organizationId: row.organizationId, reservationId: expired.reservationId });
  return expired;
}

/**
 * Expires every approval whose time is up, so the queue shows it expired and its hold returns
 * even when the agent stopped asking. Runs every `intervalMs`; returns a stop function.
 */
export function startApprovalExpiry({ db, budget, now, intervalMs }: { db: Db; budget: Budget; now: () => Date; intervalMs: number }) {
  let running: Promise<void> = Promise.resolve();
  const sweep = async () => {
    const at = now();
    const due = await db
      .select()
      .from(approvals)
      .where(and(eq(approvals.status, "pending"), lte(approvals.expiresAt, at)))
      .limit(100);
    for (const row of due) await expireIfDue(db, budget, row, at);
  };
  const timer = setInterval(() => {
    // A sweep that fails (the database is away) is simply tried again on the next tick.
    running = running.then(sweep).catch(() => {});
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
