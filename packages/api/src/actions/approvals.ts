import { and, asc, count, desc, eq, sql, type SQL } from "drizzle-orm";
import { agents, announceApproval, approvals, approvalStatus, approvalVotes, organizations, users } from "@tollgate/db";
import { z } from "zod";
import { recordUserAudit } from "../audit/chain";
import type { Action } from "../context";
import { Conflict, Forbidden, Invalid, NotFound } from "../errors";
import { grantForSession, standingGrantInput } from "./approval-grants";
import { approvalsRequired } from "./approval-rules";
import { isoTime, money, moneyOrNull, pageInput, pageOf, rowsOf } from "./wire";

export const listApprovalsInput = pageInput.extend({ status: z.enum(approvalStatus.enumValues).optional() });

export const approvalSummary = z.object({
  id: z.uuid(),
  agent: z.object({ id: z.uuid(), name: z.string() }),
  action: z.string(),
  merchant: z.string().nullable(),
  /** Null for a call that named no money. */
  amount: money.nullable(),
  approvedAmount: z.number().int().nullable(),
  status: z.enum(approvalStatus.enumValues),
  decidedBy: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  decidedAt: isoTime.nullable(),
  expiresAt: isoTime,
  createdAt: isoTime,
});
export const approvalPage = pageOf(approvalSummary);

/** The organization's approvals: pending ones first, soonest to expire on top, then the rest newest first. */
export async function listApprovals({ ctx, input }: Action<z.infer<typeof listApprovalsInput>>) {
  const filters: SQL[] = [eq(approvals.organizationId, ctx.session.organizationId)];
  if (input.status) filters.push(eq(approvals.status, input.status));
  const where = and(...filters);
  const { limit, offset } = rowsOf(input);
  const pendingFirst = sql`case when ${approvals.status} = 'pending' then 0 else 1 end`;
  const rows = await ctx.db
    .select({
      id: approvals.id,
      agent: { id: agents.id, name: agents.name },
      action: approvals.action,
      merchant: approvals.merchant,
      amount: approvals.amount,
      currency: approvals.currency,
      approvedAmount: approvals.approvedAmount,
      status: approvals.status,
      deciderId: users.id,
      deciderName: users.name,
      decidedAt: approvals.decidedAt,
      expiresAt: approvals.expiresAt,
      createdAt: approvals.createdAt,
    })
    .from(approvals)
    .innerJoin(agents, and(eq(agents.organizationId, approvals.organizationId), eq(agents.id, approvals.agentId)))
    .leftJoin(users, and(eq(users.organizationId, approvals.organizationId), eq(users.id, approvals.decidedByUserId)))
    .where(where)
    .orderBy(
      pendingFirst,
      sql`case when ${approvals.status} = 'pending' then ${approvals.expiresAt} end asc`,
      desc(approvals.createdAt),
      asc(approvals.id),
    )
    .limit(limit)
    .offset(offset);
  const [{ total } = { total: 0 }] = await ctx.db.select({ total: count() }).from(approvals).where(where);
  const items = rows.map(({ amount, currency, deciderId, deciderName, ...approval }) => ({
    ...approval,
    amount: moneyOrNull(amount, currency),
    decidedBy: deciderId !== null && deciderName !== null ? { id: deciderId, name: deciderName } : null,
  }));
  return { items, page: input.page, pageSize: input.pageSize, total };
}

export const decideApprovalInput = z
  .object({
    id: z.uuid({ error: "must be an approval id" }),
    verdict: z.enum(["approve", "deny"]),
    note: z.string().trim().max(500, { error: "must be at most 500 characters" }).optional(),
    /** Approve less than was asked: the agent may then spend at most this. */
    approvedAmount: z.int({ error: "must be a whole number of minor units" }).positive({ error: "must be positive" }).optional(),
    /** Also allow this much more of the same action in the same session for a while, without asking again. */
    grant: standingGrantInput.optional(),
  })
  .refine((input) => input.verdict === "approve" || input.approvedAmount === undefined, {
    path: ["approvedAmount"],
    error: "only an approval has an approved amount",
  })
  .refine((input) => input.verdict === "approve" || input.grant === undefined, {
    path: ["grant"],
    error: "only an approval comes with a standing grant",
  });

export const decidedApproval = z.object({
  id: z.uuid(),
  status: z.enum(approvalStatus.enumValues),
  approvedAmount: z.number().int().nullable(),
  /** Approving votes so far and how many it takes: a pending answer here means "one more reviewer". */
  approvals: z.object({ given: z.number().int(), required: z.number().int() }),
});

/**
 * A reviewer's answer to a pending approval, recorded as their vote. A deny settles it; an
 * approve settles it once enough distinct reviewers approved (two above the organization's
 * dual-approval amount), at the least amount any of them allowed, with the settling approver's
 * standing grant for the session if they gave one. Of two reviewers settling it at
 * once the first wins and the other is told who decided. Unless the organization allows it, an
 * agent's owner may deny but not approve its spend. The waiting agent hears the outcome at once
 * (NOTIFY); a denied hold is released by the worker it asks.
 */
export async function decideApproval({ ctx, input }: Action<z.infer<typeof decideApprovalInput>>) {
  const { organizationId, userId } = ctx.session;
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .select({ approval: approvals, ownerUserId: agents.ownerUserId, organization: organizations })
      .from(approvals)
      .innerJoin(organizations, eq(organizations.id, approvals.organizationId))
      .innerJoin(agents, and(eq(agents.organizationId, approvals.organizationId), eq(agents.id, approvals.agentId)))
      .where(and(eq(approvals.id, input.id), eq(approvals.organizationId, organizationId)))
      // Reviewers answering at once queue here; each then sees the state the one before left.
      .for("update", { of: approvals });
    if (!row) throw new NotFound("approval", input.id);
    const { approval, organization } = row;
    if (approval.status !== "pending") {
      // Read after the lock: a row joined in the locking query would be the one from before the wait.
      const [decider] = approval.decidedByUserId ? await tx.select({ name: users.name }).from(users).where(eq(users.id, approval.decidedByUserId)) : [];
      throw new Conflict(`this approval was already ${approval.status}${decider ? ` by ${decider.name}` : ""}`);
    }
    const now = new Date();
    if (approval.expiresAt <= now) throw new Conflict("this approval expired before it was decided; the request was denied");
    const approve = input.verdict === "approve";
    if (approve && row.ownerUserId === userId && !organization.ownerMayApprove) {
      throw new Forbidden("you own this agent: another reviewer must approve its spend");
    }
    if (input.approvedAmount !== undefined && approval.amount === null) {
      throw new Invalid("this request names no amount to approve part of", { approvedAmount: ["must be left out: the request asked for no money"] });
    }
    if (input.approvedAmount !== undefined && approval.amount !== null && input.approvedAmount > approval.amount) {
      throw new Invalid("the approved amount is more than was asked", { approvedAmount: [`must be at most ${approval.amount} (the amount asked)`] });
    }
    const [voted] = await tx
      .insert(approvalVotes)
      .values({
        organizationId,
        approvalId: approval.id,
        userId,
        verdict: input.verdict,
        approvedAmount: approve ? (input.approvedAmount ?? approval.amount) : null,
        note: input.note || null,
        createdAt: now,
      })
      .onConflictDoNothing()
      .returning();
    if (!voted) throw new Conflict("you already approved this; it needs another reviewer");

    const approving = await tx
      .select({ approvedAmount: approvalVotes.approvedAmount })
      .from(approvalVotes)
      .where(and(eq(approvalVotes.approvalId, approval.id), eq(approvalVotes.verdict, "approve")));
    const required = approvalsRequired(organization, approval);
    const settles = !approve || approving.length >= required;
    if (input.grant && !settles) {
      throw new Invalid("a standing grant comes with the approval that settles it", { grant: ["give it with the second approval this request needs"] });
    }
    let decided: Pick<typeof approval, "id" | "status" | "approvedAmount"> = approval;
    if (settles) {
      const [settled] = await tx
        .update(approvals)
        .set({
          status: approve ? "approved" : "denied",
          approvedAmount: approve && approval.amount !== null ? Math.min(...approving.map((vote) => vote.approvedAmount!)) : null,
          decidedByUserId: userId,
          decidedAt: now,
          note: input.note || null,
        })
        .where(and(eq(approvals.id, approval.id), eq(approvals.status, "pending")))
        .returning({ id: approvals.id, status: approvals.status, approvedAmount: approvals.approvedAmount });
      decided = settled!;
      // The grant is the settling approver's: with dual approval, the second one's.
      if (approve && input.grant) await grantForSession(tx, approval, input.grant, userId, now);
    }
    await recordUserAudit(tx, { organizationId, userId }, {
      action: settles ? (approve ? "approval.approve" : "approval.deny") : "approval.vote",
      targetType: "approval",
      targetId: approval.id,
      before: { status: "pending", amount: approval.amount, currency: approval.currency },
      after: { status: decided.status, approvedAmount: decided.approvedAmount, verdict: input.verdict, note: input.note ?? null },
      createdAt: now,
    });
    // A vote that did not settle it still changes what other reviewers' queues show.
    await announceApproval(tx, { organizationId, approvalId: approval.id, agentId: approval.agentId, status: decided.status });
    return { id: decided.id, status: decided.status, approvedAmount: decided.approvedAmount, approvals: { given: approving.length, required } };
  });
}
