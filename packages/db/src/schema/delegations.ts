import { relations, sql } from "drizzle-orm";
import { check, foreignKey, index, integer, jsonb, pgTable, uuid } from "drizzle-orm/pg-core";
import { agents } from "./agents";
import { at, bothOrNeither, createdAt, currencyCode, id, isCurrency, isPositive, minorUnits } from "./columns";
import { organizationId, users } from "./organizations";

/**
 * Agent A grants agent B a scope that must be a subset of A's own, a budget carved out of
 * A's envelope, an expiry and how many more times B may re-delegate. The compiler checks the
 * subset and carve-out rules; the table keeps what can be stated row by row.
 */
export const delegations = pgTable(
  "delegations",
  {
    id: id(),
    organizationId: organizationId(),
    delegatorAgentId: uuid().notNull(),
    delegateAgentId: uuid().notNull(),
    /** Set when B re-delegates what it was given: the chain is walked through this. */
    parentDelegationId: uuid(),
    /** `{ actions: string[], merchants?: string[], categories?: string[] }` */
    scope: jsonb().notNull(),
    budgetAmount: minorUnits(),
    budgetCurrency: currencyCode(),
    maxDepth: integer().notNull().default(0),
    expiresAt: at().notNull(),
    revokedAt: at(),
    createdByUserId: uuid(),
    createdAt: createdAt(),
  },
  (t) => [
    foreignKey({
      name: "delegations_delegator_fk",
      columns: [t.organizationId, t.delegatorAgentId],
      foreignColumns: [agents.organizationId, agents.id],
    }).onDelete("cascade"),
    foreignKey({
      name: "delegations_delegate_fk",
      columns: [t.organizationId, t.delegateAgentId],
      foreignColumns: [agents.organizationId, agents.id],
    }).onDelete("cascade"),
    foreignKey({
      name: "delegations_parent_fk",
      columns: [t.parentDelegationId],
      foreignColumns: [t.id],
    }).onDelete("cascade"),
    foreignKey({
      name: "delegations_creator_fk",
      columns: [t.organizationId, t.createdByUserId],
      foreignColumns: [users.organizationId, users.id],
    }),
    check("delegations_not_to_self", sql`${t.delegatorAgentId} <> ${t.delegateAgentId}`),
    check("delegations_budget_pair", bothOrNeither(t.budgetAmount, t.budgetCurrency)),
    check("delegations_budget_positive", sql`${t.budgetAmount} is null or ${isPositive(t.budgetAmount)}`),
    check("delegations_budget_currency", sql`${t.budgetCurrency} is null or ${isCurrency(t.budgetCurrency)}`),
    check("delegations_max_depth_range", sql`${t.maxDepth} between 0 and 8`),
    check("delegations_expiry_after_creation", sql`${t.expiresAt} > ${t.createdAt}`),
    index("delegations_delegator_idx").on(t.organizationId, t.delegatorAgentId),
    index("delegations_delegate_idx").on(t.organizationId, t.delegateAgentId),
  ],
);

export const delegationsRelations = relations(delegations, ({ one }) => ({
  delegator: one(agents, {
    fields: [delegations.delegatorAgentId],
    references: [agents.id],
    relationName: "delegationsOut",
  }),
  delegate: one(agents, {
    fields: [delegations.delegateAgentId],
    references: [agents.id],
    relationName: "delegationsIn",
  }),
  parent: one(delegations, { fields: [delegations.parentDelegationId], references: [delegations.id] }),
}));
