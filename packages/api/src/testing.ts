import { randomBytes, scryptSync } from "node:crypto";
import {
  agentFixture,
  organizationFixture,
  publishedPolicyFixture,
  userFixture,
} from "@tollgate/db/testing";
import {
  agentSessions,
  apiKeys,
  approvals,
  auditEvents,
  decisions,
  delegations,
  reservations,
  signingKeys,
  snapshots,
  trustScores,
  workers,
  workerSnapshots,
  type Db,
  type Organization,
  type User,
  type UserRole,
} from "@tollgate/db";
import { generateSigningKey } from "@tollgate/policy";
import { createContext, type Session } from "./context";
import { createCaller } from "./root";

// Test-only fixtures for this package's tests; not exported from index.ts.

/**
 * A password hash with tiny scrypt parameters, so tests that sign in many times stay fast.
 * `verifyPassword` reads the parameters from the hash, exactly as for a real one.
 */
export function cheapPasswordHash(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password.normalize("NFKC"), salt, 32, { N: 16, r: 1, p: 1 });
  return ["scrypt", 16, 1, 1, salt.toString("base64url"), key.toString("base64url")].join("$");
}

export const sessionOf = (user: Pick<User, "id" | "organizationId" | "role">): Session => ({
  userId: user.id,
  organizationId: user.organizationId,
  role: user.role,
});

const hour = 60 * 60 * 1000;
const hex = () => randomBytes(32).toString("hex");

/** The API as `user` calls it, on `db` (a test's transaction). */
export const callerAs = (db: Db, user: Pick<User, "id" | "organizationId" | "role">) => createCaller(createContext({ db, session: sessionOf(user) }));

/** A fresh organization with one admin, and the API as that admin. */
export async function organizationWithAdmin(db: Db) {
  const org = await organizationFixture(db);
  const admin = await userFixture(db, org.id);
  return { org, admin, caller: callerAs(db, admin) };
}

/**
 * An organization with one user per role and one row of everything the console lists: two
 * agents (one with a key and a trust score), a published policy, a delegation, a session with
 * an allowed-and-committed decision and a pending approval, an audit event and a worker.
 */
export async function populatedOrganization(db: Db) {
  const organization = await organizationFixture(db, { timeZone: "Europe/Berlin" });
  const users = {} as Record<UserRole, User>;
  for (const role of ["admin", "reviewer", "manager"] as const) users[role] = await userFixture(db, organization.id, { role });
  const admin = users.admin;
  const organizationId = organization.id;

  const buyer = await agentFixture(db, admin, { tags: ["purchasing", "eu"] });
  const helper = await agentFixture(db, admin, { tags: ["research"] });
  const [apiKey] = await db.insert(apiKeys).values({ organizationId, agentId: buyer.id, prefix: `tg_${randomBytes(4).toString("hex")}`, hash: hex() }).returning();
  await db.insert(trustScores).values({ organizationId, agentId: buyer.id, score: 712 });

  // The buyer may search, so its delegation to the helper compiles and the world can be published.
  const document = { name: `policy-${buyer.name}`, selector: { tags: ["purchasing"] }, grants: [{ id: "search", actions: ["search.*"] }] };
  const policy = await publishedPolicyFixture(db, organizationId, document);

  const [delegation] = await db
    .insert(delegations)
    .values({
      organizationId,
      delegatorAgentId: buyer.id,
      delegateAgentId: helper.id,
      scope: { actions: ["search.*"] },
      budgetAmount: 5_000,
      budgetCurrency: "EUR",
      expiresAt: new Date(Date.now() + 24 * hour),
    })
    .returning();

  const [session] = await db.insert(agentSessions).values({ organizationId, agentId: buyer.id, externalId: "run-1" }).returning();
  const decide = async (requestId: string, outcome: "allow" | "pending", amount: number) => {
    const [row] = await db
      .insert(decisions)
      .values({
        organizationId,
        agentId: buyer.id,
        sessionId: session!.id,
        requestId,
        action: "stripe.charges.create",
        amount,
        currency: "EUR",
        merchant: "acme",
        outcome,
        snapshotVersion: 1,
        workerId: "worker-test",
      })
      .returning();
    return row!;
  };
  const allowed = await decide("req-1", "allow", 1_250);
  await db.insert(reservations).values({
    organizationId,
    agentId: buyer.id,
    decisionId: allowed.id,
    amount: 1_250,
    currency: "EUR",
    committedAmount: 1_000,
    status: "committed",
    expiresAt: new Date(Date.now() + hour),
    settledAt: new Date(),
  });
  const waiting = await decide("req-2", "pending", 90_000);
  const [approval] = await db
    .insert(approvals)
    .values({
      organizationId,
      decisionId: waiting.id,
      agentId: buyer.id,
      action: "stripe.charges.create",
      merchant: "acme",
      amount: 90_000,
      currency: "EUR",
      expiresAt: new Date(Date.now() + hour),
    })
    .returning();

  await db.insert(auditEvents).values({
    organizationId,
    actorKind: "user",
    actorUserId: admin.id,
    action: "agent.create",
    targetType: "agent",
    targetId: buyer.id,
    after: { name: buyer.name },
    hash: hex(),
  });

  // A real key: the admin actions in the matrix publish the next snapshot with it.
  const { keyId, publicKey, privateKey } = generateSigningKey();
  await db.insert(signingKeys).values({ id: keyId, organizationId, publicKey, privateKey });
  await db.insert(snapshots).values({ organizationId, version: 1, contentHash: hex(), keyId, document: {}, cause: "test" });
  const workerId = `worker-${randomBytes(4).toString("hex")}`;
  await db.insert(workers).values({ id: workerId, host: "127.0.0.1", version: "0.1.0" });
  await db.insert(workerSnapshots).values({ workerId, organizationId, snapshotVersion: 1 });

  return { organization, users, agents: { buyer, helper }, apiKey: apiKey!, policy: policy!, delegation: delegation!, session: session!, approval: approval!, workerId };
}

/**
 * An agent owned by a reviewer (`owner`) with one pending approval of 20,000 EUR minor units (or
 * `money`, null for a call that named none), asked 2 minutes ago, another reviewer and an admin;
 * `as(user)` calls the API as that user.
 */
export async function pendingApproval(
  db: Db,
  { expiresInMs = 60_000, organization = {} as Partial<Organization>, money = { amount: 20_000, currency: "EUR" } as { amount: number; currency: string } | null } = {},
) {
  const { amount = null, currency = null } = money ?? {};
  const org = await organizationFixture(db, organization);
  const owner = await userFixture(db, org.id, { role: "reviewer" });
  const reviewer = await userFixture(db, org.id, { role: "reviewer" });
  const admin = await userFixture(db, org.id, { role: "admin" });
  const agent = await agentFixture(db, owner);
  const [decision] = await db
    .insert(decisions)
    .values({ organizationId: org.id, agentId: agent.id, requestId: "r1", action: "shop.order", amount, currency, outcome: "pending", snapshotVersion: 1, workerId: "w" })
    .returning();
  const [approval] = await db
    .insert(approvals)
    .values({ organizationId: org.id, decisionId: decision!.id, agentId: agent.id, action: "shop.order", amount, currency, createdAt: new Date(Date.now() - 120_000), expiresAt: new Date(Date.now() + expiresInMs) })
    .returning();
  const as = (user: User) => callerAs(db, user);
  return { org, owner, reviewer, admin, agent, approval: approval!, as };
}
