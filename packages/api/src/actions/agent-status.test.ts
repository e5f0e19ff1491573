import { agents, auditEvents, delegations, snapshots, type Database, type Db, type User } from "@tollgate/db";
import { agentFixture, openTestDatabase, organizationFixture, publishedPolicyFixture, testDrivers, userFixture, withRollback } from "@tollgate/db/testing";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createContext } from "../context";
import { createCaller } from "../root";
import { sessionOf } from "../testing";

const day = 86_400_000;
// Every agent of the chain may search, so each delegation stays within its delegator's scope.
const searchPolicy = { name: "search", selector: { tags: ["chain"] }, grants: [{ id: "search", actions: ["search.*"] }] };

/**
 * checkout → invoices → ledger, a two-level delegate chain, plus a bystander that checkout
 * delegated to once (revoked) and another whose delegation expired: neither is downstream.
 */
async function delegationChain(tx: Db) {
  const org = await organizationFixture(tx);
  const admin = await userFixture(tx, org.id);
  await publishedPolicyFixture(tx, org.id, searchPolicy);
  const agent = (name: string) => agentFixture(tx, admin, { name: `${name}-${org.id.slice(0, 8)}`, tags: ["chain"] });
  const [checkout, invoices, ledger, revoked, expired] = [await agent("checkout"), await agent("invoices"), await agent("ledger"), await agent("revoked"), await agent("expired")];
  const delegate = (from: typeof checkout, to: typeof checkout, values: Partial<typeof delegations.$inferInsert> = {}) =>
    tx.insert(delegations).values({ organizationId: org.id, delegatorAgentId: from!.id, delegateAgentId: to!.id, scope: { actions: ["search.*"] }, expiresAt: new Date(Date.now() + day), ...values });
  await delegate(checkout, invoices);
  await delegate(invoices, ledger);
  await delegate(checkout, revoked, { revokedAt: new Date() });
  await delegate(checkout, expired, { createdAt: new Date(Date.now() - 2 * day), expiresAt: new Date(Date.now() - day) });
  return { org, admin, checkout: checkout!, invoices: invoices!, ledger: ledger!, caller: callerOf(tx, admin) };
}

const callerOf = (tx: Db, user: User) => createCaller(createContext({ db: tx, session: sessionOf(user) }));
const statusesOf = (tx: Db, organizationId: string) =>
  tx.select({ name: agents.name, status: agents.status }).from(agents).where(eq(agents.organizationId, organizationId)).orderBy(asc(agents.name));

describe.each(testDrivers)("suspending and resuming agents on %s", (driver) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database?.close());

  it("previews exactly the agent and its live delegates downstream", () =>
    withRollback(database.db, async (tx) => {
      const { checkout, invoices, ledger, caller } = await delegationChain(tx);
      const preview = await caller.agents.suspension.preview({ agentId: checkout.id });
      expect(preview.agent).toMatchObject({ id: checkout.id, name: checkout.name });
      expect(preview.delegates.map((agent) => agent.name)).toEqual([invoices.name, ledger.name]);
      expect((await caller.agents.suspension.preview({ agentId: ledger.id })).delegates).toEqual([]);
    }));

  it("suspends the agent and both levels of delegates, audits each, and publishes a snapshot", () =>
    withRollback(database.db, async (tx) => {
      const { org, checkout, invoices, ledger, caller } = await delegationChain(tx);
      const result = await caller.agents.suspend({ agentId: checkout.id, reason: "card testing" });

      expect(result.changed.map((agent) => agent.name)).toEqual([checkout.name, invoices.name, ledger.name]);
      expect(result.snapshotVersion).toBe(1);
      const suspended = (await statusesOf(tx, org.id)).filter((agent) => agent.status === "suspended").map((agent) => agent.name);
      expect(suspended.sort()).toEqual([checkout.name, invoices.name, ledger.name].sort());
      expect(await caller.agents.byId({ id: ledger.id })).toMatchObject({ status: "suspended", suspendedReason: `delegate of ${checkout.name}: card testing` });

      const audit = await tx.select().from(auditEvents).where(eq(auditEvents.organizationId, org.id)).orderBy(asc(auditEvents.id));
      expect(audit.map((entry) => [entry.action, entry.targetId])).toEqual([checkout, invoices, ledger].map((agent) => ["agent.suspend", agent.id]));
      expect(audit[0]).toMatchObject({ before: { status: "active" }, after: { status: "suspended", suspendedReason: "card testing" } });
      const [snapshot] = await tx.select().from(snapshots).where(eq(snapshots.organizationId, org.id));
      expect(snapshot).toMatchObject({ version: 1, cause: "agent.suspend" });
      expect(await caller.audit.verify()).toEqual({ ok: true, checked: 3 });
    }));

  it("resumes only the named agent: its delegates stay suspended until each is resumed", () =>
    withRollback(database.db, async (tx) => {
      const { org, checkout, invoices, caller } = await delegationChain(tx);
      await caller.agents.suspend({ agentId: checkout.id });

      const result = await caller.agents.resume({ agentId: checkout.id });

      expect(result).toEqual({ changed: [{ id: checkout.id, name: checkout.name, status: "active" }], snapshotVersion: 2 });
      expect(await caller.agents.byId({ id: checkout.id })).toMatchObject({ status: "active", suspendedAt: null, suspendedReason: null });
      expect((await caller.agents.byId({ id: invoices.id })).status).toBe("suspended");
      const [last] = await tx.select().from(auditEvents).where(eq(auditEvents.organizationId, org.id)).orderBy(asc(auditEvents.id)).offset(3);
      expect(last).toMatchObject({ action: "agent.resume", targetId: checkout.id, before: { status: "suspended" }, after: { status: "active" } });
      await expect(caller.agents.resume({ agentId: checkout.id })).rejects.toMatchObject({ code: "CONFLICT" });
    }));

  it("refuses to suspend a chain that is already suspended, changing nothing", () =>
    withRollback(database.db, async (tx) => {
      const { org, ledger, caller } = await delegationChain(tx);
      await caller.agents.suspend({ agentId: ledger.id });
      await expect(caller.agents.suspend({ agentId: ledger.id })).rejects.toMatchObject({ code: "CONFLICT" });
      expect(await tx.select().from(snapshots).where(eq(snapshots.organizationId, org.id))).toHaveLength(1);
    }));
});
