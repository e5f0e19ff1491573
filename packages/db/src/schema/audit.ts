import { sql } from "drizzle-orm";
import { bigserial, check, foreignKey, index, jsonb, pgEnum, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt } from "./columns";
import { organizationId, users } from "./organizations";

export const actorKind = pgEnum("actor_kind", ["user", "api_token", "system"]);

/**
 * Every admin change with who, when, before and after. Rows are chained by hash
 * (`hash = sha256(prevHash || canonical row)`), so editing or deleting one is detectable.
 */
export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    organizationId: organizationId(),
    actorKind: actorKind().notNull(),
    actorUserId: uuid(),
    /** `agent.create`, `policy.publish`, `delegation.revoke`, … */
    action: text().notNull(),
    targetType: text().notNull(),
    targetId: text().notNull(),
    before: jsonb(),
    after: jsonb(),
    createdAt: createdAt(),
    prevHash: text(),
    hash: text().notNull(),
  },
  (t) => [
    foreignKey({
      name: "audit_events_actor_fk",
      columns: [t.organizationId, t.actorUserId],
      foreignColumns: [users.organizationId, users.id],
    }),
    check("audit_events_user_actor", sql`(${t.actorKind} = 'user') = (${t.actorUserId} is not null)`),
    check("audit_events_action_format", sql`${t.action} ~ '^[a-z_]+\\.[a-z_]+$'`),
    check("audit_events_hash_format", sql`${t.hash} ~ '^[0-9a-f]{64}$'`),
    index("audit_events_organization_created_idx").on(t.organizationId, t.createdAt.desc()),
    index("audit_events_target_idx").on(t.organizationId, t.targetType, t.targetId),
  ],
);
