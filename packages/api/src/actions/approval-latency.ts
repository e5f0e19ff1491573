import { agents, approvals, users } from "@tollgate/db";
import { and, desc, eq, gte, ne, sql } from "drizzle-orm";
import { z } from "zod";
import type { Action } from "../context";
import { isoTime, money, moneyOrNull } from "./wire";

const RECENT_LIMIT = 20;
const MEDIAN_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

/** The time from `from` to `to` in whole milliseconds (null where either is). */
export const milliseconds = (from: unknown, to: unknown) => sql<number | null>`(extract(epoch from (${to} - ${from})) * 1000)::int`;

/** Recently settled approvals with their latency: request to human decision, and decision to agent informed. */
export const recentApprovals = z.object({
  items: z.array(
    z.object({
      id: z.uuid(),
      agent: z.object({ id: z.uuid(), name: z.string() }),
      action: z.string(),
      amount: money.nullable(),
      status: z.enum(["approved", "denied", "expired"]),
      decidedBy: z.string().nullable(),
      decidedAt: isoTime,
      /** From the request to the human's decision (or the expiry). */
      decisionMs: z.number().int(),
      /** From the decision to the agent's long-poll returning it; null while the agent has not asked. */
      informMs: z.number().int().nullable(),
    }),
  ),
  /** Medians over the last seven days, null without any. */
  median: z.object({ decisionMs: z.number().int().nullable(), informMs: z.number().int().nullable() }),
});

export async function readRecentApprovals({ ctx }: Action) {
  const settled = and(eq(approvals.organizationId, ctx.session.organizationId), ne(approvals.status, "pending"));
  const decisionMs = milliseconds(approvals.createdAt, approvals.decidedAt);
  const informMs = milliseconds(approvals.decidedAt, approvals.agentInformedAt);
  const rows = await ctx.db
    .select({
      id: approvals.id,
      agent: { id: agents.id, name: agents.name },
      action: approvals.action,
      amount: approvals.amount,
      currency: approvals.currency,
      status: approvals.status,
      decidedBy: users.name,
      decidedAt: approvals.decidedAt,
      decisionMs,
      informMs,
    })
    .from(approvals)
    .innerJoin(agents, and(eq(agents.organizationId, approvals.organizationId), eq(agents.id, approvals.agentId)))
    .leftJoin(users, and(eq(users.organizationId, approvals.organizationId), eq(users.id, approvals.decidedByUserId)))
    .where(settled)
    .orderBy(desc(approvals.decidedAt), desc(approvals.id))
    .limit(RECENT_LIMIT);
  const [median] = await ctx.db
    .select({
      decisionMs: sql<number | null>`(percentile_cont(0.5) within group (order by ${decisionMs}))::int`,
      informMs: sql<number | null>`(percentile_cont(0.5) within group (order by ${informMs}))::int`,
    })
    .from(approvals)
    .where(and(settled, gte(approvals.decidedAt, new Date(Date.now() - MEDIAN_WINDOW_MS))));
  return {
    // A settled approval always has its decision time (a CHECK), so neither is null here.
    items: rows.map(({ amount, currency, status, decidedAt, decisionMs, ...row }) => ({
      ...row,
      amount: moneyOrNull(amount, currency),
      status: status as Exclude<typeof status, "pending">,
      decidedAt: decidedAt!,
      decisionMs: decisionMs ?? 0,
    })),
    median: median ?? { decisionMs: null, informMs: null },
  };
}
