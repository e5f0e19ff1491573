import { randomUUID } from "node:crypto";
import type { Db } from "../client";
import type { Agent, Organization, User } from "../models";
import { agents, organizations, policies, policyVersions, users } from "../schema";

const unique = () => randomUUID().slice(0, 8);

/** An organization with a unique slug. */
export async function organizationFixture(db: Db, values: Partial<typeof organizations.$inferInsert> = {}): Promise<Organization> {
  const suffix = unique();
  const [row] = await db
    .insert(organizations)
    .values({ slug: `org-${suffix}`, name: `Org ${suffix}`, ...values })
    .returning();
  return row!;
}

/** A user of `organizationId`; the password hash is a placeholder that matches no password. */
export async function userFixture(
  db: Db,
  organizationId: string,
  values: Partial<typeof users.$inferInsert> = {},
): Promise<User> {
  const suffix = unique();
  const [row] = await db
    .insert(users)
    .values({
      organizationId,
      email: `user-${suffix}@example.test`,
      name: `User ${suffix}`,
      role: "admin",
      passwordHash: "scrypt$disabled",
      ...values,
    })
    .returning();
  return row!;
}

/** An active agent owned by `ownerUserId`. */
export async function agentFixture(
  db: Db,
  owner: Pick<User, "id" | "organizationId">,
  values: Partial<typeof agents.$inferInsert> = {},
): Promise<Agent> {
  const [row] = await db
    .insert(agents)
    .values({ organizationId: owner.organizationId, ownerUserId: owner.id, name: `agent-${unique()}`, ...values })
    .returning();
  return row!;
}

/** A policy of `organizationId` with `document` as its published version 1, ready for publishSnapshot. */
export async function publishedPolicyFixture(db: Db, organizationId: string, document: { name: string } & Record<string, unknown>, publishedAt = new Date()) {
  const [policy] = await db.insert(policies).values({ organizationId, name: document.name }).returning();
  await db.insert(policyVersions).values({
    organizationId,
    policyId: policy!.id,
    version: 1,
    source: JSON.stringify(document),
    document,
    status: "published",
    publishedAt,
  });
  return policy!;
}
