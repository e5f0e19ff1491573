import { relations, sql } from "drizzle-orm";
import {
  bigserial,
  check,
  foreignKey,
  index,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  unique,
  uuid,
} from "drizzle-orm/pg-core";
import { agents } from "./agents";
import {
  at,
  createdAt,
  currencyCode,
  id,
  isCurrency,
  isNonNegative,
  isPositive,
  minorUnits,
} from "./columns";
import { organizationId } from "./organizations";

export const envelopePeriod = pgEnum("envelope_period", ["session", "day", "week", "month", "all_time"]);
export const reservationStatus = pgEnum("reservation_status", ["held", "committed", "released", "expired"]);
export const ledgerEntryKind = pgEnum("ledger_entry_kind", ["hold", "commit", "release", "expire"]);

/**
 * The running state of one spending envelope for one period window: what the compiled
 * policy allows (`limitAmount`) and how much of it is held or spent.
 */
export const envelopes = pgTable(
  "envelopes",
  {
    id: id(),
    organizationId: organizationId(),
    /** The compiler's stable key: whose envelope, which rule, which scope. */
    envelopeKey: text().notNull(),
    agentId: uuid(),
    period: envelopePeriod().notNull(),
    /** Start of the calendar window in the organization's zone (epoch for all time). */
    periodStart: at().notNull(),
    limitAmount: minorUnits().notNull(),
    currency: currencyCode().notNull(),
    heldAmount: minorUnits().notNull().default(0),
    committedAmount: minorUnits().notNull().default(0),
    /** Drawn by workers as budget leases and not yet turned into holds: the sum of its `budget_leases`. */
    leasedAmount: minorUnits().notNull().default(0),
    updatedAt: at().notNull().defaultNow(),
  },
  (t) => [
    foreignKey({
      name: "envelopes_agent_fk",
      columns: [t.organizationId, t.agentId],
      foreignColumns: [agents.organizationId, agents.id],
    }).onDelete("cascade"),
    unique("envelopes_window_key").on(t.organizationId, t.envelopeKey, t.periodStart),
    check("envelopes_currency", isCurrency(t.currency)),
    check("envelopes_limit_non_negative", isNonNegative(t.limitAmount)),
    check("envelopes_held_non_negative", isNonNegative(t.heldAmount)),
    check("envelopes_committed_non_negative", isNonNegative(t.committedAmount)),
    check("envelopes_leased_non_negative", isNonNegative(t.leasedAmount)),
    // INVARIANT: held + committed <= limit. The database refuses any write that would overspend.
    // Money leased to workers counts too until it is held or returned: with leased >= 0,
    // held + committed + leased <= limit implies held + committed <= limit.
    check(
      "envelopes_never_overspent",
      sql`${t.heldAmount} + ${t.committedAmount} + ${t.leasedAmount} <= ${t.limitAmount}`,
    ),
    index("envelopes_agent_idx").on(t.agentId, t.periodStart),
  ],
);

/** A hold taken for one allowed (or pending) decision, against every envelope on its chain. */
export const reservations = pgTable(
  "reservations",
  {
    id: id(),
    organizationId: organizationId(),
    agentId: uuid().notNull(),
    /**
     * The decision this hold was made for, when known. No foreign key: a worker makes the hold
     * durable before its decision log batch writes the decision row, so the reservation (keyed
     * by its own id) must be able to exist first.
     */
    decisionId: uuid(),
    amount: minorUnits().notNull(),
    currency: currencyCode().notNull(),
    committedAmount: minorUnits(),
    status: reservationStatus().notNull().default("held"),
    expiresAt: at().notNull(),
    createdAt: createdAt(),
    settledAt: at(),
  },
  (t) => [
    foreignKey({
      name: "reservations_agent_fk",
      columns: [t.organizationId, t.agentId],
      foreignColumns: [agents.organizationId, agents.id],
    }).onDelete("cascade"),
    unique("reservations_decision_id_key").on(t.decisionId),
    check("reservations_currency", isCurrency(t.currency)),
    check("reservations_amount_positive", isPositive(t.amount)),
    check(
      "reservations_commit_within_hold",
      sql`${t.committedAmount} is null or (${t.committedAmount} >= 0 and ${t.committedAmount} <= ${t.amount})`,
    ),
    check("reservations_committed_has_amount", sql`(${t.status} = 'committed') = (${t.committedAmount} is not null)`),
    check("reservations_settled_at", sql`(${t.status} = 'held') = (${t.settledAt} is null)`),
    // Unclaimed holds are found by the expiry sweep through this index.
    index("reservations_held_expiry_idx").on(t.expiresAt).where(sql`${t.status} = 'held'`),
    // Committed spend over a date range (the dashboards), read from the index alone.
    index("reservations_committed_spend_idx")
      .on(t.organizationId, t.settledAt, t.currency, t.committedAmount)
      .where(sql`${t.status} = 'committed'`),
  ],
);

/**
 * A budget lease: a slice of an envelope drawn by one worker process, which turns it into holds
 * in memory without a round trip per request. `amount` is what the worker may still hold; the
 * envelope's `leased_amount` is the sum over its leases. A lease whose worker stops renewing it
 * (`expires_at`) is reclaimed by the sweep, so a crashed worker strands nothing.
 */
export const budgetLeases = pgTable(
  "budget_leases",
  {
    id: id(),
    organizationId: organizationId(),
    envelopeId: uuid()
      .notNull()
      .references(() => envelopes.id, { onDelete: "cascade" }),
    workerId: text().notNull(),
    amount: minorUnits().notNull(),
    expiresAt: at().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    unique("budget_leases_envelope_worker_key").on(t.envelopeId, t.workerId),
    check("budget_leases_amount_non_negative", isNonNegative(t.amount)),
    index("budget_leases_worker_idx").on(t.workerId),
    index("budget_leases_expiry_idx").on(t.expiresAt),
  ],
);

/** Which envelopes a reservation holds against: one row per envelope on the chain. */
export const reservationEnvelopes = pgTable(
  "reservation_envelopes",
  {
    reservationId: uuid()
      .notNull()
      .references(() => reservations.id, { onDelete: "cascade" }),
    envelopeId: uuid()
      .notNull()
      .references(() => envelopes.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.reservationId, t.envelopeId] }), index("reservation_envelopes_envelope_idx").on(t.envelopeId)],
);

/** Append-only movements of money within envelopes; the envelope columns are their running sum. */
export const envelopeLedger = pgTable(
  "envelope_ledger",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    organizationId: organizationId(),
    envelopeId: uuid()
      .notNull()
      .references(() => envelopes.id, { onDelete: "cascade" }),
    reservationId: uuid().references(() => reservations.id, { onDelete: "cascade" }),
    kind: ledgerEntryKind().notNull(),
    amount: minorUnits().notNull(),
    note: text(),
    createdAt: createdAt(),
  },
  (t) => [
    check("envelope_ledger_amount_non_negative", isNonNegative(t.amount)),
    index("envelope_ledger_envelope_idx").on(t.envelopeId, t.createdAt),
    index("envelope_ledger_reservation_idx").on(t.reservationId),
  ],
);

export const envelopesRelations = relations(envelopes, ({ many }) => ({
  ledger: many(envelopeLedger),
  reservations: many(reservationEnvelopes),
  leases: many(budgetLeases),
}));

export const budgetLeasesRelations = relations(budgetLeases, ({ one }) => ({
  envelope: one(envelopes, { fields: [budgetLeases.envelopeId], references: [envelopes.id] }),
}));

export const reservationsRelations = relations(reservations, ({ many }) => ({
  envelopes: many(reservationEnvelopes),
  ledger: many(envelopeLedger),
}));

export const reservationEnvelopesRelations = relations(reservationEnvelopes, ({ one }) => ({
  reservation: one(reservations, { fields: [reservationEnvelopes.reservationId], references: [reservations.id] }),
  envelope: one(envelopes, { fields: [reservationEnvelopes.envelopeId], references: [envelopes.id] }),
}));

export const envelopeLedgerRelations = relations(envelopeLedger, ({ one }) => ({
  envelope: one(envelopes, { fields: [envelopeLedger.envelopeId], references: [envelopes.id] }),
  reservation: one(reservations, { fields: [envelopeLedger.reservationId], references: [reservations.id] }),
}));
