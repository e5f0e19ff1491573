import { agentSessions, auditEvents, type Database } from "@tollgate/db";
import { agentFixture, openTestDatabase, organizationFixture, testDrivers, userFixture, withRollback } from "@tollgate/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createContext } from "../context";
import { createCaller } from "../root";
import { sessionOf } from "../testing";

describe.each(testDrivers)("resetting a tripped session on %s", (driver) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database?.close());

  it("opens the session, records who did it with before and after, and the audit chain still verifies", () =>
    withRollback(database.db, async (tx) => {
      const org = await organizationFixture(tx);
      const admin = await userFixture(tx, org.id);
      const agent = await agentFixture(tx, admin);
      const [session] = await tx
        .insert(agentSessions)
        .values({ organizationId: org.id, agentId: agent.id, externalId: "loop", status: "tripped", trippedAt: new Date(), trippedReason: "20 denials in a row" })
        .returning();
      const caller = createCaller(createContext({ db: tx, session: sessionOf(admin) }));

      expect(await caller.sessions.reset({ id: session!.id })).toEqual({ id: session!.id, status: "open" });
      const [audit] = await tx.select().from(auditEvents).where(eq(auditEvents.organizationId, org.id));
      expect(audit).toMatchObject({
        action: "session.reset",
        actorUserId: admin.id,
        targetId: session!.id,
        before: { status: "tripped", trippedReason: "20 denials in a row" },
        after: { status: "open" },
      });
      expect(await caller.audit.verify()).toEqual({ ok: true, checked: 1 });
    }));
});
