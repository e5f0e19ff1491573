import { dailyDecisions, dailySpend, dashboardRollupDays, decisions, reservations, type Db } from "@tollgate/db";
import { and, between, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { addDays, daysOf, localDate, startOfDay, type DayRange } from "./calendar";
import { decisionOfHold, firstReasonCode, spendBreakdowns, spendKeys, type SpendBreakdown } from "./keys";

/** One organization's rollup in one time zone. */
export interface RollupScope {
  organizationId: string;
  timeZone: string;
}

/** A rollup table's scope columns: which organization, zone and day a row counts. */
export interface RollupColumns {
  organizationId: AnyPgColumn;
  timeZone: AnyPgColumn;
  day: AnyPgColumn;
}

/** A rollup table's rows of one organization and zone on the days of `range`. */
export const rollupRowsOf = (table: RollupColumns, { organizationId, timeZone }: RollupScope, range: DayRange): SQL =>
  and(eq(table.organizationId, organizationId), eq(table.timeZone, timeZone), between(table.day, range.from, range.to))!;

/** The days of `range` whose rollup is written. */
export async function rolledUpDays(db: Db, { organizationId, timeZone }: RollupScope, range: DayRange): Promise<Set<string>> {
  const rows = await db
    .select({ day: dashboardRollupDays.day })
    .from(dashboardRollupDays)
    .where(rollupRowsOf(dashboardRollupDays, { organizationId, timeZone }, range));
  return new Set(rows.map((row) => row.day));
}

/**
 * Rolls up every day of `range` (sealed days only: the caller's promise) that is not rolled up
 * yet, one transaction per day, oldest first. Idempotent and safe to run from several processes
 * at once. Returns how many days this call wrote.
 */
export async function fillRollup(db: Db, scope: RollupScope, range: DayRange): Promise<number> {
  const present = await rolledUpDays(db, scope, range);
  let written = 0;
  for (const day of daysOf(range)) {
    if (!present.has(day) && (await fillDay(db, scope, day))) written++;
  }
  return written;
}

/**
 * Writes one day's rollup rows and its `dashboard_rollup_days` row in one transaction, so a
 * reader sees all of a day's rollup or none of it. The day row is claimed first: a second process
 * filling the same day waits on its key until the first commits, then finds it taken and writes
 * nothing (and if the first rolls back, the second fills it). Returns whether this call wrote it.
 */
async function fillDay(db: Db, scope: RollupScope, day: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const claimed = await tx.insert(dashboardRollupDays).values({ ...scope, day }).onConflictDoNothing().returning({ day: dashboardRollupDays.day });
    if (claimed.length === 0) return false;
    await writeDay(tx, scope, day);
    return true;
  });
}

/**
 * Rolls `day` up again from the base tables, replacing its rows in one transaction: a reader sees
 * the old rows or the new ones, never neither. For rows that reached the base tables after the day
 * was sealed (see `driftedDays`). Two refills of one day take turns on its `dashboard_rollup_days` row.
 */
export async function refillDay(db: Db, scope: RollupScope, day: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .insert(dashboardRollupDays)
      .values({ ...scope, day })
      .onConflictDoUpdate({ target: [dashboardRollupDays.organizationId, dashboardRollupDays.timeZone, dashboardRollupDays.day], set: { filledAt: sql`now()` } });
    await tx.delete(dailyDecisions).where(rollupRowsOf(dailyDecisions, scope, { from: day, to: day }));
    await tx.delete(dailySpend).where(rollupRowsOf(dailySpend, scope, { from: day, to: day }));
    await writeDay(tx, scope, day);
  });
}

/**
 * The rolled-up days of `range` whose rollup no longer matches the base tables: more decisions,
 * or other committed spend, than were there when they were sealed. Two grouped reads of the base
 * tables over the range (from their indexes) against two of the rollup.
 */
export async function driftedDays(db: Db, scope: RollupScope, range: DayRange): Promise<string[]> {
  const { organizationId, timeZone } = scope;
  const rolled = await rolledUpDays(db, scope, range);
  const from = startOfDay(range.from, timeZone);
  const until = startOfDay(addDays(range.to, 1), timeZone);
  const day = (column: typeof decisions.createdAt | typeof reservations.settledAt) => sql<string>`to_char(${localDate(column, timeZone)}, 'YYYY-MM-DD')`;
  const [liveDecisions, liveSpend, rolledDecisions, rolledSpend] = await Promise.all([
    db
      .select({ day: day(decisions.createdAt), n: sql<number>`count(*)`.mapWith(Number) })
      .from(decisions)
      .where(and(eq(decisions.organizationId, organizationId), gte(decisions.createdAt, from), lt(decisions.createdAt, until)))
      .groupBy(sql`1`),
    db
      .select({ day: day(reservations.settledAt), n: sql<number>`sum(${reservations.committedAmount})`.mapWith(Number) })
      .from(reservations)
      .where(and(eq(reservations.organizationId, organizationId), eq(reservations.status, "committed"), gte(reservations.settledAt, from), lt(reservations.settledAt, until)))
      .groupBy(sql`1`),
    db.select({ day: dailyDecisions.day, n: sql<number>`sum(${dailyDecisions.decisions})`.mapWith(Number) }).from(dailyDecisions).where(rollupRowsOf(dailyDecisions, scope, range)).groupBy(dailyDecisions.day),
    db
      .select({ day: dailySpend.day, n: sql<number>`sum(${dailySpend.amount})`.mapWith(Number) })
      .from(dailySpend)
      .where(and(rollupRowsOf(dailySpend, scope, range), eq(dailySpend.breakdown, "agent")))
      .groupBy(dailySpend.day),
  ]);
  const byDay = (rows: { day: string; n: number }[]) => new Map(rows.map((row) => [row.day, row.n]));
  const [decisionsLive, spendLive, decisionsRolled, spendRolled] = [liveDecisions, liveSpend, rolledDecisions, rolledSpend].map(byDay);
  return [...rolled].sort().filter((d) => (decisionsLive!.get(d) ?? 0) !== (decisionsRolled!.get(d) ?? 0) || (spendLive!.get(d) ?? 0) !== (spendRolled!.get(d) ?? 0));
}

/** One day's rollup rows, from one grouped `insert … select` per table. */
async function writeDay(tx: Db, { organizationId, timeZone }: RollupScope, day: string): Promise<void> {
  const scope = {
    organizationId: sql<string>`${organizationId}::uuid`.as("organization_id"),
    timeZone: sql<string>`${timeZone}::text`.as("time_zone"),
    day: sql<string>`${day}::date`.as("day"),
  };
  const on = (column: typeof decisions.createdAt | typeof reservations.settledAt) =>
    and(gte(column, startOfDay(day, timeZone)), lt(column, startOfDay(addDays(day, 1), timeZone)));

  // Only a deny is counted by reason; the others by outcome alone.
  const reasonCode = sql<string>`case when ${decisions.outcome} = 'deny' then ${firstReasonCode} else '' end`;
  const code = sql<string>`${reasonCode}`.as("reason_code");
  await tx.insert(dailyDecisions).select(
    tx
      .select({ ...scope, outcome: decisions.outcome, reasonCode: code, decisions: sql<number>`count(*)`.as("decisions") })
      .from(decisions)
      .where(and(eq(decisions.organizationId, organizationId), on(decisions.createdAt)))
      .groupBy(decisions.outcome, reasonCode),
  );

  // One pass over the day's committed spend, grouped once per breakdown (grouping sets): in each
  // set the other breakdowns' keys are null, so the set's own key is the one not null.
  const grouped = spendBreakdowns.map((by) => spendKeys[by]);
  const breakdown = sql<SpendBreakdown>`(case ${sql.join(
    spendBreakdowns.map((by) => sql`when grouping(${spendKeys[by]}) = 0 then ${by}`),
    sql` `,
  )} end)::spend_breakdown`.as("breakdown");
  await tx.insert(dailySpend).select(
    tx
      .select({
        organizationId: scope.organizationId,
        timeZone: scope.timeZone,
        breakdown,
        day: scope.day,
        currency: reservations.currency,
        key: sql<string>`coalesce(${sql.join(grouped, sql`, `)})`.as("key"),
        amount: sql<number>`sum(${reservations.committedAmount})`.as("amount"),
      })
      .from(reservations)
      .leftJoinLateral(decisionOfHold(tx, organizationId), sql`true`)
      .where(and(eq(reservations.organizationId, organizationId), eq(reservations.status, "committed"), on(reservations.settledAt)))
      .groupBy(sql`grouping sets (${sql.join(grouped.map((key) => sql`(${reservations.currency}, ${key})`), sql`, `)})`),
  );
}
