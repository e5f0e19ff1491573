import { relations, sql } from "drizzle-orm";
import { check, foreignKey, index, jsonb, pgEnum, pgTable, text, unique, uuid } from "drizzle-orm/pg-core";
import { agents } from "./agents";
import { reservations } from "./budgets";
import { at, createdAt, currencyCode, id, isCurrency, isPositive, minorUnits } from "./columns";
import { decisions } from "./decisions";
import { organizationId, users } from "./organizations";

export const approvalStatus = pgEnum("approval_status", ["pending", "approved", "denied", "expired"]);

/**
 * A pending decision a human must answer before `expiresAt`. It binds to the exact request
 * (action, amount, merchant); the amount stays held through `reservationId` while it waits.
 */
export const approvals = pgTable(
  "approvals",
  {
    id: id(),
    organizationId: organizationId(),
    decisionId: uuid().notNull(),
    agentId: uuid().notNull(),
    reservationId: uuid().references(() => reservations.id, { onDelete: "set null" }),
    action: text().notNull(),
    merchant: text(),
    amount: minorUnits().notNull(),
    currency: currencyCode().notNull(),
    /** `[{ code, message, rule, policyVersion }]`: why it needs a human. */
    reasons: jsonb().notNull().default(sql`'[]'::jsonb`),
    status: approvalStatus().notNull().default("pending"),
    /** A reviewer may approve less than was asked; never more. */
    approvedAmount: minorUnits(),
    decidedByUserId: uuid(),
    decidedAt: at(),
    note: text(),
    expiresAt: at().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    foreignKey({
      name: "approvals_decision_fk",
      columns: [t.organizationId, t.decisionId],
      foreignColumns: [decisions.organizationId, decisions.id],
    }).onDelete("cascade"),
    foreignKey({
      name: "approvals_agent_fk",
      columns: [t.organizationId, t.agentId],
      foreignColumns: [agents.organizationId, agents.id],
    }).onDelete("cascade"),
    foreignKey({
      name: "approvals_decider_fk",
      columns: [t.organizationId, t.decidedByUserId],
      foreignColumns: [users.organizationId, users.id],
    }),
    unique("approvals_decision_id_key").on(t.decisionId),
    check("approvals_currency", isCurrency(t.currency)),
    check("approvals_amount_positive", isPositive(t.amount)),
    check(
      "approvals_approved_amount",
      sql`(${t.status} = 'approved') = (${t.approvedAmount} is not null) and (${t.approvedAmount} is null or (${t.approvedAmount} > 0 and ${t.approvedAmount} <= ${t.amount}))`,
    ),
    check("approvals_decided_consistent", sql`(${t.status} = 'pending') = (${t.decidedAt} is null)`),
    check("approvals_human_decision", sql`${t.status} not in ('approved', 'denied') or ${t.decidedByUserId} is not null`),
    check("approvals_expiry_after_creation", sql`${t.expiresAt} > ${t.createdAt}`),
    // The live queue: pending approvals of an organization by time left.
    index("approvals_queue_idx").on(t.organizationId, t.status, t.expiresAt),
  ],
);

export const approvalsRelations = relations(approvals, ({ one }) => ({
  decision: one(decisions, { fields: [approvals.decisionId], references: [decisions.id] }),
  agent: one(agents, { fields: [approvals.agentId], references: [agents.id] }),
  reservation: one(reservations, { fields: [approvals.reservationId], references: [reservations.id] }),
  decidedBy: one(users, { fields: [approvals.decidedByUserId], references: [users.id] }),
}));
