import { auditEvents, decisions, policyVersions, snapshots, type Database, type Db } from "@tollgate/db";
import { agentFixture, openTestDatabase, organizationFixture, testDrivers, userFixture, withRollback } from "@tollgate/db/testing";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createContext } from "../context";
import { createCaller } from "../root";
import { sessionOf } from "../testing";

const shadowCap = "name: cautious\nmode: shadow\nselector: { all: true }\ngrants:\n  - { id: charges, actions: [stripe.*] }\ncaps:\n  - { id: small, amount: 5000, currency: USD }\n";

/** `cautious` published in shadow mode, and decisions logged before and since, some where shadow mode disagreed. */
async function shadowWorld(tx: Db) {
  const org = await organizationFixture(tx);
  const admin = await userFixture(tx, org.id);
  const agent = await agentFixture(tx, admin);
  const caller = createCaller(createContext({ db: tx, session: sessionOf(admin) }));
  const published = await caller.policies.publish({ source: shadowCap });
  let sequence = 0;
  const log = (outcome: "allow" | "deny", shadowOutcome: "allow" | "deny" | null, offsetMs: number) =>
    tx.insert(decisions).values({
      organizationId: org.id,
      agentId: agent.id,
      requestId: `r${(sequence += 1)}`,
      action: "stripe.charges.create",
      amount: 7_000,
      currency: "USD",
      outcome,
      shadowOutcome,
      snapshotVersion: 1,
      workerId: "w",
      createdAt: new Date(Date.now() + offsetMs),
    });
  await log("allow", "deny", -3_600_000); // before shadow mode began: not counted
  await log("allow", "deny", 1_000);
  await log("allow", "deny", 2_000);
  await log("allow", "allow", 3_000);
  await log("deny", null, 4_000); // no shadow policy selected the caller
  return { org, agent, caller, policyId: published.policyId };
}

describe.each(testDrivers)("rolling a policy out from shadow to enforce on %s", (driver) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database?.close());

  it("shows what shadow mode would have decided since it began, and the decisions that differ", () =>
    withRollback(database.db, async (tx) => {
      const { agent, caller, policyId } = await shadowWorld(tx);
      const report = await caller.policies.shadow({ policyId, pageSize: 1 });
      expect(report.since).not.toBeNull();
      expect(report.outcomes).toEqual([
        { enforced: "allow", shadow: "deny", count: 2 },
        { enforced: "allow", shadow: "allow", count: 1 },
      ]);
      expect(report.differing.total).toBe(2);
      expect(report.differing.items).toEqual([expect.objectContaining({ agentId: agent.id, enforced: "allow", shadow: "deny", amount: { amount: 7_000, currency: "USD" } })]);
    }));

  it("moves the published version to enforce and back with one call each, publishing and auditing every move", () =>
    withRollback(database.db, async (tx) => {
      const { org, caller, policyId } = await shadowWorld(tx);
      const firstShadow = (await caller.policies.shadow({ policyId })).since!;
      expect(await caller.policies.setMode({ policyId, mode: "enforce" })).toEqual({ version: 1, mode: "enforce", snapshotVersion: 2 });
      const [row] = await tx.select().from(policyVersions).where(eq(policyVersions.policyId, policyId));
      expect([row!.status, row!.mode]).toEqual(["published", "enforce"]);
      expect((await caller.policies.shadow({ policyId })).since).toBeNull();

      expect(await caller.policies.setMode({ policyId, mode: "shadow" })).toEqual({ version: 1, mode: "shadow", snapshotVersion: 3 });
      const stored = await tx.select().from(snapshots).where(eq(snapshots.organizationId, org.id)).orderBy(asc(snapshots.version));
      const modes = stored.map((snapshot) => (snapshot.document as { body: { policies: { mode: string }[] } }).body.policies[0]!.mode);
      expect([stored.map((snapshot) => snapshot.cause), modes]).toEqual([["policy.publish", "policy.mode", "policy.mode"], ["shadow", "enforce", "shadow"]]);
      const audit = await tx.select().from(auditEvents).where(eq(auditEvents.organizationId, org.id)).orderBy(asc(auditEvents.id));
      expect(audit.slice(1).map((entry) => [entry.action, entry.before, entry.after])).toEqual([
        ["policy.mode", { version: 1, mode: "shadow" }, { version: 1, mode: "enforce" }],
        ["policy.mode", { version: 1, mode: "enforce" }, { version: 1, mode: "shadow" }],
      ]);
      // Shadow mode began again at the move back: what it counts starts there.
      expect(Date.parse((await caller.policies.shadow({ policyId })).since!)).toBeGreaterThan(Date.parse(firstShadow));
    }));

  it("refuses a move to the mode the version is already in, or of a policy never published", () =>
    withRollback(database.db, async (tx) => {
      const { org, caller, policyId } = await shadowWorld(tx);
      await expect(caller.policies.setMode({ policyId, mode: "shadow" })).rejects.toMatchObject({ code: "CONFLICT" });
      const draft = await caller.policies.saveDraft({ source: shadowCap.replace("cautious", "later") });
      await expect(caller.policies.setMode({ policyId: draft.policyId, mode: "enforce" })).rejects.toMatchObject({ code: "CONFLICT" });
      expect(await tx.select().from(snapshots).where(eq(snapshots.organizationId, org.id))).toHaveLength(1);
    }));
});
