import { bigint, check, date, pgEnum, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";
import { createdAt, currencyCode, isCurrency } from "./columns";
import { decisionOutcome } from "./decisions";
import { organizationId } from "./organizations";

// The dashboards' daily rollup: per organization and calendar day in its time zone, the decision
// log and committed spend aggregated at the grain the charts read, so a 30-day chart reads a few
// thousand rows instead of a million. Only sealed days (ended long enough ago that nothing more is
// written for them) are rolled up; the rows are keyed by the zone too, so a changed time zone
// starts new days rather than misreading old ones.

/** A sealed day whose rollup rows are written: they commit together with this row, or not at all. */
export const dashboardRollupDays = pgTable(
  "dashboard_rollup_days",
  {
    organizationId: organizationId(),
    timeZone: text().notNull(),
    day: date({ mode: "string" }).notNull(),
    filledAt: createdAt(),
  },
  (t) => [primaryKey({ name: "dashboard_rollup_days_pkey", columns: [t.organizationId, t.timeZone, t.day] })],
);

/** Decisions of one sealed day by outcome and, for a deny, the code of its first reason ('' otherwise). */
export const dailyDecisions = pgTable(
  "daily_decisions",
  {
    organizationId: organizationId(),
    timeZone: text().notNull(),
    day: date({ mode: "string" }).notNull(),
    outcome: decisionOutcome().notNull(),
    reasonCode: text().notNull(),
    decisions: bigint({ mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ name: "daily_decisions_pkey", columns: [t.organizationId, t.timeZone, t.day, t.outcome, t.reasonCode] })],
);

/** The ways committed spend is broken down on the dashboards (one set of rows per day for each). */
export const spendBreakdownKind = pgEnum("spend_breakdown", ["agent", "action", "category", "chain"]);

/**
 * Committed spend of one sealed day (by `reservations.settled_at`) per currency, once per breakdown:
 * `key` is the agent id, the action, the category or the comma-joined chain ('' when unknown).
 * Each breakdown's rows add up to the day's total, so totals read the `agent` rows alone.
 */
export const dailySpend = pgTable(
  "daily_spend",
  {
    organizationId: organizationId(),
    timeZone: text().notNull(),
    breakdown: spendBreakdownKind().notNull(),
    day: date({ mode: "string" }).notNull(),
    currency: currencyCode().notNull(),
    key: text().notNull(),
    amount: bigint({ mode: "number" }).notNull(),
  },
  (t) => [
    primaryKey({ name: "daily_spend_pkey", columns: [t.organizationId, t.timeZone, t.breakdown, t.day, t.currency, t.key] }),
    check("daily_spend_currency", isCurrency(t.currency)),
    check("daily_spend_amount_non_negative", sql`${t.amount} >= 0`),
  ],
);
