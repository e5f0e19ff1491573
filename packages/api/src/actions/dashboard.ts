import { and, asc, count, eq, gt, gte, sql, type SQL } from "drizzle-orm";
import { agents, approvals, dailyDecisions, dailySpend, decisions, reservations, trustScores } from "@tollgate/db";
import { z } from "zod";
import type { Action, SignedInContext } from "../context";
import { milliseconds } from "./approval-latency";
import { dashboardWindow, type DashboardWindow } from "./dashboard-window";
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
  return summarizeDashboard(ctx, await dashboardWindow(ctx, input.days));
}

/** The headline numbers over `window`: its sealed days from the daily rollup, the rest live. */
export async function summarizeDashboard(ctx: SignedInContext, { organizationId, now, since, live, rolledUp }: DashboardWindow): Promise<z.input<typeof dashboardSummary>> {
  const outcomes = ctx.db
    .select({ outcome: decisions.outcome, n: sql<number>`count(*)`.as("n") })
    .from(decisions)
    .where(and(eq(decisions.organizationId, organizationId), live(decisions.createdAt)))
    .groupBy(decisions.outcome)
    .unionAll(
      ctx.db
        .select({ outcome: dailyDecisions.outcome, n: sql<number>`sum(${dailyDecisions.decisions})`.as("n") })
        .from(dailyDecisions)
        .where(rolledUp(dailyDecisions))
        .groupBy(dailyDecisions.outcome),
    )
    .as("outcomes");
  const currencies = ctx.db
    .select({ currency: reservations.currency, amount: sql<number>`sum(${reservations.committedAmount})`.as("amount") })
    .from(reservations)
    .where(and(eq(reservations.organizationId, organizationId), eq(reservations.status, "committed"), live(reservations.settledAt)))
    .groupBy(reservations.currency)
    .unionAll(totalRolledSpend(ctx, rolledUp, (table) => ({ currency: table.currency })))
    .as("currencies");

  // Independent reads, sent together: on PostgreSQL each runs on its own connection.
  const [agentRows, decisionRows, [{ pending } = { pending: 0 }], spend] = await Promise.all([
    ctx.db.select({ status: agents.status, n: count() }).from(agents).where(eq(agents.organizationId, organizationId)).groupBy(agents.status),
    ctx.db.select({ outcome: outcomes.outcome, n: sql<number>`sum(${outcomes.n})`.mapWith(Number) }).from(outcomes).groupBy(outcomes.outcome),
    ctx.db
      .select({ pending: count() })
      .from(approvals)
      .where(and(eq(approvals.organizationId, organizationId), eq(approvals.status, "pending"), gt(approvals.expiresAt, now))),
    ctx.db
      .select({ currency: currencies.currency, amount: sql<number>`coalesce(sum(${currencies.amount}), 0)`.mapWith(Number) })
      .from(currencies)
      .groupBy(currencies.currency)
      .orderBy(currencies.currency),
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
  return chartTimeline(ctx, await dashboardWindow(ctx, input.days));
}

/** The charts' data over `window`: decisions and spend of its sealed days from the daily rollup, the rest live; approvals live. */
export async function chartTimeline(ctx: SignedInContext, window: DashboardWindow): Promise<z.input<typeof dashboardTimeline>> {
  const { organizationId, since, timeZone, days, dateOf, formatted, live, rolledUp } = window;
  const decisionDays = ctx.db
    .select({ day: dateOf(decisions.createdAt), outcome: decisions.outcome, n: sql<number>`count(*)`.as("n") })
    .from(decisions)
    .where(and(eq(decisions.organizationId, organizationId), live(decisions.createdAt)))
    .groupBy(sql`1, 2`)
    .unionAll(
      ctx.db
        .select({ day: sql<string>`${dailyDecisions.day}`.as("day"), outcome: dailyDecisions.outcome, n: sql<number>`sum(${dailyDecisions.decisions})`.as("n") })
        .from(dailyDecisions)
        .where(rolledUp(dailyDecisions))
        .groupBy(dailyDecisions.day, dailyDecisions.outcome),
    )
    .as("decision_days");
  // Approvals change status after they are asked for, so their chart is never rolled up (a small table).
  const approvalDays = ctx.db
    .select({ day: dateOf(approvals.createdAt), status: approvals.status, waitMs: milliseconds(approvals.createdAt, approvals.decidedAt).as("wait_ms") })
    .from(approvals)
    .where(and(eq(approvals.organizationId, organizationId), gte(approvals.createdAt, since)))
    .as("approval_days");
  const spendDays = ctx.db
    .select({ day: dateOf(reservations.settledAt), currency: reservations.currency, amount: sql<number>`sum(${reservations.committedAmount})`.as("amount") })
    .from(reservations)
    .where(and(eq(reservations.organizationId, organizationId), eq(reservations.status, "committed"), live(reservations.settledAt)))
    .groupBy(sql`1, 2`)
    .unionAll(totalRolledSpend(ctx, rolledUp, (table) => ({ day: sql<string>`${table.day}`.as("day"), currency: table.currency })))
    .as("spend_days");

  const [decisionRows, spendRows, trustRows, approvalRows] = await Promise.all([
    ctx.db
      .select({ day: formatted(decisionDays.day), outcome: decisionDays.outcome, n: sql<number>`sum(${decisionDays.n})`.mapWith(Number) })
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

/**
 * Rolled-up committed spend per currency (and whatever else `by` groups on): the `agent`
 * breakdown's rows, since every breakdown adds up to the day's total.
 */
function totalRolledSpend<Groups extends Record<string, SQL.Aliased | typeof dailySpend.currency>>(
  ctx: SignedInContext,
  rolledUp: DashboardWindow["rolledUp"],
  by: (table: typeof dailySpend) => Groups,
) {
  const groups = by(dailySpend);
  return ctx.db
    .select({ ...groups, amount: sql<number>`sum(${dailySpend.amount})`.as("amount") })
    .from(dailySpend)
    .where(and(rolledUp(dailySpend), eq(dailySpend.breakdown, "agent")))
    .groupBy(...Object.values(groups));
}
