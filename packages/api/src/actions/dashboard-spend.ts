import { agents, decisions, reservations } from "@tollgate/db";
import { and, eq, gte, inArray, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Action, SignedInContext } from "../context";
import { dashboardRange } from "./dashboard";
import { dashboardWindow } from "./dashboard-window";

/** How committed spend can be broken down: who spent it, on what, in which category, along which delegation chain. */
export const spendBreakdowns = ["agent", "action", "category", "chain"] as const;
export type SpendBreakdown = (typeof spendBreakdowns)[number];

/** The largest series each breakdown charts; the rest add up to one "other" series. */
export const SPEND_SERIES = 5;

export const spendBreakdownInput = dashboardRange.extend({
  by: z.enum(spendBreakdowns, { error: `must be one of ${spendBreakdowns.join(", ")}` }),
});
export type SpendBreakdownInput = z.infer<typeof spendBreakdownInput>;

export const spendBreakdown = z.object({
  timeZone: z.string(),
  by: z.enum(spendBreakdowns),
  /** One chart per currency (amounts in different currencies never add up), largest spend first. */
  currencies: z.array(
    z.object({
      currency: z.string(),
      /** The top series by spend in the window, largest first, then "other" (key null) when anything is left. */
      series: z.array(z.object({ key: z.string().nullable(), label: z.string(), total: z.number().int() })),
      /** Every day of the window; `amounts[i]` is series i's committed spend that day, in minor units. */
      points: z.array(z.object({ day: z.string(), amounts: z.array(z.number().int()) })),
    }),
  ),
});
export type SpendBreakdownResult = z.input<typeof spendBreakdown>;

// What a series is keyed by, as text. Spend whose decision is not logged (yet) or has no category
// or chain is keyed '' and labelled as such, not dropped: the breakdown adds up to the total.
const keyOf: Record<SpendBreakdown, SQL<string>> = {
  agent: sql<string>`${reservations.agentId}::text`,
  action: sql<string>`coalesce(${decisions.action}, '')`,
  category: sql<string>`coalesce(${decisions.category}, '')`,
  chain: sql<string>`coalesce(array_to_string(${decisions.chain}, ','), '')`,
};
const unnamed: Record<SpendBreakdown, string> = { agent: "(unknown agent)", action: "(not logged)", category: "(no category)", chain: "(no chain)" };

/**
 * Committed spend per calendar day over the window, split by `by` into its top series plus
 * "other". The database groups the spend by day and key, ranks the keys by their window total
 * and folds everything past the top ones into "other", so only (days × series) rows come back.
 */
export async function getSpendBreakdown({ ctx, input }: Action<SpendBreakdownInput>): Promise<SpendBreakdownResult> {
  const organizationId = ctx.session.organizationId;
  const { since, timeZone, days, dateOf, formatted } = await dashboardWindow(ctx, input.days);
  // A reservation's decision carries the action, category and chain; the join is by its unique id.
  const spend = ctx.db
    .select({
      day: dateOf(reservations.settledAt),
      currency: reservations.currency,
      key: keyOf[input.by].as("key"),
      amount: sql<number>`sum(${reservations.committedAmount})`.as("amount"),
    })
    .from(reservations)
    .$dynamic();
  // Who spent is on the hold itself; what on, in which category and along which chain are on its
  // decision. Spend by agent reads the spend index alone, without a join per hold.
  const joined = input.by === "agent" ? spend : spend.leftJoin(decisions, and(eq(decisions.id, reservations.decisionId), eq(decisions.organizationId, organizationId)));
  const daily = joined
    .where(and(eq(reservations.organizationId, organizationId), eq(reservations.status, "committed"), gte(reservations.settledAt, since)))
    .groupBy(sql`1, 2, 3`)
    .as("daily");
  // Window functions cannot nest, so each key's window total is one step and its rank the next.
  const totalled = ctx.db
    .select({
      day: daily.day,
      currency: daily.currency,
      key: daily.key,
      amount: daily.amount,
      keyTotal: sql<number>`sum(${daily.amount}) over (partition by ${daily.currency}, ${daily.key})`.as("key_total"),
    })
    .from(daily)
    .as("totalled");
  const ranked = ctx.db
    .select({
      day: totalled.day,
      currency: totalled.currency,
      key: totalled.key,
      amount: totalled.amount,
      place: sql<number>`dense_rank() over (partition by ${totalled.currency} order by ${totalled.keyTotal} desc, ${totalled.key})`.as("place"),
    })
    .from(totalled)
    .as("ranked");
  const rows = await ctx.db
    .select({
      day: formatted(ranked.day),
      currency: ranked.currency,
      key: sql<string | null>`case when ${ranked.place} <= ${SPEND_SERIES} then ${ranked.key} end`,
      amount: sql<number>`sum(${ranked.amount})`.mapWith(Number),
    })
    .from(ranked)
    .groupBy(sql`1, 2, 3`);

  const names = await namesOf(ctx, input.by, rows.map((row) => row.key));
  const labelOf = (key: string | null): string => {
    if (key === null) return "other";
    if (key === "") return unnamed[input.by];
    if (input.by === "agent") return names.get(key) ?? unnamed.agent;
    // A chain is stored from the acting agent up to its root delegator; it reads root first.
    if (input.by === "chain") return key.split(",").reverse().map((id) => names.get(id) ?? id).join(" → ");
    return key;
  };

  const currencies = [...new Set(rows.map((row) => row.currency))].map((currency) => {
    const ofCurrency = rows.filter((row) => row.currency === currency);
    const totals = new Map<string | null, number>();
    for (const row of ofCurrency) totals.set(row.key, (totals.get(row.key) ?? 0) + row.amount);
    // Largest first, "other" last whatever its size: it is not one thing.
    const keys = [...totals.keys()].sort((a, b) => (a === null ? 1 : b === null ? -1 : totals.get(b)! - totals.get(a)! || a.localeCompare(b)));
    const byDayAndKey = new Map(ofCurrency.map((row) => [`${row.day}\u0000${row.key ?? "\u0001"}`, row.amount]));
    return {
      currency,
      series: keys.map((key) => ({ key, label: labelOf(key), total: totals.get(key)! })),
      points: days.map((day) => ({ day, amounts: keys.map((key) => byDayAndKey.get(`${day}\u0000${key ?? "\u0001"}`) ?? 0) })),
    };
  });
  const spent = (currency: (typeof currencies)[number]) => currency.series.reduce((sum, series) => sum + series.total, 0);
  currencies.sort((a, b) => spent(b) - spent(a) || a.currency.localeCompare(b.currency));
  return { timeZone, by: input.by, currencies };
}

/** The names of the agents a breakdown's keys mention (agent ids, or comma-joined chains of them). */
async function namesOf({ db, session }: SignedInContext, by: SpendBreakdown, keys: (string | null)[]): Promise<Map<string, string>> {
  if (by !== "agent" && by !== "chain") return new Map();
  const ids = [...new Set(keys.flatMap((key) => (key ? key.split(",") : [])))];
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: agents.id, name: agents.name })
    .from(agents)
    .where(and(eq(agents.organizationId, session.organizationId), inArray(agents.id, ids)));
  return new Map(rows.map((row) => [row.id, row.name]));
}
