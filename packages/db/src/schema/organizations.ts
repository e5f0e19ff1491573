import { relations, sql } from "drizzle-orm";
import { check, integer, pgEnum, pgTable, text, unique, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { at, createdAt, id } from "./columns";

export const userRole = pgEnum("user_role", ["admin", "reviewer", "manager"]);

/** The tenant: nothing crosses from one organization to another. */
export const organizations = pgTable(
  "organizations",
  {
    id: id(),
    slug: text().notNull(),
    name: text().notNull(),
    /** IANA zone in which daily, weekly and monthly envelopes reset. */
    timeZone: text().notNull().default("UTC"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("organizations_slug_key").on(t.slug),
    check("organizations_slug_format", sql`${t.slug} ~ '^[a-z0-9][a-z0-9-]{1,62}$'`),
  ],
);

/** The owning tenant of a row; deleting an organization removes everything it owns. */
export const organizationId = () =>
  uuid()
    .notNull()
    .references(() => organizations.id, { onDelete: "cascade" });

/** A human member of one organization with one role. */
export const users = pgTable(
  "users",
  {
    id: id(),
    organizationId: organizationId(),
    email: text().notNull(),
    name: text().notNull(),
    role: userRole().notNull(),
    /** `scrypt$N$r$p$salt$hash`, never the password. */
    passwordHash: text().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    // Composite key target: rows that point at a user must name the same organization.
    unique("users_organization_id_id_key").on(t.organizationId, t.id),
    uniqueIndex("users_email_key").on(sql`lower(${t.email})`),
    check("users_email_format", sql`${t.email} ~ '^[^@\\s]+@[^@\\s]+$'`),
  ],
);

/** Failed sign-ins per key (an email or an address), so guessing is throttled across replicas. */
export const signInThrottles = pgTable("sign_in_throttles", {
  key: text().primaryKey(),
  failures: integer().notNull().default(0),
  windowStartedAt: at().notNull().defaultNow(),
  lockedUntil: at(),
});

export const organizationsRelations = relations(organizations, ({ many }) => ({
  users: many(users),
}));
