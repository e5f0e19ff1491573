import { and, asc, count, eq, gt, gte, sql } from "drizzle-orm";
import { agents, approvals, decisions, reservations, trustScores } from "@tollgate/db";
import { z } from "zod";
import type { Action } from "../context";
import { milliseconds } from "./approval-latency";
import { dashboardWindow, DAY_MS } from "./dashboard-window";
import { isoTime, money } from "./wire";

/** The windows the dashboards offer, in days back from now; 30 unless asked. */
export const dashboardWindows = [7, 30, 90] as const;
export const defaultDashboardDays = 30;

export const dashboardRange = z.object({
  days: z.union(dashboardWindows.map((days) => z.literal(days)), { error: `must be one of ${dashboardWindows.join(", ")} days` }),
});
export type DashboardRange = z.infer<typeof dashboardRange>;

export const dashboardSummary = z.object({
  since: isoTime,
  agents: z.object({ total: z.number().int(), active: z.number().int(), suspended: z.number().int() }),
  decisions: z.object({ allow: z.number().int(), deny: z.number().int(), pending: z.number().int() }),
  pendingApprovals: z.number().int(),
  /** Committed spend in the window, one entry per currency (amounts in different currencies never add up). */
  committedSpend: z.array(money),
});
export type DashboardSummary = z.infer<typeof dashboardSummary>;

/** The organization's headline numbers over the last `days` days. */
export async function getDashboardSummary({ ctx, input }: Action<DashboardRange>): Promise<z.input<typeof dashboardSummary>> {
  const organizationId = ctx.session.organizationId;
  const now = new Date();
  const since = new Date(now.getTime() - input.days * DAY_MS);

  // Independent reads, sent together: on PostgreSQL each runs on its own connection.
  const [agentRows, decisionRows, [{ pending } = { pending: 0 }], spend] = await Promise.all([
    ctx.db.select({ status: agents.status, n: count() }).from(agents).where(eq(agents.organizationId, organizationId)).groupBy(agents.status),
    ctx.db
      .select({ outcome: decisions.outcome, n: count() })
      .from(decisions)
      .where(and(eq(decisions.organizationId, organizationId), gte(decisions.createdAt, since)))
      .groupBy(decisions.outcome),
    ctx.db
      .select({ pending: count() })
      .from(approvals)
      .where(and(eq(approvals.organizationId, organizationId), eq(approvals.status, "pending"), gt(approvals.expiresAt, now))),
    ctx.db
      .select({
        currency: reservations.currency,
        amount: sql<number>`coalesce(sum(${reservations.committedAmount}), 0)`.mapWith(Number),
      })
      .from(reservations)
      .where(
        and(eq(reservations.organizationId, organizationId), eq(reservations.status, "committed"), gte(reservations.settledAt, since)),
      )
      .groupBy(reservations.currency)
      .orderBy(reservations.currency),
  ]);

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
  /**
   * Approvals by the day they were asked for: how many, how they ended (pending: not yet), and the
   * median time a human took to decide (null on a day nobody decided one).
   */
  approvals: z.array(
    z.object({
      day: z.string(),
      approved: z.number().int(),
      denied: z.number().int(),
      expired: z.number().int(),
      pending: z.number().int(),
      medianDecisionMs: z.number().int().nullable(),
    }),
  ),
});

/** The charts' data over the last `days` days, aggregated in the database by calendar day. */
export async function getDashboardTimeline({ ctx, input }: Action<DashboardRange>): Promise<z.input<typeof dashboardTimeline>> {
  const organizationId = ctx.session.organizationId;
  const { since, timeZone, days, dateOf, formatted } = await dashboardWindow(ctx, input.days);
  const decisionDays = ctx.db
    .select({ day: dateOf(decisions.createdAt), outcome: decisions.outcome })
    .from(decisions)
    .where(and(eq(decisions.organizationId, organizationId), gte(decisions.createdAt, since)))
    .as("decision_days");
  const approvalDays = ctx.db
    .select({ day: dateOf(approvals.createdAt), status: approvals.status, waitMs: milliseconds(approvals.createdAt, approvals.decidedAt).as("wait_ms") })
    .from(approvals)
    .where(and(eq(approvals.organizationId, organizationId), gte(approvals.createdAt, since)))
    .as("approval_days");
  const spendDays = ctx.db
    .select({ day: dateOf(reservations.settledAt), currency: reservations.currency, amount: reservations.committedAmount })
    .from(reservations)
    .where(and(eq(reservations.organizationId, organizationId), eq(reservations.status, "committed"), gte(reservations.settledAt, since)))
    .as("spend_days");

  const [decisionRows, spendRows, trustRows, approvalRows] = await Promise.all([
    ctx.db
      .select({ day: formatted(decisionDays.day), outcome: decisionDays.outcome, n: count() })
      .from(decisionDays)
      .groupBy(decisionDays.day, decisionDays.outcome),
    ctx.db
      .select({
        day: formatted(spendDays.day),
        currency: spendDays.currency,
        amount: sql<number>`coalesce(sum(${spendDays.amount}), 0)`.mapWith(Number),
      })
      .from(spendDays)
      .groupBy(spendDays.day, spendDays.currency),
    ctx.db
      .select({ agent: agents.name, score: trustScores.score })
      .from(trustScores)
      .innerJoin(agents, eq(agents.id, trustScores.agentId))
      .where(eq(trustScores.organizationId, organizationId))
      .orderBy(asc(trustScores.score), asc(agents.name)),
    ctx.db
      .select({
        day: formatted(approvalDays.day),
        approved: sql<number>`count(*) filter (where ${approvalDays.status} = 'approved')`.mapWith(Number),
        denied: sql<number>`count(*) filter (where ${approvalDays.status} = 'denied')`.mapWith(Number),
        expired: sql<number>`count(*) filter (where ${approvalDays.status} = 'expired')`.mapWith(Number),
        pending: sql<number>`count(*) filter (where ${approvalDays.status} = 'pending')`.mapWith(Number),
        // Only a human's answer counts as a decision: an expiry is nobody deciding.
        medianDecisionMs: sql<number | null>`(percentile_cont(0.5) within group (order by ${approvalDays.waitMs}) filter (where ${approvalDays.status} in ('approved', 'denied')))::int`,
      })
      .from(approvalDays)
      .groupBy(approvalDays.day),
  ]);

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
  const approvalsOn = new Map(approvalRows.map((row) => [row.day, row]));
  const approvalDaily = days.map((day) => approvalsOn.get(day) ?? { day, approved: 0, denied: 0, expired: 0, pending: 0, medianDecisionMs: null });
  return { timeZone, decisions: [...byDay.values()], spend, trust: trustRows, approvals: approvalDaily };
}
