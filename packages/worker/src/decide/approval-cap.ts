import { approvals, type Db } from "@tollgate/db";
import { and, eq } from "drizzle-orm";

/**
 * The most an agent may commit on a reservation a reviewer approved for less than was held, or
 * null when no approval lowered it. The hold keeps the asked amount; this cap is the approval's.
 */
export async function approvedCap(db: Db, organizationId: string, reservationId: string): Promise<number | null> {
  const [approval] = await db
    .select({ amount: approvals.amount, approvedAmount: approvals.approvedAmount })
    .from(approvals)
    .where(and(eq(approvals.organizationId, organizationId), eq(approvals.reservationId, reservationId), eq(approvals.status, "approved")));
  if (approval?.approvedAmount == null || approval.amount === null || approval.approvedAmount >= approval.amount) return null;
  return approval.approvedAmount;
}
