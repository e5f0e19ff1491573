import { apiKeys, auditEvents, snapshots, type Database, type Db } from "@tollgate/db";
import { agentFixture, openTestDatabase, testDrivers, withRollback } from "@tollgate/db/testing";
import { hashApiKey } from "@tollgate/policy";
import type { TRPCError } from "@trpc/server";
import { desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { organizationWithAdmin } from "../testing";

describe.each(testDrivers)("agent API keys on %s", (driver) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database?.close());

  async function world(tx: Db) {
    const world = await organizationWithAdmin(tx);
    return { ...world, agent: await agentFixture(tx, world.admin) };
  }

  it("returns the plaintext key once, stores only its prefix and hash, audits it and publishes a snapshot", () =>
    withRollback(database.db, async (tx) => {
      const { org, admin, agent, caller } = await world(tx);
      const expiresAt = new Date(Date.now() + 86_400_000).toISOString();

      const created = await caller.agents.keys.create({ agentId: agent.id, name: "production", expiresAt });

      expect(created).toMatchObject({ name: "production", expiresAt, snapshotVersion: 1 });
      expect(created.key.startsWith(`${created.prefix}_`)).toBe(true);
      const [stored] = await tx.select().from(apiKeys).where(eq(apiKeys.id, created.id));
      expect(stored).toMatchObject({ prefix: created.prefix, hash: hashApiKey(created.key), createdByUserId: admin.id });
      expect(JSON.stringify(stored)).not.toContain(created.key);
      const detail = await caller.agents.byId({ id: agent.id });
      expect(JSON.stringify(detail)).not.toContain(created.key);
      expect(detail.apiKeys).toMatchObject([{ id: created.id, name: "production", prefix: created.prefix, expiresAt, lastUsedAt: null, revokedAt: null }]);

      const [audit] = await tx.select().from(auditEvents).where(eq(auditEvents.organizationId, org.id));
      expect(audit).toMatchObject({ action: "api_key.create", targetId: created.id, before: null, after: { agentId: agent.id, prefix: created.prefix } });
      expect(JSON.stringify(audit)).not.toContain(created.key);
      const [snapshot] = await tx.select().from(snapshots).where(eq(snapshots.organizationId, org.id));
      expect(snapshot).toMatchObject({ version: 1, cause: "api_key.create" });
      expect(JSON.stringify(snapshot!.document)).toContain(stored!.hash);
    }));

  it("revokes a key once, auditing before and after, and publishes the revocation", () =>
    withRollback(database.db, async (tx) => {
      const { org, agent, caller } = await world(tx);
      const created = await caller.agents.keys.create({ agentId: agent.id });

      const revoked = await caller.agents.keys.revoke({ keyId: created.id });

      expect(revoked).toMatchObject({ id: created.id, snapshotVersion: 2 });
      expect((await caller.agents.byId({ id: agent.id })).apiKeys[0]!.revokedAt).toBe(revoked.revokedAt);
      const [audit] = await tx.select().from(auditEvents).where(eq(auditEvents.organizationId, org.id)).orderBy(desc(auditEvents.id)).limit(1);
      expect(audit).toMatchObject({ action: "api_key.revoke", before: { revokedAt: null }, after: { revokedAt: revoked.revokedAt } });
      const [snapshot] = await tx.select().from(snapshots).where(eq(snapshots.organizationId, org.id)).orderBy(desc(snapshots.version)).limit(1);
      expect(snapshot).toMatchObject({ version: 2, cause: "api_key.revoke" });
      expect(JSON.stringify(snapshot!.document)).toContain(revoked.revokedAt);
      await expect(caller.agents.keys.revoke({ keyId: created.id })).rejects.toMatchObject({ code: "CONFLICT" });
      expect(await caller.audit.verify()).toEqual({ ok: true, checked: 2 });
    }));

  it("names the field of an expiry in the past or an empty name", () =>
    withRollback(database.db, async (tx) => {
      const { agent, caller } = await world(tx);
      const refusal = await caller.agents.keys.create({ agentId: agent.id, name: " ", expiresAt: "2020-01-01T00:00:00Z" }).catch((error: TRPCError) => error);
      expect(refusal).toMatchObject({ code: "BAD_REQUEST" });
      expect((refusal as TRPCError).message).toMatch(/the expiry must be in the future/);
      expect((refusal as TRPCError).message).toMatch(/the name must not be empty/);
      expect(await tx.select().from(apiKeys).where(eq(apiKeys.agentId, agent.id))).toEqual([]);
    }));
});
