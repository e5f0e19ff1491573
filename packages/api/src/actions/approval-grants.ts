import { approvalGrants, decisions, MAX_GRANT_MINUTES, type approvals, type Db } from "@tollgate/db";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { Invalid } from "../errors";


/** "…and allow up to `amount` more for this session for `validForMinutes`", given with an approval. */
export const standingGrantInput = z.object({
  amount: z.int({ error: "the amount must be a whole number of minor units" }).positive({ error: "the amount must be positive" }),
  validForMinutes: z
    .int({ error: "the duration must be a whole number of minutes" })
    .min(1, { error: "the duration must be at least 1 minute" })
    .max(MAX_GRANT_MINUTES, { error: `the duration must be at most ${MAX_GRANT_MINUTES} minutes` }),
});

/**
 * Records the standing grant that comes with settling `approval` as approved: the same agent,
 * session, action and currency, up to `grant.amount` more until `validForMinutes` from `now`.
 */
export async function grantForSession(
  tx: Db,
  approval: typeof approvals.$inferSelect,
  grant: z.infer<typeof standingGrantInput>,
  grantedByUserId: string,
  now: Date,
): Promise<void> {
  const { currency } = approval;
  if (currency === null) throw new Invalid("a standing grant allows more money, and this request named none", { grant: ["must be left out: the request asked for no money"] });
  const [decision] = await tx
    .select({ sessionId: decisions.sessionId })
    .from(decisions)
    .where(and(eq(decisions.organizationId, approval.organizationId), eq(decisions.id, approval.decisionId)));
  if (!decision?.sessionId) throw new Invalid("this request came without a session", { grant: ["there is no session to allow more for"] });
  await tx.insert(approvalGrants).values({
    organizationId: approval.organizationId,
    approvalId: approval.id,
    agentId: approval.agentId,
    sessionId: decision.sessionId,
    action: approval.action,
    amount: grant.amount,
    currency,
    expiresAt: new Date(now.getTime() + grant.validForMinutes * 60_000),
    grantedByUserId,
    createdAt: now,
  });
}
