import { sql, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";

/** A run of calendar days, both ends included, as `YYYY-MM-DD`. */
export interface DayRange {
  from: string;
  to: string;
}

/**
 * How long after a calendar day ends (in the organization's zone) it is sealed: nothing more is
 * written for it, so its rollup never goes stale. Decisions are dated when the worker decides and
 * logged within its next batch (milliseconds; a client hears of a decision only once it is
 * logged); spend is dated by `settled_at = now()` of the settling transaction, which commits within
 * seconds. An hour covers both with a wide margin; until then the day is read live.
 */
export const SEALING_MARGIN_MS = 60 * 60_000;

/** The calendar day of an instant in `timeZone`: `2026-11-24`. */
export function calendarDayIn(timeZone: string): (at: Date) => string {
  const format = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
  return (at) => format.format(at);
}

/** `day` moved by `count` calendar days (no zone involved: a date is a date). */
export function addDays(day: string, count: number): string {
  const [year, month, date] = day.split("-").map(Number);
  return new Date(Date.UTC(year!, month! - 1, date! + count)).toISOString().slice(0, 10);
}

/** Every day of `range`, oldest first. */
export function daysOf({ from, to }: DayRange): string[] {
  const days: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) days.push(day);
  return days;
}

/**
 * The whole, sealed days of the window from `since` to `now` in `timeZone`, or null when there are
 * none: the first day is partial (the window starts at `since`, mid-day) and the days that ended
 * less than `SEALING_MARGIN_MS` ago (today among them) are still filling.
 */
export function sealedDays(since: Date, now: Date, timeZone: string): DayRange | null {
  const dayOf = calendarDayIn(timeZone);
  const from = addDays(dayOf(since), 1);
  // Day D is sealed when D + 1 began at least the margin ago.
  const to = addDays(dayOf(new Date(now.getTime() - SEALING_MARGIN_MS)), -1);
  return from <= to ? { from, to } : null;
}

/**
 * The instant `day` begins in `timeZone`, in SQL. A row belongs to day D exactly when it falls in
 * [start of D, start of D + 1), the same day `(ts at time zone zone)::date` gives it.
 */
export const startOfDay = (day: string, timeZone: string): SQL => sql`(${day}::date::timestamp at time zone ${timeZone})`;

/** A timestamp column's calendar date in `timeZone`, in SQL (a cheap cast per row). */
export const localDate = (column: AnyPgColumn, timeZone: string): SQL<string> => sql<string>`(${column} at time zone ${timeZone})::date`;
