import { relations, sql } from "drizzle-orm";
import { boolean, check, integer, pgEnum, pgTable, text, unique, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { at, bothOrNeither, createdAt, currencyCode, id, isCurrency, isPositive, minorUnits } from "./columns";

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
    /** Separation of duties: unless this is set, an agent's owner never approves its spend. */
    ownerMayApprove: boolean().notNull().default(false),
    /** Above this amount an approval needs two distinct reviewers; in another currency, always. */
    dualApprovalAbove: minorUnits(),
    dualApprovalCurrency: currencyCode(),
    /** Where new and expired approvals are announced (Slack-compatible JSON), signed with the secret. */
    approvalWebhookUrl: text(),
    /** The HMAC-SHA256 key of the webhook's signature header; never shown again once set. */
    approvalWebhookSecret: text(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("organizations_slug_key").on(t.slug),
    check("organizations_slug_format", sql`${t.slug} ~ '^[a-z0-9][a-z0-9-]{1,62}$'`),
    check("organizations_dual_approval_pair", bothOrNeither(t.dualApprovalAbove, t.dualApprovalCurrency)),
    check("organizations_dual_approval_positive", sql`${t.dualApprovalAbove} is null or ${isPositive(t.dualApprovalAbove)}`),
    check("organizations_approval_webhook_pair", bothOrNeither(t.approvalWebhookUrl, t.approvalWebhookSecret)),
    check("organizations_dual_approval_currency", sql`${t.dualApprovalCurrency} is null or ${isCurrency(t.dualApprovalCurrency)}`),
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
