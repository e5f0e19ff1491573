import { agents, dailySpend, reservations } from "@tollgate/db";
import { and, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { Action, SignedInContext } from "../context";
import { decisionOfHold, spendBreakdowns, spendKeys, type SpendBreakdown } from "../rollups/keys";
import { dashboardRange } from "./dashboard";
import { dashboardWindow, type DashboardWindow } from "./dashboard-window";

export { spendBreakdowns, type SpendBreakdown };

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

const unnamed: Record<SpendBreakdown, string> = { agent: "(unknown agent)", action: "(not logged)", category: "(no category)", chain: "(no chain)" };

/**
 * Committed spend per calendar day over the window, split by `by` into its top series plus
 * "other". The database groups the spend by day and key, ranks the keys by their window total
 * and folds everything past the top ones into "other", so only (days × series) rows come back.
 */
export async function getSpendBreakdown({ ctx, input }: Action<SpendBreakdownInput>): Promise<SpendBreakdownResult> {
  return breakDownSpend(ctx, await dashboardWindow(ctx, input.days), input.by);
}

/** Committed spend over `window` split by `by`: its sealed days from the daily rollup, the rest live. */
export async function breakDownSpend(ctx: SignedInContext, window: DashboardWindow, by: SpendBreakdown): Promise<SpendBreakdownResult> {
  const { organizationId, timeZone, days, dateOf, formatted, live, rolledUp } = window;
  // A reservation's decision carries the action, category and chain; the join is by its unique id.
  const spend = ctx.db
    .select({
      day: dateOf(reservations.settledAt),
      currency: reservations.currency,
      key: spendKeys[by].as("key"),
      amount: sql<number>`sum(${reservations.committedAmount})`.as("amount"),
    })
    .from(reservations)
    .$dynamic();
  // Who spent is on the hold itself; what on, in which category and along which chain are on its
  // decision. Spend by agent reads the spend index alone, without a join per hold.
  const joined = by === "agent" ? spend : spend.leftJoinLateral(decisionOfHold(ctx.db, organizationId), sql`true`);
  const daily = joined
    .where(and(eq(reservations.organizationId, organizationId), eq(reservations.status, "committed"), live(reservations.settledAt)))
    .groupBy(sql`1, 2, 3`)
    .unionAll(
      // Sealed days come rolled up already at this grain: one row per day, currency and key.
      ctx.db
        .select({ day: sql<string>`${dailySpend.day}`.as("day"), currency: dailySpend.currency, key: sql<string>`${dailySpend.key}`.as("key"), amount: sql<number>`${dailySpend.amount}`.as("amount") })
        .from(dailySpend)
        .where(and(rolledUp(dailySpend), eq(dailySpend.breakdown, by))),
    )
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

  const names = await namesOf(ctx, by, rows.map((row) => row.key));
  const labelOf = (key: string | null): string => {
    if (key === null) return "other";
    if (key === "") return unnamed[by];
    if (by === "agent") return names.get(key) ?? unnamed.agent;
    // A chain is stored from the acting agent up to its root delegator; it reads root first.
    if (by === "chain") return key.split(",").reverse().map((id) => names.get(id) ?? id).join(" → ");
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
  return { timeZone, by, currencies };
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
