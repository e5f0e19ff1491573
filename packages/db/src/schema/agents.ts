import { relations, sql } from "drizzle-orm";
import { check, foreignKey, index, pgEnum, pgTable, primaryKey, text, unique, uuid } from "drizzle-orm/pg-core";
import { at, createdAt, credentialColumns, credentialConstraints, id } from "./columns";
import { organizationId, organizations, users } from "./organizations";

export const agentStatus = pgEnum("agent_status", ["active", "suspended"]);

/** A non-human identity that asks the decision worker before every paid call. */
export const agents = pgTable(
  "agents",
  {
    id: id(),
    organizationId: organizationId(),
    name: text().notNull(),
    description: text().notNull().default(""),
    ownerUserId: uuid().notNull(),
    tags: text().array().notNull().default(sql`'{}'::text[]`),
    status: agentStatus().notNull().default("active"),
    suspendedAt: at(),
    suspendedReason: text(),
    createdAt: createdAt(),
    updatedAt: at().notNull().defaultNow(),
  },
  (t) => [
    unique("agents_organization_id_id_key").on(t.organizationId, t.id),
    unique("agents_organization_id_name_key").on(t.organizationId, t.name),
    foreignKey({
      name: "agents_owner_fk",
      columns: [t.organizationId, t.ownerUserId],
      foreignColumns: [users.organizationId, users.id],
    }),
    check("agents_name_format", sql`${t.name} ~ '^[a-z0-9][a-z0-9._-]{0,62}$'`),
    check("agents_suspension_consistent", sql`(${t.status} = 'suspended') = (${t.suspendedAt} is not null)`),
    index("agents_tags_idx").using("gin", t.tags),
  ],
);

/**
 * An agent's credential. The secret is shown once; only its SHA-256 and a visible prefix
 * (`tg_` + 8 characters) are kept, so a leaked key is recognisable but not recoverable.
 */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: id(),
    organizationId: organizationId(),
    agentId: uuid().notNull(),
    name: text().notNull().default("default"),
    createdByUserId: uuid(),
    ...credentialColumns(),
  },
  (t) => [
    foreignKey({
      name: "api_keys_agent_fk",
      columns: [t.organizationId, t.agentId],
      foreignColumns: [agents.organizationId, agents.id],
    }).onDelete("cascade"),
    ...credentialConstraints("api_keys", t),
    index("api_keys_agent_idx").on(t.agentId),
  ],
);

/**
 * The merchants each agent has spent with, for first-merchant approvals: a call at a merchant not
 * listed here for the agent whose policy asks is a first use. Decision workers add a pair when they
 * allow a call at a new merchant (for every agent on its chain: the money is theirs too) and read
 * the table at start and every few seconds, so a restart or another worker knows what one learnt.
 */
export const agentMerchants = pgTable(
  "agent_merchants",
  {
    organizationId: organizationId(),
    agentId: uuid().notNull(),
    merchant: text().notNull(),
    firstUsedAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.agentId, t.merchant] }),
    foreignKey({
      name: "agent_merchants_agent_fk",
      columns: [t.organizationId, t.agentId],
      foreignColumns: [agents.organizationId, agents.id],
    }).onDelete("cascade"),
    // Workers read what others added since their last look.
    index("agent_merchants_first_used_idx").on(t.firstUsedAt),
  ],
);

export const agentsRelations = relations(agents, ({ one, many }) => ({
  organization: one(organizations, { fields: [agents.organizationId], references: [organizations.id] }),
  owner: one(users, { fields: [agents.ownerUserId], references: [users.id] }),
  apiKeys: many(apiKeys),
}));

export const apiKeysRelations = relations(apiKeys, ({ one }) => ({
  agent: one(agents, { fields: [apiKeys.agentId], references: [agents.id] }),
}));
