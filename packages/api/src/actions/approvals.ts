import { and, asc, count, desc, eq, sql, type SQL } from "drizzle-orm";
import { agents, approvals, approvalStatus, users } from "@tollgate/db";
import { z } from "zod";
import type { Action } from "../context";
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
