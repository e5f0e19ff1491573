import { and, asc, count, eq, gt, gte, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { agents, approvals, decisions, organizations, reservations, trustScores } from "@tollgate/db";
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

export const dashboardTimeline = z.object({
  timeZone: z.string(),
  /** Decisions per calendar day (in the organization's zone), every day of the window present. */
  decisions: z.array(z.object({ day: z.string(), allow: z.number().int(), deny: z.number().int(), pending: z.number().int() })),
  /** Committed spend per day, one series per currency. */
  spend: z.array(z.object({ currency: z.string(), points: z.array(z.object({ day: z.string(), amount: z.number().int() })) })),
  /** Every agent's current trust score, lowest first. */
  trust: z.array(z.object({ agent: z.string(), score: z.number().int() })),
});

/** The charts' data over the last `summaryDays` days, aggregated in the database by calendar day. */
export async function getDashboardTimeline({ ctx }: Action): Promise<z.input<typeof dashboardTimeline>> {
  const organizationId = ctx.session.organizationId;
  const now = new Date();
  const since = new Date(now.getTime() - summaryDays * 24 * 60 * 60 * 1000);
  const [organization] = await ctx.db.select({ timeZone: organizations.timeZone }).from(organizations).where(eq(organizations.id, organizationId));
  const timeZone = organization!.timeZone;
  const dayOf = (column: AnyPgColumn) => sql<string>`to_char(${column} at time zone ${timeZone}, 'YYYY-MM-DD')`;

  const [decisionRows, spendRows, trustRows] = await Promise.all([
    ctx.db
      .select({ day: dayOf(decisions.createdAt), outcome: decisions.outcome, n: count() })
      .from(decisions)
      .where(and(eq(decisions.organizationId, organizationId), gte(decisions.createdAt, since)))
      .groupBy(sql`1`, decisions.outcome),
    ctx.db
      .select({
        day: dayOf(reservations.settledAt),
        currency: reservations.currency,
        amount: sql<number>`coalesce(sum(${reservations.committedAmount}), 0)`.mapWith(Number),
      })
      .from(reservations)
      .where(and(eq(reservations.organizationId, organizationId), eq(reservations.status, "committed"), gte(reservations.settledAt, since)))
      .groupBy(sql`1`, reservations.currency),
    ctx.db
      .select({ agent: agents.name, score: trustScores.score })
      .from(trustScores)
      .innerJoin(agents, eq(agents.id, trustScores.agentId))
      .where(eq(trustScores.organizationId, organizationId))
      .orderBy(asc(trustScores.score), asc(agents.name)),
  ]);

  // Every day of the window, so quiet days show as zero rather than vanish from the chart.
  const days = Array.from({ length: summaryDays + 1 }, (_, index) =>
    new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(
      new Date(since.getTime() + index * 24 * 60 * 60 * 1000),
    ),
  ).filter((day, index, all) => all.indexOf(day) === index);
  const byDay = new Map(days.map((day) => [day, { day, allow: 0, deny: 0, pending: 0 }]));
  for (const row of decisionRows) {
    const entry = byDay.get(row.day);
    if (entry) entry[row.outcome] = row.n;
  }
  const currencies = [...new Set(spendRows.map((row) => row.currency))].sort();
  const spend = currencies.map((currency) => {
    const amounts = new Map(spendRows.filter((row) => row.currency === currency).map((row) => [row.day, row.amount]));
    return { currency, points: days.map((day) => ({ day, amount: amounts.get(day) ?? 0 })) };
  });
  return { timeZone, decisions: [...byDay.values()], spend, trust: trustRows };
}
