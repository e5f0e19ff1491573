import { relations, sql } from "drizzle-orm";
import { check, foreignKey, index, jsonb, pgEnum, pgTable, primaryKey, text, unique, uuid } from "drizzle-orm/pg-core";
import { agents } from "./agents";
import { reservations } from "./budgets";
import { at, bothOrNeither, createdAt, currencyCode, id, isCurrency, isNonNegative, isPositive, minorUnits } from "./columns";
import { decisions } from "./decisions";
import { organizationId, users } from "./organizations";
import { agentSessions } from "./sessions";

export const approvalStatus = pgEnum("approval_status", ["pending", "approved", "denied", "expired"]);

/**
 * A pending decision a human must answer before `expiresAt`. It binds to the exact request
 * (action, amount, merchant); the amount stays held through `reservationId` while it waits. A
 * call that names no money (a trust or first-merchant approval of a free call) has no amount.
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
    amount: minorUnits(),
    currency: currencyCode(),
    /** `[{ code, message, rule, policyVersion }]`: why it needs a human. */
    reasons: jsonb().notNull().default(sql`'[]'::jsonb`),
    status: approvalStatus().notNull().default("pending"),
    /** A reviewer may approve less than was asked; never more. Null for a call without an amount. */
    approvedAmount: minorUnits(),
    decidedByUserId: uuid(),
    decidedAt: at(),
    note: text(),
    expiresAt: at().notNull(),
    /** When the waiting agent's long-poll first returned the outcome: the end of the approval's latency. */
    agentInformedAt: at(),
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
    // Composite key target: votes must name the approval's own organization.
    unique("approvals_organization_id_id_key").on(t.organizationId, t.id),
    check("approvals_money_pair", bothOrNeither(t.amount, t.currency)),
    check("approvals_currency", sql`${t.currency} is null or ${isCurrency(t.currency)}`),
    check("approvals_amount_non_negative", sql`${t.amount} is null or ${isNonNegative(t.amount)}`),
    // Approved with an amount means approved up to some of it: all of a zero, a positive part of the rest.
    check(
      "approvals_approved_amount",
      sql`(${t.status} = 'approved' and ${t.amount} is not null) = (${t.approvedAmount} is not null) and (${t.approvedAmount} is null or (${t.approvedAmount} <= ${t.amount} and (${t.approvedAmount} > 0 or ${t.amount} = 0)))`,
    ),
    check("approvals_decided_consistent", sql`(${t.status} = 'pending') = (${t.decidedAt} is null)`),
    check("approvals_human_decision", sql`${t.status} not in ('approved', 'denied') or ${t.decidedByUserId} is not null`),
    check("approvals_expiry_after_creation", sql`${t.expiresAt} > ${t.createdAt}`),
    // The live queue: pending approvals of an organization by time left.
    index("approvals_queue_idx").on(t.organizationId, t.status, t.expiresAt),
    // The workers' expiry sweep, across organizations: only pending rows, by when they lapse.
    index("approvals_pending_expiry_idx").on(t.expiresAt).where(sql`${t.status} = 'pending'`),
    // A commit's lookup of the cap a reviewer approved for its reservation.
    index("approvals_reservation_idx").on(t.reservationId).where(sql`${t.reservationId} is not null`),
  ],
);

export const approvalVerdict = pgEnum("approval_verdict", ["approve", "deny"]);

/**
 * One reviewer's answer to an approval. Most approvals are settled by their first vote; above the
 * organization's dual-approval amount it takes two distinct approvers, and any deny settles it.
 */
export const approvalVotes = pgTable(
  "approval_votes",
  {
    organizationId: organizationId(),
    approvalId: uuid().notNull(),
    userId: uuid().notNull(),
    verdict: approvalVerdict().notNull(),
    /** The most this reviewer lets the agent spend; the approval's cap is the least of them. */
    approvedAmount: minorUnits(),
    note: text(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.approvalId, t.userId] }),
    foreignKey({
      name: "approval_votes_approval_fk",
      columns: [t.organizationId, t.approvalId],
      foreignColumns: [approvals.organizationId, approvals.id],
    }).onDelete("cascade"),
    foreignKey({
      name: "approval_votes_user_fk",
      columns: [t.organizationId, t.userId],
      foreignColumns: [users.organizationId, users.id],
    }).onDelete("cascade"),
    // Only an approval names an amount, and not for a call that named none (the approval's own check ties them).
    check("approval_votes_amount", sql`(${t.verdict} = 'approve' or ${t.approvedAmount} is null) and (${t.approvedAmount} is null or ${t.approvedAmount} >= 0)`),
  ],
);

export const approvalVotesRelations = relations(approvalVotes, ({ one }) => ({
  approval: one(approvals, { fields: [approvalVotes.approvalId], references: [approvals.id] }),
  user: one(users, { fields: [approvalVotes.userId], references: [users.id] }),
}));

/** The longest a standing grant may last: it is meant for the rest of a working session, not for good. */
export const MAX_GRANT_MINUTES = 24 * 60;

/**
 * "Approve, and allow up to `amount` more for this session until `expiresAt`": a narrow standing
 * grant a reviewer gives with an approval. It covers only the same agent, session, action and
 * currency, and `used` only grows, conditionally, so concurrent requests never exceed it.
 */
export const approvalGrants = pgTable(
  "approval_grants",
  {
    id: id(),
    organizationId: organizationId(),
    approvalId: uuid().notNull(),
    agentId: uuid().notNull(),
    sessionId: uuid().notNull(),
    action: text().notNull(),
    amount: minorUnits().notNull(),
    currency: currencyCode().notNull(),
    used: minorUnits().notNull().default(0),
    expiresAt: at().notNull(),
    grantedByUserId: uuid().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    foreignKey({
      name: "approval_grants_approval_fk",
      columns: [t.organizationId, t.approvalId],
      foreignColumns: [approvals.organizationId, approvals.id],
    }).onDelete("cascade"),
    foreignKey({
      name: "approval_grants_session_fk",
      columns: [t.organizationId, t.sessionId],
      foreignColumns: [agentSessions.organizationId, agentSessions.id],
    }).onDelete("cascade"),
    foreignKey({
      name: "approval_grants_granted_by_fk",
      columns: [t.organizationId, t.grantedByUserId],
      foreignColumns: [users.organizationId, users.id],
    }),
    unique("approval_grants_approval_id_key").on(t.approvalId),
    check("approval_grants_currency", isCurrency(t.currency)),
    check("approval_grants_amount_positive", isPositive(t.amount)),
    // INVARIANT: 0 <= used <= amount
    check("approval_grants_within_amount", sql`${t.used} >= 0 and ${t.used} <= ${t.amount}`),
    index("approval_grants_session_idx").on(t.sessionId, t.action),
  ],
);

export const approvalsRelations = relations(approvals, ({ one, many }) => ({
  votes: many(approvalVotes),
  decision: one(decisions, { fields: [approvals.decisionId], references: [decisions.id] }),
  agent: one(agents, { fields: [approvals.agentId], references: [agents.id] }),
  reservation: one(reservations, { fields: [approvals.reservationId], references: [reservations.id] }),
  decidedBy: one(users, { fields: [approvals.decidedByUserId], references: [users.id] }),
}));
