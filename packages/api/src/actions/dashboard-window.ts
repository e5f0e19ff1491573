import { organizations } from "@tollgate/db";
import { eq, sql, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import type { SignedInContext } from "../context";

export const DAY_MS = 24 * 60 * 60 * 1000;

/** The time span a dashboard chart covers, and how it names calendar days in the organization's zone. */
export interface DashboardWindow {
  now: Date;
  since: Date;
  timeZone: string;
  /** Every calendar day of the window (`2026-11-24`), oldest first, so quiet days chart as zero rather than vanish. */
  days: string[];
  /** A timestamp column's calendar date in the organization's zone, aliased `day` (a cheap cast per row). */
  dateOf: (column: AnyPgColumn) => SQL.Aliased<string>;
  /** A date as `YYYY-MM-DD`: formatted once per group, not once per row. */
  formatted: (day: unknown) => SQL<string>;
}

/** The last `days` days for the signed-in organization, in its time zone. */
export async function dashboardWindow(ctx: SignedInContext, days: number): Promise<DashboardWindow> {
  const now = new Date();
  const since = new Date(now.getTime() - days * DAY_MS);
  const [organization] = await ctx.db
    .select({ timeZone: organizations.timeZone })
    .from(organizations)
    .where(eq(organizations.id, ctx.session.organizationId));
  const timeZone = organization!.timeZone;
  const calendarDay = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
  const allDays = Array.from({ length: days + 1 }, (_, index) => calendarDay.format(new Date(since.getTime() + index * DAY_MS)));
  return {
    now,
    since,
    timeZone,
    days: allDays.filter((day, index) => allDays.indexOf(day) === index),
    dateOf: (column) => sql<string>`(${column} at time zone ${timeZone})::date`.as("day"),
    formatted: (day) => sql<string>`to_char(${day}, 'YYYY-MM-DD')`,
  };
}
