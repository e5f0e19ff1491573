import { and, count, eq, gt, gte, sql } from "drizzle-orm";
import { agents, approvals, decisions, reservations } from "@tollgate/db";
import { z } from "zod";
import type { Action } from "../context";
import { isoTime, money } from "./wire";

/** The window the summary's decision and spend figures cover. */
export const summaryDays = 30;

export const dashboardSummary = z.object({
  since: isoTime,
  agents: z.object({ total: z.number().int(), active: z.number().int(), suspended: z.number().int() }),
  decisions: z.object({ allow: z.number().int(), deny: z.number().int(), pending: z.number().int() }),
  pendingApprovals: z.number().int(),
  /** Committed spend in the window, one entry per currency (amounts in different currencies never add up). */
  committedSpend: z.array(money),
});
export type DashboardSummary = z.infer<typeof dashboardSummary>;

/** The organization's headline numbers over the last `summaryDays` days. */
export async function getDashboardSummary({ ctx }: Action): Promise<z.input<typeof dashboardSummary>> {
  const organizationId = ctx.session.organizationId;
  const now = new Date();
  const since = new Date(now.getTime() - summaryDays * 24 * 60 * 60 * 1000);

  const agentRows = await ctx.db
    .select({ status: agents.status, n: count() })
    .from(agents)
    .where(eq(agents.organizationId, organizationId))
    .groupBy(agents.status);
  const decisionRows = await ctx.db
    .select({ outcome: decisions.outcome, n: count() })
    .from(decisions)
    .where(and(eq(decisions.organizationId, organizationId), gte(decisions.createdAt, since)))
    .groupBy(decisions.outcome);
  const [{ pending } = { pending: 0 }] = await ctx.db
    .select({ pending: count() })
    .from(approvals)
    .where(and(eq(approvals.organizationId, organizationId), eq(approvals.status, "pending"), gt(approvals.expiresAt, now)));
  const spend = await ctx.db
    .select({
      currency: reservations.currency,
      amount: sql<number>`coalesce(sum(${reservations.committedAmount}), 0)`.mapWith(Number),
    })
    .from(reservations)
    .where(
      and(eq(reservations.organizationId, organizationId), eq(reservations.status, "committed"), gte(reservations.settledAt, since)),
    )
    .groupBy(reservations.currency)
    .orderBy(reservations.currency);

  const agentsBy = Object.fromEntries(agentRows.map((row) => [row.status, row.n]));
  const decisionsBy = Object.fromEntries(decisionRows.map((row) => [row.outcome, row.n]));
  return {
    since,
    agents: {
      total: agentRows.reduce((sum, row) => sum + row.n, 0),
      active: agentsBy.active ?? 0,
      suspended: agentsBy.suspended ?? 0,
    },
    decisions: { allow: decisionsBy.allow ?? 0, deny: decisionsBy.deny ?? 0, pending: decisionsBy.pending ?? 0 },
    pendingApprovals: pending,
    committedSpend: spend,
  };
}
