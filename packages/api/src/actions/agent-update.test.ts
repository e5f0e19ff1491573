import { agents, auditEvents, delegations, snapshots, type Database } from "@tollgate/db";
import { openTestDatabase, testDrivers, withRollback } from "@tollgate/db/testing";
import type { TRPCError } from "@trpc/server";
import { and, desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerAs, populatedOrganization } from "../testing";

describe.each(testDrivers)("editing an agent on %s", (driver) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database?.close());

  async function world(tx: Database["db"]) {
    const populated = await populatedOrganization(tx);
    return { ...populated, admin: callerAs(tx, populated.users.admin) };
  }
  const latestSnapshot = async (tx: Database["db"], organizationId: string) =>
    (await tx.select().from(snapshots).where(eq(snapshots.organizationId, organizationId)).orderBy(desc(snapshots.version)).limit(1))[0]!;

  it("gives an agent another owner and tags, audits before and after, and publishes what its tags now select", () =>
    withRollback(database.db, async (tx) => {
      const { organization, users, agents: cast, admin } = await world(tx);
      const updated = await admin.agents.update({ id: cast.helper.id, owner: users.reviewer.email.toUpperCase(), tags: ["purchasing", "purchasing", "eu"] });

      const [stored] = await tx.select().from(agents).where(eq(agents.id, cast.helper.id));
      expect(stored).toMatchObject({ ownerUserId: users.reviewer.id, tags: ["purchasing", "eu"] });
      const [audit] = await tx.select().from(auditEvents).where(and(eq(auditEvents.organizationId, organization.id), eq(auditEvents.action, "agent.update")));
      expect(audit).toMatchObject({ targetId: cast.helper.id, before: { ownerUserId: users.admin.id, tags: ["research"] }, after: { ownerUserId: users.reviewer.id, tags: ["purchasing", "eu"] } });
      const snapshot = await latestSnapshot(tx, organization.id);
      expect(snapshot).toMatchObject({ version: updated.snapshotVersion, cause: "agent.update" });
      // Its new tag selects the purchasing policy: the helper's profile is now the buyer's.
      const body = (snapshot.document as { body: { agents: Record<string, { profile: number }> } }).body;
      expect(body.agents[cast.helper.id]!.profile).toBe(body.agents[cast.buyer.id]!.profile);
    }));

  it("refuses an unknown owner, bad tags or no change on their fields, and changes nothing", () =>
    withRollback(database.db, async (tx) => {
      const { organization, agents: cast, admin } = await world(tx);
      const refusal = (input: Parameters<typeof admin.agents.update>[0]) => admin.agents.update(input).catch((error: TRPCError & { data?: unknown }) => error);
      expect(await refusal({ id: cast.buyer.id, owner: "nobody@example.com" })).toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("nobody@example.com") });
      expect(await refusal({ id: cast.buyer.id, tags: ["Not A Tag"] })).toMatchObject({ code: "BAD_REQUEST" });
      expect(await refusal({ id: cast.buyer.id })).toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("name an owner, a description or tags") });
      expect(await refusal({ id: cast.buyer.id, tags: ["purchasing", "eu"] })).toMatchObject({ code: "BAD_REQUEST", message: "Nothing would change." });
      expect(await tx.select().from(auditEvents).where(and(eq(auditEvents.organizationId, organization.id), eq(auditEvents.action, "agent.update")))).toEqual([]);
    }));

  it("refuses tags that would leave a delegation wider than the agent's grants, with the compiler's reason", () =>
    withRollback(database.db, async (tx) => {
      const { organization, agents: cast, admin, delegation } = await world(tx);
      // The buyer delegates search.* on the strength of its purchasing policy; without the tag it has no such grant.
      const refused = await admin.agents.update({ id: cast.buyer.id, tags: ["eu"] }).catch((error: TRPCError) => error);
      expect(refused).toMatchObject({ code: "CONFLICT", message: expect.stringContaining("no longer compile") });
      const [buyer] = await tx.select({ tags: agents.tags }).from(agents).where(eq(agents.id, cast.buyer.id));
      expect(buyer!.tags).toEqual(["purchasing", "eu"]);
      expect((await tx.select().from(delegations).where(eq(delegations.id, delegation.id)))[0]!.revokedAt).toBeNull();
      expect(await tx.select().from(auditEvents).where(and(eq(auditEvents.organizationId, organization.id), eq(auditEvents.action, "agent.update")))).toEqual([]);
    }));
});
