import { auditEvents, type Database } from "@tollgate/db";
import { openTestDatabase, organizationFixture, testDrivers, userFixture, withRollback } from "@tollgate/db/testing";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordAudit, verifyAuditChain } from "./chain";

describe.each(testDrivers)("the audit chain on %s", (driver) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database?.close());

  const writeThree = async (tx: Database["db"]) => {
    const org = await organizationFixture(tx);
    const admin = await userFixture(tx, org.id);
    for (const [index, action] of ["agent.create", "agent.suspend", "agent.resume"].entries()) {
      await recordAudit(tx, {
        organizationId: org.id,
        actorKind: "user",
        actorUserId: admin.id,
        action,
        targetType: "agent",
        targetId: "agent-1",
        before: index === 0 ? null : { status: index === 1 ? "active" : "suspended" },
        after: { status: index === 1 ? "suspended" : "active", tags: ["b", "a"] },
        createdAt: new Date(Date.UTC(2026, 10, 24, 9, index)),
      });
    }
    const rows = await tx.select().from(auditEvents).where(eq(auditEvents.organizationId, org.id)).orderBy(asc(auditEvents.id));
    return { org, rows };
  };

  it("links every entry to the one before it, and the chain verifies", () =>
    withRollback(database.db, async (tx) => {
      const { org, rows } = await writeThree(tx);
      expect(rows.map((row) => row.prevHash)).toEqual([null, rows[0]!.hash, rows[1]!.hash]);
      expect(await verifyAuditChain(tx, org.id)).toEqual({ ok: true, checked: 3 });
    }));

  it("detects an entry edited after it was written", () =>
    withRollback(database.db, async (tx) => {
      const { org, rows } = await writeThree(tx);
      await tx.update(auditEvents).set({ after: { status: "active", tags: ["a"] } }).where(eq(auditEvents.id, rows[1]!.id));
      expect(await verifyAuditChain(tx, org.id)).toMatchObject({ ok: false, brokenAt: rows[1]!.id, problem: expect.stringContaining("changed") });
    }));

  it("detects an entry deleted from the middle", () =>
    withRollback(database.db, async (tx) => {
      const { org, rows } = await writeThree(tx);
      await tx.delete(auditEvents).where(eq(auditEvents.id, rows[1]!.id));
      expect(await verifyAuditChain(tx, org.id)).toMatchObject({ ok: false, brokenAt: rows[2]!.id, problem: expect.stringContaining("does not follow") });
    }));
});
