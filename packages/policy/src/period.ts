/**
 * Calendar arithmetic in an organization's IANA time zone, on Intl alone so it runs on Node and
 * edge runtimes. Periods reset at local calendar boundaries: a Berlin "day" on the spring DST
 * change is 23 hours long, a week starts on Monday at local midnight.
 */

export const PERIODS = ["session", "day", "week", "month", "all_time"] as const;
export type Period = (typeof PERIODS)[number];

/** The calendar periods: the ones whose window depends on the clock rather than on the session. */
export type CalendarPeriod = "day" | "week" | "month";

/** One occurrence of a calendar period: `[startMs, endMs)` in UTC, labelled by its local date. */
export interface CalendarWindow {
  readonly label: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly start: string;
  readonly end: string;
}

/** Local wall-clock reading: weekday 0 = Monday … 6 = Sunday, minute 0 … 1439 since midnight. */
export interface LocalClock {
  readonly weekday: number;
  readonly minute: number;
}

interface LocalDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

const MINUTE_MS = 60_000;

/** True when the runtime knows the zone: `isTimeZone("Europe/Berlin")`. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * A time zone's calendar. It caches the last window of each period and the last local minute,
 * because a worker asks about "now" thousands of times between two boundaries and Intl is slow.
 */
export class Calendar {
  readonly timeZone: string;
  readonly #format: Intl.DateTimeFormat;
  readonly #windows = new Map<CalendarPeriod, CalendarWindow>();
  #clockMinute = Number.NaN;
  #clock: LocalClock = { weekday: 0, minute: 0 };

  constructor(timeZone: string) {
    this.timeZone = timeZone;
    this.#format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
  }

  /** The local weekday and minute of the day at `ms`. */
  clock(ms: number): LocalClock {
    // Zone offsets change on whole minutes, so one reading serves the whole UTC minute.
    const minuteStart = Math.floor(ms / MINUTE_MS) * MINUTE_MS;
    if (minuteStart !== this.#clockMinute) {
      const local = this.#fields(minuteStart);
      this.#clock = { weekday: weekdayOf(local), minute: local.hour * 60 + local.minute };
      this.#clockMinute = minuteStart;
    }
    return this.#clock;
  }

  /** The window of `period` that contains `ms`. */
  window(period: CalendarPeriod, ms: number): CalendarWindow {
    const cached = this.#windows.get(period);
    if (cached !== undefined && cached.startMs <= ms && ms < cached.endMs) return cached;
    const fresh = this.#computeWindow(period, ms);
    this.#windows.set(period, fresh);
    return fresh;
  }

  #computeWindow(period: CalendarPeriod, ms: number): CalendarWindow {
    const today = this.#fields(ms);
    let first: LocalDate;
    let next: LocalDate;
    let label: string;
    if (period === "day") {
      first = today;
      next = addDays(today, 1);
      label = dateLabel(today);
    } else if (period === "week") {
      first = addDays(today, -weekdayOf(today));
      next = addDays(first, 7);
      label = dateLabel(first);
    } else {
      first = { year: today.year, month: today.month, day: 1 };
      next = today.month === 12 ? { year: today.year + 1, month: 1, day: 1 } : { year: today.year, month: today.month + 1, day: 1 };
      label = dateLabel(first).slice(0, 7);
    }
    const startMs = this.#startOfDay(first);
    const endMs = this.#startOfDay(next);
    return { label, startMs, endMs, start: new Date(startMs).toISOString(), end: new Date(endMs).toISOString() };
  }

  /**
   * The first instant whose local date is `date`. Usually local midnight; where DST skips
   * midnight (e.g. America/Santiago) the day starts at the first instant after the gap.
   */
  #startOfDay(date: LocalDate): number {
    const wall = Date.UTC(date.year, date.month - 1, date.day);
    let best = Number.POSITIVE_INFINITY;
    let guess = wall;
    // Each step corrects the offset used; three steps visit the offsets on both sides of a change.
    for (let step = 0; step < 3; step++) {
      guess = wall - this.#offset(guess);
      const local = this.#fields(guess);
      if (local.year === date.year && local.month === date.month && local.day === date.day) {
        best = Math.min(best, guess);
      }
    }
    // INVARIANT: every zone has an instant on every local date, so some candidate landed on it.
    return best;
  }

  #offset(ms: number): number {
    const local = this.#fields(ms);
    const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
    return asUtc - Math.floor(ms / 1000) * 1000;
  }

  #fields(ms: number): LocalDate & { hour: number; minute: number; second: number } {
    const fields = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
    for (const part of this.#format.formatToParts(ms)) {
      if (part.type in fields) fields[part.type as keyof typeof fields] = Number(part.value);
    }
    return fields;
  }
}

function weekdayOf(date: LocalDate): number {
  return (new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay() + 6) % 7;
}

function addDays(date: LocalDate, days: number): LocalDate {
  const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}

function dateLabel(date: LocalDate): string {
  return `${String(date.year).padStart(4, "0")}-${String(date.month).padStart(2, "0")}-${String(date.day).padStart(2, "0")}`;
}
