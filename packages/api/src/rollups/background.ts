import { organizations, type Db } from "@tollgate/db";
import { eq } from "drizzle-orm";
import { dashboardWindows } from "../actions/dashboard";
import { DAY_MS } from "../actions/dashboard-window";
import { addDays, sealedDays } from "./calendar";
import { driftedDays, fillRollup, refillDay } from "./fill";

/** The longest window a dashboard offers: the background fill keeps all of it rolled up. */
const LONGEST_WINDOW_DAYS = Math.max(...dashboardWindows);

/**
 * How many of the latest sealed days are checked against the base tables each round. Nothing is
 * written for a sealed day in normal operation; this catches rows that arrive late anyway (a
 * worker shipping decisions it kept while PostgreSQL was unreachable, a manual backfill).
 */
export const RECHECKED_DAYS = 7;

/**
 * Keeps the organization's rollup in its current time zone: rolls up the sealed days of the
 * longest dashboard window ending at `now` ahead of any read (which would otherwise fill them on
 * demand), and rolls up again the latest sealed days whose base rows changed since.
 */
export async function rollUpSealedDays(db: Db, organizationId: string, now: Date): Promise<{ filled: number; refilled: string[] }> {
  const [organization] = await db.select({ timeZone: organizations.timeZone }).from(organizations).where(eq(organizations.id, organizationId));
  if (!organization) throw new Error(`organization ${organizationId} does not exist`);
  const scope = { organizationId, timeZone: organization.timeZone };
  const range = sealedDays(new Date(now.getTime() - LONGEST_WINDOW_DAYS * DAY_MS), now, scope.timeZone);
  if (!range) return { filled: 0, refilled: [] };
  const filled = await fillRollup(db, scope, range);
  const recheckFrom = addDays(range.to, 1 - RECHECKED_DAYS);
  const latest = { from: recheckFrom > range.from ? recheckFrom : range.from, to: range.to };
  const refilled = await driftedDays(db, scope, latest);
  for (const day of refilled) await refillDay(db, scope, day);
  return { filled, refilled };
}
