import { decisions } from "@tollgate/db";
import { and, count, desc, eq, gte, sql } from "drizzle-orm";
import { z } from "zod";
import type { Action } from "../context";
import type { DashboardRange } from "./dashboard";
import { DAY_MS } from "./dashboard-window";

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
  const since = new Date(Date.now() - input.days * DAY_MS);
  // A deny without reasons would be a worker bug; it is counted under its own code, not lost.
  const code = sql<string>`coalesce(${decisions.reasons} -> 0 ->> 'code', '(none)')`;
  const rows = await ctx.db
    .select({ code, count: count() })
    .from(decisions)
    .where(and(eq(decisions.organizationId, ctx.session.organizationId), eq(decisions.outcome, "deny"), gte(decisions.createdAt, since)))
    .groupBy(code)
    .orderBy(desc(count()), code);
  const total = rows.reduce((sum, row) => sum + row.count, 0);
  const shown = rows.slice(0, DENIAL_REASONS).map((row) => ({ code: row.code as string | null, count: row.count }));
  const rest = rows.slice(DENIAL_REASONS).reduce((sum, row) => sum + row.count, 0);
  if (rest > 0) shown.push({ code: null, count: rest });
  return { total, reasons: shown.map((row) => ({ ...row, share: row.count / total })) };
}
