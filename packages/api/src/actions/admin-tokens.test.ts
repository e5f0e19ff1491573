import { adminApiTokens, auditEvents, type Database, type Db } from "@tollgate/db";
import { openTestDatabase, testDrivers, userFixture, withRollback } from "@tollgate/db/testing";
import { hashApiKey } from "@tollgate/policy";
import type { TRPCError } from "@trpc/server";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerAs, organizationWithAdmin } from "../testing";

describe.each(testDrivers)("admin API tokens on %s", (driver) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database?.close());

  async function world(tx: Db) {
    const world = await organizationWithAdmin(tx);
    return { ...world, otherAdmin: await userFixture(tx, world.org.id), as: (user: typeof world.admin) => callerAs(tx, user) };
  }

  it("returns the plaintext token once, stores only its prefix and hash, and audits it", () =>
    withRollback(database.db, async (tx) => {
      const { org, admin, caller } = await world(tx);
      const expiresAt = new Date(Date.now() + 86_400_000).toISOString();

      const created = await caller.adminTokens.create({ name: "ci", expiresAt });

      expect(created).toMatchObject({ name: "ci", expiresAt });
      expect(created.token.startsWith(`${created.prefix}_`)).toBe(true);
      const [stored] = await tx.select().from(adminApiTokens).where(eq(adminApiTokens.id, created.id));
      expect(stored).toMatchObject({ organizationId: org.id, userId: admin.id, prefix: created.prefix, hash: hashApiKey(created.token) });
      expect(JSON.stringify(stored)).not.toContain(created.token);
      const listed = await caller.adminTokens.list({});
      expect(listed).toMatchObject({ total: 1, items: [{ id: created.id, name: "ci", prefix: created.prefix, expiresAt, revokedAt: null, lastUsedAt: null }] });
      expect(JSON.stringify(listed)).not.toContain(created.token);
      const [audit] = await tx.select().from(auditEvents).where(eq(auditEvents.organizationId, org.id));
      expect(audit).toMatchObject({ action: "admin_token.create", actorUserId: admin.id, targetId: created.id, before: null, after: { name: "ci", prefix: created.prefix } });
      expect(JSON.stringify(audit)).not.toContain(created.token);
    }));

  it("lists only the signed-in admin's own tokens, newest first, page by page", () =>
    withRollback(database.db, async (tx) => {
      const { caller, as, otherAdmin } = await world(tx);
      await as(otherAdmin).adminTokens.create({ name: "theirs" });
      const first = await caller.adminTokens.create({ name: "first" });
      const second = await caller.adminTokens.create({ name: "second" });
      await tx.update(adminApiTokens).set({ createdAt: new Date(Date.now() - 60_000) }).where(eq(adminApiTokens.id, first.id));

      const page1 = await caller.adminTokens.list({ pageSize: 1 });
      const page2 = await caller.adminTokens.list({ pageSize: 1, page: 2 });
      expect([page1.total, page1.items.map((token) => token.name), page2.items.map((token) => token.name)]).toEqual([2, ["second"], ["first"]]);
      expect(page1.items[0]!.id).toBe(second.id);
    }));

  it("revokes a token once, auditing before and after; another admin's token is not found", () =>
    withRollback(database.db, async (tx) => {
      const { org, caller, as, otherAdmin } = await world(tx);
      const created = await caller.adminTokens.create({ name: "laptop" });
      const theirs = await as(otherAdmin).adminTokens.create({ name: "theirs" });

      const revoked = await caller.adminTokens.revoke({ tokenId: created.id });

      expect((await caller.adminTokens.list({})).items[0]!.revokedAt).toBe(revoked.revokedAt);
      await expect(caller.adminTokens.revoke({ tokenId: created.id })).rejects.toMatchObject({ code: "CONFLICT" });
      await expect(caller.adminTokens.revoke({ tokenId: theirs.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
      const [theirsStored] = await tx.select().from(adminApiTokens).where(eq(adminApiTokens.id, theirs.id));
      expect(theirsStored!.revokedAt).toBeNull();
      const audits = await tx.select().from(auditEvents).where(eq(auditEvents.organizationId, org.id)).orderBy(asc(auditEvents.id));
      expect(audits.at(-1)).toMatchObject({ action: "admin_token.revoke", targetId: created.id, before: { revokedAt: null }, after: { revokedAt: revoked.revokedAt } });
      expect(await caller.audit.verify()).toEqual({ ok: true, checked: 3 });
    }));

  it("names the field of an empty name or an expiry in the past, and stores nothing", () =>
    withRollback(database.db, async (tx) => {
      const { admin, caller } = await world(tx);
      const refusal = await caller.adminTokens.create({ name: " ", expiresAt: "2020-01-01T00:00:00Z" }).catch((error: TRPCError) => error);
      expect(refusal).toMatchObject({ code: "BAD_REQUEST" });
      expect((refusal as TRPCError).message).toMatch(/the expiry must be in the future/);
      expect((refusal as TRPCError).message).toMatch(/the name must not be empty/);
      expect(await tx.select().from(adminApiTokens).where(eq(adminApiTokens.userId, admin.id))).toEqual([]);
    }));
});
