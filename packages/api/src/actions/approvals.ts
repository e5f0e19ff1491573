import { and, asc, count, desc, eq, sql, type SQL } from "drizzle-orm";
import { agents, APPROVAL_CHANNEL, approvals, approvalStatus, users, type ApprovalNotice } from "@tollgate/db";
import { z } from "zod";
import { recordAudit } from "../audit/chain";
import type { Action } from "../context";
import { Conflict, Forbidden, Invalid, NotFound } from "../errors";
import { isoTime, money, pageInput, pageOf, rowsOf } from "./wire";

export const listApprovalsInput = pageInput.extend({ status: z.enum(approvalStatus.enumValues).optional() });

export const approvalSummary = z.object({
  id: z.uuid(),
  agent: z.object({ id: z.uuid(), name: z.string() }),
  action: z.string(),
  merchant: z.string().nullable(),
  amount: money,
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
    amount: { amount, currency },
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
  })
  .refine((input) => input.verdict === "approve" || input.approvedAmount === undefined, {
    path: ["approvedAmount"],
    error: "only an approval has an approved amount",
  });

export const decidedApproval = z.object({ id: z.uuid(), status: z.enum(approvalStatus.enumValues), approvedAmount: z.number().int().nullable() });

/**
 * A reviewer's answer to a pending approval. The first answer wins: a second reviewer acting at
 * the same moment is told it was already decided. Nobody approves spend of an agent they own.
 * The waiting agent hears it at once (NOTIFY); a denied hold is released by the worker it asks.
 */
export async function decideApproval({ ctx, input }: Action<z.infer<typeof decideApprovalInput>>) {
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .select({ approval: approvals, ownerUserId: agents.ownerUserId, deciderName: users.name })
      .from(approvals)
      .innerJoin(agents, and(eq(agents.organizationId, approvals.organizationId), eq(agents.id, approvals.agentId)))
      .leftJoin(users, and(eq(users.organizationId, approvals.organizationId), eq(users.id, approvals.decidedByUserId)))
      .where(and(eq(approvals.id, input.id), eq(approvals.organizationId, ctx.session.organizationId)))
      .for("update", { of: approvals });
    if (!row) throw new NotFound("approval", input.id);
    const { approval } = row;
    if (approval.status !== "pending") {
      throw new Conflict(`this approval was already ${approval.status}${row.deciderName ? ` by ${row.deciderName}` : ""}`);
    }
    const now = new Date();
    if (approval.expiresAt <= now) throw new Conflict("this approval expired before it was decided; the request was denied");
    if (row.ownerUserId === ctx.session.userId) {
      throw new Forbidden("you own this agent: another reviewer must decide its spend");
    }
    if (input.approvedAmount !== undefined && input.approvedAmount > approval.amount) {
      throw new Invalid("the approved amount is more than was asked", { approvedAmount: [`must be at most ${approval.amount} (the amount asked)`] });
    }
    const approve = input.verdict === "approve";
    const [decided] = await tx
      .update(approvals)
      .set({
        status: approve ? "approved" : "denied",
        approvedAmount: approve ? (input.approvedAmount ?? approval.amount) : null,
        decidedByUserId: ctx.session.userId,
        decidedAt: now,
        note: input.note || null,
      })
      .where(and(eq(approvals.id, approval.id), eq(approvals.status, "pending")))
      .returning({ id: approvals.id, status: approvals.status, approvedAmount: approvals.approvedAmount });
    await recordAudit(tx, {
      organizationId: ctx.session.organizationId,
      actorKind: "user",
      actorUserId: ctx.session.userId,
      action: approve ? "approval.approve" : "approval.deny",
      targetType: "approval",
      targetId: approval.id,
      before: { status: "pending", amount: approval.amount, currency: approval.currency },
      after: { status: decided!.status, approvedAmount: decided!.approvedAmount, note: input.note ?? null },
      createdAt: now,
    });
    const notice: ApprovalNotice = { approvalId: approval.id, status: decided!.status as ApprovalNotice["status"] };
    await tx.execute(sql`select pg_notify(${APPROVAL_CHANNEL}, ${JSON.stringify(notice)})`);
    return decided!;
  });
}
