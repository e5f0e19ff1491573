import { announceApprovals, approvals, moneyOrNull, type Db } from "@tollgate/db";
import { and, eq, isNull } from "drizzle-orm";
import type { Budget } from "../budget";
import { isUuid } from "../budget/types";
import { errorResponse, type WorkerResponse } from "../core";
import { expireIfDue } from "./approval-expiry";
import { lookUntilShipped } from "../journal/journal";
import { enqueueApprovalWebhooks } from "./approval-webhooks";
import type { ApprovalWaiters } from "./approval-waiters";
import type { ReceiptSigner } from "./receipts";

/** The longest a client may hold a long-poll open; it asks again after. */
export const MAX_APPROVAL_WAIT_MS = 30_000;
// A missed notification delays the answer by at most this much.
const APPROVAL_RECHECK_MS = 500;

type ApprovalRow = typeof approvals.$inferSelect;

/**
 * Opens approvals within `tx`: the rows, their webhooks (if the organization has one) and a
 * `NOTIFY` each on `tollgate_approvals`, so the reviewers' live queues see them the moment `tx`
 * commits. The one way approvals are opened, alone or riding with their decisions.
 */
export async function openApprovals(tx: Db, rows: (typeof approvals.$inferInsert & { id: string; expiresAt: Date })[]): Promise<void> {
  if (rows.length === 0) return;
  const announced = rows.map((row) => ({ ...row, merchant: row.merchant ?? null, amount: row.amount ?? null, currency: row.currency ?? null }));
  // Ids are chosen here, so the three need nothing from each other: sent at once (pipelined).
  await Promise.all([
    tx.insert(approvals).values(rows),
    enqueueApprovalWebhooks(tx, "approval.pending", announced),
    announceApprovals(
      tx,
      rows.map((row) => ({ organizationId: row.organizationId, approvalId: row.id, agentId: row.agentId, status: "pending" as const })),
    ),
  ]);
}

/** The agent asking, as the decision service authenticated it. */
export interface ApprovalCaller {
  organizationId: string;
  agentId: string;
}

export interface ApprovalDeskConfig {
  db: Db;
  budget: Budget;
  waiters: ApprovalWaiters;
  receiptFor: ReceiptSigner;
  now: () => Date;
}

/**
 * The worker's side of human approval after it is opened (with its decision: see `writeDecisions`):
 * answers the agent's long-poll once a reviewer decides or the approval expires (returning its hold).
 */
export function createApprovalDesk(config: ApprovalDeskConfig) {
  const { db, budget, now } = config;

  /** An approval as the agent sees it: approved is an allow (with a receipt for the approved cap). */
  function view(row: ApprovalRow) {
    const decision = row.status === "approved" ? "allow" : row.status === "pending" ? "pending" : "deny";
    const answer: Record<string, unknown> = {
      approvalId: row.id,
      decisionId: row.decisionId,
      status: row.status,
      decision,
      expiresAt: row.expiresAt.toISOString(),
      decidedAt: row.decidedAt?.toISOString() ?? null,
      note: row.note,
    };
    if (row.status === "approved") {
      // A call that named no money is approved as it was asked, with no amount to cap.
      const asked = moneyOrNull(row.amount, row.currency);
      const cap = asked && { amount: row.approvedAmount ?? asked.amount, currency: asked.currency };
      if (cap) answer.approvedAmount = cap;
      answer.reservationId = row.reservationId;
      answer.receipt = config.receiptFor(
        {
          organizationId: row.organizationId,
          agentId: row.agentId,
          action: row.action,
          cap,
          merchant: row.merchant,
          decisionId: row.decisionId,
          reservationId: row.reservationId,
        },
        now(),
      );
    }
    return answer;
  }

  /** Marks the first time the agent was told the outcome: the last leg of the approval's latency. */
  async function informed(row: ApprovalRow): Promise<void> {
    if (row.agentInformedAt) return;
    await db
      .update(approvals)
      .set({ agentInformedAt: now() })
      .where(and(eq(approvals.id, row.id), isNull(approvals.agentInformedAt)));
  }

  async function wait(caller: ApprovalCaller, approvalId: string, waitMs: number): Promise<WorkerResponse> {
    const deadline = now().getTime() + waitMs;
    const read = () =>
      db
        .select()
        .from(approvals)
        .where(and(eq(approvals.id, approvalId), eq(approvals.organizationId, caller.organizationId), eq(approvals.agentId, caller.agentId)));
    // A journaling worker answers "pending" before the approval ships.
    let [found] = await lookUntilShipped(read, (rows) => rows.length === 0, 25);
    for (;;) {
      if (!found) return errorResponse(404, "approval_not_found", `approval ${approvalId}: no such approval for this agent`);
      const row = await expireIfDue(db, budget, found, now());
      // A deny or an expiry is final: the held amount goes back before the agent hears it, even
      // when another worker's sweep expired it and is still releasing (releasing twice is harmless).
      if ((row.status === "denied" || row.status === "expired") && row.reservationId) {
        await budget.release({ organizationId: caller.organizationId, reservationId: row.reservationId });
      }
      if (row.status !== "pending") {
        await informed(row);
        return { status: 200, body: view(row) };
      }
      const left = deadline - now().getTime();
      if (left <= 0) return { status: 200, body: view(row) };
      await config.waiters.sleep(approvalId, Math.min(left, APPROVAL_RECHECK_MS, row.expiresAt.getTime() - now().getTime() + 1));
      [found] = await read();
    }
  }

  return {
    /** `GET /v1/approvals/{id}?waitMs=`: long-polls until a human decides, the approval expires, or the wait ends. */
    answer(caller: ApprovalCaller, approvalId: string, waitMs: string | null): Promise<WorkerResponse> | WorkerResponse {
      if (!isUuid(approvalId)) return errorResponse(400, "invalid_field", `id: must be an approval id (a UUID), got ${JSON.stringify(approvalId)}`);
      const milliseconds = waitMs === null || waitMs === "" ? 0 : Number(waitMs);
      if (!Number.isSafeInteger(milliseconds) || milliseconds < 0 || milliseconds > MAX_APPROVAL_WAIT_MS) {
        return errorResponse(400, "invalid_field", `waitMs: must be a whole number of milliseconds from 0 to ${MAX_APPROVAL_WAIT_MS}`);
      }
      return wait(caller, approvalId, milliseconds);
    },
  };
}

export type ApprovalDesk = ReturnType<typeof createApprovalDesk>;
