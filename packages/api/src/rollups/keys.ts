import { decisions, reservations, spendBreakdownKind, type Db } from "@tollgate/db";
import { and, eq, sql, type SQL } from "drizzle-orm";

/** How committed spend can be broken down: who spent it, on what, in which category, along which delegation chain. */
export const spendBreakdowns = spendBreakdownKind.enumValues;
export type SpendBreakdown = (typeof spendBreakdowns)[number];

/**
 * Each hold's decision (what on, in which category, along which chain), to left-join laterally to
 * `reservations`, named `decisions` so `spendKeys` read it. One index lookup per hold: `limit 1`
 * (the id is unique, so it changes nothing) keeps the planner from hashing the whole decision log
 * to join a few days of holds.
 */
export const decisionOfHold = (db: Db, organizationId: string) =>
  db
    .select({ action: decisions.action, category: decisions.category, chain: decisions.chain })
    .from(decisions)
    .where(and(eq(decisions.id, reservations.decisionId), eq(decisions.organizationId, organizationId)))
    .limit(1)
    .as("decisions");

/**
 * What a spend series is keyed by, as text, over `reservations` and their `decisionOfHold`.
 * Spend whose decision is not logged (yet) or has no category or chain is keyed '' (and labelled
 * as such), not dropped: every breakdown adds up to the total.
 */
export const spendKeys: Record<SpendBreakdown, SQL<string>> = {
  agent: sql<string>`${reservations.agentId}::text`,
  action: sql<string>`coalesce(${decisions.action}, '')`,
  category: sql<string>`coalesce(${decisions.category}, '')`,
  chain: sql<string>`coalesce(array_to_string(${decisions.chain}, ','), '')`,
};

/** A deny decision's deciding reason: its first reason's code. One without reasons would be a worker bug; it is counted, not lost. */
export const firstReasonCode = sql<string>`coalesce(${decisions.reasons} -> 0 ->> 'code', '(none)')`;
