import { agents, envelopes, organizations, policies } from "@tollgate/db";
import { and, asc, count, desc, eq, gt, inArray, lte, sql } from "drizzle-orm";
import { z } from "zod";
import type { Action } from "../context";
import { DAY_MS } from "./dashboard-window";
import { isoTime, money, pageInput, pageOf, rowsOf, type PageInput } from "./wire";

/** The periods a burn-down covers: the calendar ones, which end. Session and all-time envelopes have no period end to project to. */
const calendarPeriods = ["day", "week", "month"] as const;

/** A page of the burn-down: ten envelopes fit one chart. */
export const envelopeBurnDownInput = pageInput.extend({ pageSize: z.number().int().min(1).max(50).default(10) });

export const envelopeBurnDown = pageOf(
  z.object({
    id: z.uuid(),
    agent: z.object({ id: z.uuid(), name: z.string() }).nullable(),
    /** The policy's name, null when the policy is gone (its envelopes outlive it until the period ends). */
    policy: z.string().nullable(),
    rule: z.string(),
    period: z.enum(calendarPeriods),
    periodStart: isoTime,
    periodEnd: isoTime,
    limit: money,
    /** Committed (spent) and held (reserved, not yet spent) so far this period, in the limit's currency. */
    committed: z.number().int(),
    held: z.number().int(),
    /**
     * When the limit is reached if spending goes on at this period's rate so far (a straight line
     * from the period start through today's committed spend); null when that is not before the
     * period ends, including when nothing was spent.
     */
    runsOutAt: isoTime.nullable(),
  }),
);
export type EnvelopeBurnDown = z.input<typeof envelopeBurnDown>;

/** Where a straight line from `start` (nothing spent) through `now` (`spent`) reaches `limit`, or null when not before `end`. */
export function projectRunOut({ start, end, now, limit, spent }: { start: Date; end: Date; now: Date; limit: number; spent: number }): Date | null {
  if (spent <= 0) return limit <= 0 ? start : null;
  const at = new Date(start.getTime() + ((now.getTime() - start.getTime()) * limit) / spent);
  return at < end ? at : null;
}

/**
 * The organization's envelopes in their current calendar period (as the workers' budget tables
 * hold them: the limit from the published policy, and what was held and committed against it),
 * most used first, each with its projected run-out.
 */
export async function getEnvelopeBurnDown({ ctx, input }: Action<PageInput>): Promise<EnvelopeBurnDown> {
  const now = new Date();
  // A period ends at the same local time one period later, in the organization's zone (as the worker's calendar counts).
  const periodEnd = sql<Date>`((${envelopes.periodStart} at time zone ${organizations.timeZone}) + ('1 ' || ${envelopes.period}::text)::interval) at time zone ${organizations.timeZone}`;
  const current = and(
    eq(envelopes.organizationId, ctx.session.organizationId),
    inArray(envelopes.period, [...calendarPeriods]),
    lte(envelopes.periodStart, now),
    // No period is longer than a month: older windows are skipped before the period end is worked out.
    gt(envelopes.periodStart, new Date(now.getTime() - 32 * DAY_MS)),
    sql`${periodEnd} > ${now.toISOString()}::timestamptz`,
  );
  // The rule ref in an envelope key (`env/agent:<id>/<policyId>:<ruleId>/<currency>/<window>`) names the policy and rule.
  const ruleRef = sql`split_part(${envelopes.envelopeKey}, '/', 3)`;
  const used = sql`case when ${envelopes.limitAmount} = 0 then 1 else ${envelopes.committedAmount}::float8 / ${envelopes.limitAmount} end`;
  const [rows, [{ total } = { total: 0 }]] = await Promise.all([
    ctx.db
      .select({
        id: envelopes.id,
        agentId: envelopes.agentId,
        agentName: agents.name,
        policy: policies.name,
        rule: sql<string>`split_part(${ruleRef}, ':', 2)`,
        period: envelopes.period,
        periodStart: envelopes.periodStart,
        periodEndMs: sql<number>`extract(epoch from ${periodEnd}) * 1000`.mapWith(Number),
        limitAmount: envelopes.limitAmount,
        currency: envelopes.currency,
        committed: envelopes.committedAmount,
        held: envelopes.heldAmount,
      })
      .from(envelopes)
      .innerJoin(organizations, eq(organizations.id, envelopes.organizationId))
      .leftJoin(agents, eq(agents.id, envelopes.agentId))
      .leftJoin(policies, and(eq(policies.organizationId, envelopes.organizationId), sql`${policies.id}::text = split_part(${ruleRef}, ':', 1)`))
      .where(current)
      .orderBy(desc(used), asc(envelopes.envelopeKey))
      .limit(rowsOf(input).limit)
      .offset(rowsOf(input).offset),
    ctx.db
      .select({ total: count() })
      .from(envelopes)
      .innerJoin(organizations, eq(organizations.id, envelopes.organizationId))
      .where(current),
  ]);
  return {
    items: rows.map((row) => ({
      id: row.id,
      agent: row.agentId === null || row.agentName === null ? null : { id: row.agentId, name: row.agentName },
      policy: row.policy,
      rule: row.rule,
      period: row.period as (typeof calendarPeriods)[number],
      periodStart: row.periodStart,
      periodEnd: new Date(row.periodEndMs),
      limit: { amount: row.limitAmount, currency: row.currency },
      committed: row.committed,
      held: row.held,
      runsOutAt: projectRunOut({ start: row.periodStart, end: new Date(row.periodEndMs), now, limit: row.limitAmount, spent: row.committed }),
    })),
    page: input.page,
    pageSize: input.pageSize,
    total,
  };
}
