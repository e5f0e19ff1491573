import { relations, sql } from "drizzle-orm";
import {
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  unique,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { at, createdAt, id } from "./columns";
import { organizationId, organizations, users } from "./organizations";

export const policyVersionStatus = pgEnum("policy_version_status", ["draft", "published", "superseded"]);
export const policyMode = pgEnum("policy_mode", ["enforce", "shadow"]);
/** Snapshot keys stay with the control plane; receipt keys are handed to workers, so they differ. */
export const signingKeyPurpose = pgEnum("signing_key_purpose", ["snapshot", "receipt"]);

/** A named policy; its rules live in immutable, numbered versions. */
export const policies = pgTable(
  "policies",
  {
    id: id(),
    organizationId: organizationId(),
    name: text().notNull(),
    description: text().notNull().default(""),
    createdAt: createdAt(),
    archivedAt: at(),
  },
  (t) => [
    unique("policies_organization_id_id_key").on(t.organizationId, t.id),
    unique("policies_organization_id_name_key").on(t.organizationId, t.name),
  ],
);

/**
 * One version of a policy. The document and source never change once written (a trigger
 * refuses it); only the lifecycle columns move: draft → published → superseded.
 */
export const policyVersions = pgTable(
  "policy_versions",
  {
    id: id(),
    organizationId: organizationId(),
    policyId: uuid().notNull(),
    version: integer().notNull(),
    /** The policy document as written (YAML or JSON), for diffs and export. */
    source: text().notNull(),
    /** The validated document, as the compiler reads it. */
    document: jsonb().notNull(),
    status: policyVersionStatus().notNull().default("draft"),
    mode: policyMode().notNull().default("enforce"),
    createdByUserId: uuid(),
    createdAt: createdAt(),
    publishedAt: at(),
  },
  (t) => [
    foreignKey({
      name: "policy_versions_policy_fk",
      columns: [t.organizationId, t.policyId],
      foreignColumns: [policies.organizationId, policies.id],
    }).onDelete("cascade"),
    foreignKey({
      name: "policy_versions_author_fk",
      columns: [t.organizationId, t.createdByUserId],
      foreignColumns: [users.organizationId, users.id],
    }),
    unique("policy_versions_policy_id_version_key").on(t.policyId, t.version),
    // At most one published version per policy: publishing supersedes the previous one.
    uniqueIndex("policy_versions_one_published_idx")
      .on(t.policyId)
      .where(sql`${t.status} = 'published'`),
    check("policy_versions_version_positive", sql`${t.version} > 0`),
    check("policy_versions_published_at", sql`(${t.status} = 'draft') = (${t.publishedAt} is null)`),
  ],
);

/**
 * Ed25519 keys that sign snapshots (control plane) and decision receipts (workers); the key id
 * travels inside what they sign. A worker never holds a snapshot key, so a compromised worker
 * cannot forge the rules other workers load.
 */
export const signingKeys = pgTable(
  "signing_keys",
  {
    id: text().primaryKey(),
    organizationId: organizationId(),
    algorithm: text().notNull().default("Ed25519"),
    purpose: signingKeyPurpose().notNull().default("snapshot"),
    publicKey: text().notNull(),
    privateKey: text().notNull(),
    createdAt: createdAt(),
    retiredAt: at(),
  },
  (t) => [
    check("signing_keys_algorithm", sql`${t.algorithm} = 'Ed25519'`),
    index("signing_keys_organization_idx").on(t.organizationId),
  ],
);

/**
 * Everything a worker needs to decide for one organization, compiled, content-hashed and
 * signed. Versions only grow; workers load the highest one they can verify.
 */
export const snapshots = pgTable(
  "snapshots",
  {
    id: id(),
    organizationId: organizationId(),
    version: integer().notNull(),
    contentHash: text().notNull(),
    keyId: text()
      .notNull()
      .references(() => signingKeys.id),
    /** The signed snapshot exactly as workers receive it. */
    document: jsonb().notNull(),
    createdAt: createdAt(),
    /** What caused it (`policy.publish`, `agent.suspend`, …), for the propagation view. */
    cause: text().notNull(),
  },
  (t) => [
    unique("snapshots_organization_id_version_key").on(t.organizationId, t.version),
    check("snapshots_version_positive", sql`${t.version} > 0`),
    check("snapshots_content_hash_format", sql`${t.contentHash} ~ '^[0-9a-f]{64}$'`),
  ],
);

export const policiesRelations = relations(policies, ({ one, many }) => ({
  organization: one(organizations, { fields: [policies.organizationId], references: [organizations.id] }),
  versions: many(policyVersions),
}));

export const policyVersionsRelations = relations(policyVersions, ({ one }) => ({
  policy: one(policies, { fields: [policyVersions.policyId], references: [policies.id] }),
}));
