import { relations } from "drizzle-orm";
import { foreignKey, index, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { credentialColumns, credentialConstraints, id } from "./columns";
import { organizationId, organizations, users } from "./organizations";

/**
 * An admin's API token for the `tollgate` CLI and other scripts: it acts as that admin, in that
 * admin's organization. Shown once; like agent keys, only its SHA-256 and visible prefix are kept.
 */
export const adminApiTokens = pgTable(
  "admin_api_tokens",
  {
    id: id(),
    organizationId: organizationId(),
    userId: uuid().notNull(),
    name: text().notNull(),
    ...credentialColumns(),
  },
  (t) => [
    // A token dies with its user, and can only ever act inside the user's own organization.
    foreignKey({
      name: "admin_api_tokens_user_fk",
      columns: [t.organizationId, t.userId],
      foreignColumns: [users.organizationId, users.id],
    }).onDelete("cascade"),
    ...credentialConstraints("admin_api_tokens", t),
    index("admin_api_tokens_user_idx").on(t.organizationId, t.userId, t.createdAt),
  ],
);

export const adminApiTokensRelations = relations(adminApiTokens, ({ one }) => ({
  organization: one(organizations, { fields: [adminApiTokens.organizationId], references: [organizations.id] }),
  user: one(users, { fields: [adminApiTokens.userId], references: [users.id] }),
}));
