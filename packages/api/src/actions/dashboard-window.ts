import { organizations } from "@tollgate/db";
import { and, eq, gte, lt, or, sql, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import type { SignedInContext } from "../context";
import { addDays, calendarDayIn, localDate, sealedDays, startOfDay, type DayRange } from "../rollups/calendar";
import { fillRollup, rollupRowsOf, type RollupColumns } from "../rollups/fill";

export const DAY_MS = 24 * 60 * 60 * 1000;

/** The time span a dashboard chart covers, and how it names calendar days in the organization's zone. */
export interface DashboardWindow {
  organizationId: string;
  now: Date;
  since: Date;
  timeZone: string;
  /** Every calendar day of the window (`2026-11-24`), oldest first, so quiet days chart as zero rather than vanish. */
  days: string[];
  /** A timestamp column's calendar date in the organization's zone, aliased `day` (a cheap cast per row). */
  dateOf: (column: AnyPgColumn) => SQL.Aliased<string>;
  /** A date as `YYYY-MM-DD`: formatted once per group, not once per row. */
  formatted: (day: unknown) => SQL<string>;
  /** The sealed, whole days read from the daily rollup (already filled), or null when every day is read live. */
  rolled: DayRange | null;
  /**
   * Base-table rows (dated by `column`) of the window that the rollup does not cover: the partial
   * first day and the days still filling. Together with `rolledUp`, each row of the window counts once.
   */
  live: (column: AnyPgColumn) => SQL;
  /** A rollup table's rows for this organization and zone on the `rolled` days (none when null). */
  rolledUp: (table: RollupColumns) => SQL;
}

/** Where a window's sealed days come from: the daily rollup (filled first where missing), or the base tables like the rest. */
export type DaySource = "rollup" | "live";

/**
 * The last `days` days for the signed-in organization, in its time zone. With the rollup as the
 * source (the default), missing sealed days are rolled up before this returns, so reads can rely on it.
 */
export async function dashboardWindow(
  ctx: SignedInContext,
  days: number,
  { now = new Date(), source = "rollup" }: { now?: Date; source?: DaySource } = {},
): Promise<DashboardWindow> {
  const organizationId = ctx.session.organizationId;
  const since = new Date(now.getTime() - days * DAY_MS);
  const [organization] = await ctx.db.select({ timeZone: organizations.timeZone }).from(organizations).where(eq(organizations.id, organizationId));
  const timeZone = organization!.timeZone;
  const calendarDay = calendarDayIn(timeZone);
  const allDays = Array.from({ length: days + 1 }, (_, index) => calendarDay(new Date(since.getTime() + index * DAY_MS)));
  const rolled = source === "rollup" ? sealedDays(since, now, timeZone) : null;
  if (rolled) await fillRollup(ctx.db, { organizationId, timeZone }, rolled);
  return {
    organizationId,
    now,
    since,
    timeZone,
    days: allDays.filter((day, index) => allDays.indexOf(day) === index),
    dateOf: (column) => localDate(column, timeZone).as("day"),
    formatted: (day) => sql<string>`to_char(${day}, 'YYYY-MM-DD')`,
    rolled,
    live: (column) =>
      rolled
        ? and(gte(column, since), or(lt(column, startOfDay(rolled.from, timeZone)), gte(column, startOfDay(addDays(rolled.to, 1), timeZone))))!
        : gte(column, since),
    rolledUp: (table) => (rolled ? rollupRowsOf(table, { organizationId, timeZone }, rolled) : sql`false`),
  };
}
