import { openTestDatabase, testDrivers, withRollback } from "@tollgate/db/testing";
import {
  agents,
  approvals,
  decisions,
  delegations,
  organizations,
  policies,
  reservations,
  signingKeys,
  snapshots,
  trustScores,
  users,
  type Database,
} from "@tollgate/db";
import { findKeyByHash, hashApiKey, loadSnapshot } from "@tollgate/policy";
import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoOrganization } from "./cast";
import { seedDemo } from "./seed";

// Counted within the demo organization: other test files commit to the shared PostgreSQL meanwhile.
const tables = { users, agents, delegations, decisions, reservations, approvals, trustScores, policies, snapshots };

describe.each(testDrivers)("demo seed on %s", (driver) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database?.close());

  it("creates an organization with every role, a dozen agents and 30 days of history, and a second run changes nothing", () =>
    withRollback(database.db, async (tx) => {
      // The shared test PostgreSQL may hold a demo org from a crashed run; this test owns the slug.
      await tx.delete(organizations).where(eq(organizations.slug, demoOrganization.slug));
      const now = new Date("2026-11-24T12:00:00Z");
      const first = await seedDemo(tx, { now });
      expect(first.created).toBe(true);
      expect(first.credentials.map((c) => c.role).sort()).toEqual(["admin", "manager", "reviewer"]);

      const counts = async () =>
        Object.fromEntries(
          await Promise.all(
            Object.entries(tables).map(async ([name, table]) => {
              const [row] = await tx.select({ n: count() }).from(table).where(eq(table.organizationId, first.organizationId));
              return [name, row!.n];
            }),
          ),
        );
      const before = await counts();
      expect(before.agents).toBeGreaterThanOrEqual(12);
      expect(before.delegations).toBeGreaterThanOrEqual(3);
      expect(before.decisions).toBeGreaterThan(3000);
      expect(before.approvals).toBeGreaterThan(20);
      expect(before.trustScores).toBe(before.agents);

      const outcomes = await tx
        .select({ outcome: decisions.outcome, n: count() })
        .from(decisions)
        .where(eq(decisions.organizationId, first.organizationId))
        .groupBy(decisions.outcome);
      expect(outcomes.map((o) => o.outcome).sort()).toEqual(["allow", "deny", "pending"]);

      const [snapshot] = await tx.select().from(snapshots).where(eq(snapshots.organizationId, first.organizationId));
      const keys = await tx.select().from(signingKeys).where(eq(signingKeys.organizationId, first.organizationId));
      const loaded = loadSnapshot(snapshot!.document, Object.fromEntries(keys.map((key) => [key.id, key.publicKey])));
      if (!loaded.ok) throw new Error(loaded.error.message);
      const found = findKeyByHash(loaded.snapshot, hashApiKey(first.demoKey.key), now);
      expect(found.ok && loaded.snapshot.agents.get(found.key.agentId)?.name).toBe("checkout-bot");

      const second = await seedDemo(tx, { now: new Date("2026-11-25T12:00:00Z") });
      expect(second).toMatchObject({ created: false, organizationId: first.organizationId, demoKey: first.demoKey });
      expect(await counts()).toEqual(before);
      const [demo] = await tx.select({ n: count() }).from(organizations).where(eq(organizations.slug, demoOrganization.slug));
      expect(demo!.n).toBe(1);
    }));
});
