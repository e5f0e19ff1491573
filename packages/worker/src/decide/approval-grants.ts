import { agentSessions, approvalGrants, type Db } from "@tollgate/db";
import { and, asc, eq, gt, inArray, lte, sql } from "drizzle-orm";

/** A request a standing grant could cover, as the decision service sees it. */
export interface GrantableRequest {
  organizationId: string;
  agentId: string;
  /** The agent's own session name (`sessionId` in the decision request). */
  sessionId: string;
  action: string;
  amount: { amount: number; currency: string };
  at: Date;
}

/**
 * Draws `request.amount` from a reviewer's standing grant for this agent, session, action and
 * currency that is still live and has room, so the request needs no new approval. Resolves to
 * the grant's id, or null when none covers it. One conditional UPDATE: concurrent requests
 * cannot together draw more than the grant allows.
 */
export async function drawStandingGrant(db: Db, request: GrantableRequest): Promise<string | null> {
  const { amount, currency } = request.amount;
  const fits = lte(sql`${approvalGrants.used} + ${amount}`, approvalGrants.amount);
  const candidate = db
    .select({ id: approvalGrants.id })
    .from(approvalGrants)
    .innerJoin(agentSessions, and(eq(agentSessions.organizationId, approvalGrants.organizationId), eq(agentSessions.id, approvalGrants.sessionId)))
    .where(
      and(
        eq(approvalGrants.organizationId, request.organizationId),
        eq(approvalGrants.agentId, request.agentId),
        eq(agentSessions.externalId, request.sessionId),
        eq(approvalGrants.action, request.action),
        eq(approvalGrants.currency, currency),
        gt(approvalGrants.expiresAt, request.at),
        fits,
      ),
    )
    // The grant ending soonest first, so longer ones are kept for later.
    .orderBy(asc(approvalGrants.expiresAt))
    .limit(1);
  const [drawn] = await db
    .update(approvalGrants)
    .set({ used: sql`${approvalGrants.used} + ${amount}` })
    // Re-checked on the row itself: another request may have drawn from it since the subquery looked.
    .where(and(inArray(approvalGrants.id, candidate), fits, gt(approvalGrants.expiresAt, request.at)))
    .returning({ id: approvalGrants.id });
  return drawn?.id ?? null;
}
