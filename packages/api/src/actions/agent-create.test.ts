import { agents, auditEvents, snapshots, type Database, type Db } from "@tollgate/db";
import { openTestDatabase, testDrivers, userFixture, withRollback } from "@tollgate/db/testing";
import type { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { organizationWithAdmin } from "../testing";

describe.each(testDrivers)("creating agents on %s", (driver) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database?.close());

  async function world(tx: Db) {
    const world = await organizationWithAdmin(tx);
    return { ...world, owner: await userFixture(tx, world.org.id, { role: "reviewer", email: `Owner-${world.org.id.slice(0, 8)}@example.test` }) };
  }

  it("creates an active agent owned by the user named by email, audits it and publishes it to the workers", () =>
    withRollback(database.db, async (tx) => {
      const { org, owner, caller } = await world(tx);

      const created = await caller.agents.create({ name: "buyer-1", owner: owner.email.toLowerCase(), tags: ["purchasing", "eu", "eu"], description: "Buys supplies" });

      expect(created).toMatchObject({ name: "buyer-1", status: "active", tags: ["purchasing", "eu"], owner: { id: owner.id }, trustScore: null, snapshotVersion: 1 });
      const [stored] = await tx.select().from(agents).where(eq(agents.id, created.id));
      expect(stored).toMatchObject({ organizationId: org.id, ownerUserId: owner.id, description: "Buys supplies" });
      const [audit] = await tx.select().from(auditEvents).where(eq(auditEvents.organizationId, org.id));
      expect(audit).toMatchObject({ action: "agent.create", targetId: created.id, before: null, after: { name: "buyer-1", tags: ["purchasing", "eu"] } });
      const [snapshot] = await tx.select().from(snapshots).where(eq(snapshots.organizationId, org.id));
      expect(snapshot).toMatchObject({ version: 1, cause: "agent.create" });
      expect(JSON.stringify(snapshot!.document)).toContain(created.id);
    }));

  it("makes the caller the owner when none is named", () =>
    withRollback(database.db, async (tx) => {
      const { admin, caller } = await world(tx);
      expect(await caller.agents.create({ name: "helper" })).toMatchObject({ owner: { id: admin.id }, tags: [] });
    }));

  it("names the field of a taken name, an unknown owner, a malformed name or tag, and creates nothing", () =>
    withRollback(database.db, async (tx) => {
      const { org, caller } = await world(tx);
      await caller.agents.create({ name: "buyer" });
      const fieldErrors = (promise: Promise<unknown>) =>
        promise.then(
          () => null,
          (error: TRPCError) => ({ code: error.code, fields: Object.keys((error as TRPCError & { cause: { fieldErrors?: object } }).cause.fieldErrors ?? {}) }),
        );

      expect(await fieldErrors(caller.agents.create({ name: "buyer" }))).toEqual({ code: "BAD_REQUEST", fields: ["name"] });
      expect(await fieldErrors(caller.agents.create({ name: "other", owner: "nobody@example.test" }))).toEqual({ code: "BAD_REQUEST", fields: ["owner"] });
      const malformed = await caller.agents.create({ name: "Not Valid", tags: ["-x"] }).catch((error: TRPCError) => error);
      expect(malformed).toMatchObject({ code: "BAD_REQUEST" });
      expect((malformed as TRPCError).message).toMatch(/the name must be 1–63 lowercase letters/);
      expect((malformed as TRPCError).message).toMatch(/must be a tag of 1–64 letters/);
      expect((await tx.select().from(agents).where(eq(agents.organizationId, org.id))).map((agent) => agent.name)).toEqual(["buyer"]);
    }));
});
