import { dailyDecisions, decisions } from "@tollgate/db";
import { and, desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Action, SignedInContext } from "../context";
import { firstReasonCode } from "../rollups/keys";
import type { DashboardRange } from "./dashboard";
import { dashboardWindow, type DashboardWindow } from "./dashboard-window";

/** The most frequent reasons charted; the rest add up to one "other" row. */
export const DENIAL_REASONS = 8;

export const denialReasons = z.object({
  /** Every deny decision in the window. */
  total: z.number().int(),
  /**
   * Deny decisions by the code of their first reason (what decided), most frequent first, then
   * "other" (code null) when anything is left; `share` is the fraction of `total`, 0–1.
   */
  reasons: z.array(z.object({ code: z.string().nullable(), count: z.number().int(), share: z.number() })),
});
export type DenialReasons = z.input<typeof denialReasons>;

/** Deny decisions over the last `days` days, counted by their first reason code in the database. */
export async function getDenialReasons({ ctx, input }: Action<DashboardRange>): Promise<DenialReasons> {
  return countDenialReasons(ctx, await dashboardWindow(ctx, input.days));
}

/** Deny decisions over `window` by their first reason code: its sealed days from the daily rollup, the rest live. */
export async function countDenialReasons(ctx: SignedInContext, { organizationId, live, rolledUp }: DashboardWindow): Promise<DenialReasons> {
  const codes = ctx.db
    .select({ code: firstReasonCode.as("code"), n: sql<number>`count(*)`.as("n") })
    .from(decisions)
    .where(and(eq(decisions.organizationId, organizationId), eq(decisions.outcome, "deny"), live(decisions.createdAt)))
    .groupBy(sql`1`)
    .unionAll(
      ctx.db
        .select({ code: sql<string>`${dailyDecisions.reasonCode}`.as("code"), n: sql<number>`sum(${dailyDecisions.decisions})`.as("n") })
        .from(dailyDecisions)
        .where(and(rolledUp(dailyDecisions), eq(dailyDecisions.outcome, "deny")))
        .groupBy(dailyDecisions.reasonCode),
    )
    .as("codes");
  const count = sql<number>`sum(${codes.n})`.mapWith(Number);
  const rows = await ctx.db.select({ code: codes.code, count }).from(codes).groupBy(codes.code).orderBy(desc(count), codes.code);
  const total = rows.reduce((sum, row) => sum + row.count, 0);
  const shown = rows.slice(0, DENIAL_REASONS).map((row) => ({ code: row.code as string | null, count: row.count }));
  const rest = rows.slice(DENIAL_REASONS).reduce((sum, row) => sum + row.count, 0);
  if (rest > 0) shown.push({ code: null, count: rest });
  return { total, reasons: shown.map((row) => ({ ...row, share: row.count / total })) };
}
