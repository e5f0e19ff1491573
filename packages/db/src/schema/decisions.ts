import { relations, sql } from "drizzle-orm";
import { check, foreignKey, index, integer, jsonb, pgEnum, pgTable, text, unique, uuid } from "drizzle-orm/pg-core";
import { agents } from "./agents";
import { bothOrNeither, createdAt, currencyCode, id, isCurrency, isNonNegative, minorUnits } from "./columns";
import { delegations } from "./delegations";
import { organizationId } from "./organizations";
import { agentSessions } from "./sessions";

export const decisionOutcome = pgEnum("decision_outcome", ["allow", "deny", "pending"]);

/**
 * The decision log: every answer a client received, with the reasons, the policy version that
 * decided and the delegation chain it was checked along.
 */
export const decisions = pgTable(
  "decisions",
  {
    id: id(),
    organizationId: organizationId(),
    agentId: uuid().notNull(),
    sessionId: uuid(),
    /** The client's idempotency key: the same one returns this decision and never holds twice. */
    requestId: text().notNull(),
    action: text().notNull(),
    amount: minorUnits(),
    currency: currencyCode(),
    merchant: text(),
    category: text(),
    onBehalfOf: uuid(),
    /** Agent ids from the acting agent up to the delegator at the root of the chain. */
    chain: uuid().array().notNull().default(sql`'{}'::uuid[]`),
    outcome: decisionOutcome().notNull(),
    /** `[{ code, message, rule, policyVersion }]` */
    reasons: jsonb().notNull().default(sql`'[]'::jsonb`),
    /** What shadow-mode policies would have decided, kept apart from the enforced outcome. */
    shadowOutcome: decisionOutcome(),
    snapshotVersion: integer().notNull(),
    workerId: text().notNull(),
    latencyUs: integer(),
    metadata: jsonb(),
    createdAt: createdAt(),
  },
  (t) => [
    foreignKey({
      name: "decisions_agent_fk",
      columns: [t.organizationId, t.agentId],
      foreignColumns: [agents.organizationId, agents.id],
    }).onDelete("cascade"),
    foreignKey({
      name: "decisions_session_fk",
      columns: [t.organizationId, t.sessionId],
      foreignColumns: [agentSessions.organizationId, agentSessions.id],
    }).onDelete("cascade"),
    foreignKey({ name: "decisions_delegation_fk", columns: [t.onBehalfOf], foreignColumns: [delegations.id] }).onDelete(
      "set null",
    ),
    unique("decisions_organization_id_id_key").on(t.organizationId, t.id),
    unique("decisions_agent_id_request_id_key").on(t.agentId, t.requestId),
    check("decisions_money_pair", bothOrNeither(t.amount, t.currency)),
    check("decisions_amount_non_negative", sql`${t.amount} is null or ${isNonNegative(t.amount)}`),
    check("decisions_currency", sql`${t.currency} is null or ${isCurrency(t.currency)}`),
    check("decisions_request_id_length", sql`length(${t.requestId}) between 1 and 200`),
    // The decision log, newest first, per organization and per outcome (dashboards, replay).
    index("decisions_organization_created_idx").on(t.organizationId, t.createdAt.desc()),
    index("decisions_organization_outcome_created_idx").on(t.organizationId, t.outcome, t.createdAt.desc()),
    index("decisions_agent_created_idx").on(t.agentId, t.createdAt.desc()),
    index("decisions_session_created_idx").on(t.sessionId, t.createdAt),
  ],
);

export const decisionsRelations = relations(decisions, ({ one }) => ({
  agent: one(agents, { fields: [decisions.agentId], references: [agents.id] }),
  session: one(agentSessions, { fields: [decisions.sessionId], references: [agentSessions.id] }),
  delegation: one(delegations, { fields: [decisions.onBehalfOf], references: [delegations.id] }),
}));
