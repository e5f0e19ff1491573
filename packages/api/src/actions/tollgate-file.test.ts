import { auditEvents, policies, policyVersions, snapshots, type Database, type Db } from "@tollgate/db";
import { openTestDatabase, publishedPolicyFixture, testDrivers, withRollback } from "@tollgate/db/testing";
import type { TRPCError } from "@trpc/server";
import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { organizationWithAdmin } from "../testing";

const FILE = `policies:
  - name: search
    selector: { all: true }
    grants: [{ id: web, actions: ["search.*"] }]
  - name: payments
    mode: shadow
    selector: { tags: [payments] }
    grants: [{ id: charge, actions: ["stripe.charges.*"] }]
`;

describe.each(testDrivers)("tollgate.yaml on %s", (driver) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database?.close());

  async function world(tx: Db) {
    return organizationWithAdmin(tx);
  }

  const versionsOf = (tx: Db, organizationId: string) =>
    tx
      .select({ name: policies.name, version: policyVersions.version, status: policyVersions.status, mode: policyVersions.mode })
      .from(policyVersions)
      .innerJoin(policies, eq(policies.id, policyVersions.policyId))
      .where(eq(policyVersions.organizationId, organizationId))
      .orderBy(asc(policies.name), asc(policyVersions.version));

  it("plans each policy as created, updated, unchanged or not in the file, and writes nothing", () =>
    withRollback(database.db, async (tx) => {
      const { org, caller } = await world(tx);
      await publishedPolicyFixture(tx, org.id, { name: "search", selector: { all: true }, grants: [{ id: "web", actions: ["search.*"] }] });
      await publishedPolicyFixture(tx, org.id, { name: "payments", selector: { all: true }, grants: [{ id: "charge", actions: ["stripe.*"] }] });
      await publishedPolicyFixture(tx, org.id, { name: "legacy", selector: { all: true }, grants: [{ id: "old", actions: ["old.*"] }] });
      const before = await versionsOf(tx, org.id);

      const plan = await caller.tollgateFile.plan({ source: FILE.replace("- name: search", "- name: fresh") + FILE.split("\n").slice(1, 4).join("\n") });

      expect(plan.policies.map((policy) => [policy.name, policy.change, policy.publishedVersion])).toEqual([
        ["fresh", "create", null],
        ["payments", "update", 1],
        ["search", "unchanged", 1],
        ["legacy", "not_in_file", 1],
      ]);
      const payments = plan.policies[1]!;
      expect(payments.diff.filter((line) => line.kind !== "same")).toEqual([
        { kind: "removed", text: "mode: enforce" },
        { kind: "added", text: "mode: shadow" },
        { kind: "removed", text: "  all: true" },
        { kind: "added", text: "  tags:" },
        { kind: "added", text: "    - payments" },
        { kind: "removed", text: "      - stripe.*" },
        { kind: "added", text: "      - stripe.charges.*" },
      ]);
      expect(payments.replay).toMatchObject({ ok: true, report: { replayed: 0, flipped: 0 } });
      expect(plan.policies[2]!.replay).toBeNull();
      expect(await versionsOf(tx, org.id)).toEqual(before);
    }));

  it("publishes what changed as next versions in one snapshot, superseding the old, with the file's mode", () =>
    withRollback(database.db, async (tx) => {
      const { org, admin, caller } = await world(tx);
      await publishedPolicyFixture(tx, org.id, { name: "payments", selector: { all: true }, grants: [{ id: "charge", actions: ["stripe.*"] }] });

      const applied = await caller.tollgateFile.publish({ source: FILE });

      expect(applied).toEqual({
        policies: [
          { name: "search", change: "create", version: 1 },
          { name: "payments", change: "update", version: 2 },
        ],
        snapshotVersion: 1,
      });
      expect(await versionsOf(tx, org.id)).toEqual([
        { name: "payments", version: 1, status: "superseded", mode: "enforce" },
        { name: "payments", version: 2, status: "published", mode: "shadow" },
        { name: "search", version: 1, status: "published", mode: "enforce" },
      ]);
      const [snapshot] = await tx.select().from(snapshots).where(eq(snapshots.organizationId, org.id));
      expect(snapshot).toMatchObject({ version: 1, cause: "policy.publish" });
      const audits = await tx.select().from(auditEvents).where(and(eq(auditEvents.organizationId, org.id), eq(auditEvents.action, "policy.publish"))).orderBy(asc(auditEvents.id));
      expect(audits).toMatchObject([
        { actorUserId: admin.id, before: null, after: { version: 1, status: "published", mode: "enforce" } },
        { actorUserId: admin.id, before: { version: 1, status: "published" }, after: { version: 2, status: "published", mode: "shadow" } },
      ]);
      expect(await caller.audit.verify()).toMatchObject({ ok: true });
    }));

  it("exports the published policies, leaving out archived ones, as a file that applies as no change", () =>
    withRollback(database.db, async (tx) => {
      const { org, caller } = await world(tx);
      await caller.tollgateFile.publish({ source: FILE });
      const archived = await publishedPolicyFixture(tx, org.id, { name: "retired", selector: { all: true }, grants: [{ id: "x", actions: ["x.*"] }] });
      await tx.update(policies).set({ archivedAt: new Date() }).where(eq(policies.id, archived.id));

      const exported = await caller.tollgateFile.export();

      expect(exported.policies).toBe(2);
      expect(exported.source).not.toContain("retired");
      expect(exported.source).not.toContain("[]");
      expect((await caller.tollgateFile.plan({ source: exported.source })).policies.map((policy) => policy.change)).toEqual(["unchanged", "unchanged"]);
      expect(await caller.tollgateFile.publish({ source: exported.source })).toMatchObject({ snapshotVersion: null });
    }));

  it("refuses an invalid file with field errors named by path, and writes nothing", () =>
    withRollback(database.db, async (tx) => {
      const { org, caller } = await world(tx);
      const refused = await caller.tollgateFile.publish({ source: FILE.replace("mode: shadow", "mode: loud") }).catch((error: TRPCError) => error);
      expect(refused).toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/^tollgate.yaml is not valid: policies\[1\]\.mode: must be one of/) });
      expect((refused as TRPCError & { cause: { fieldErrors: object } }).cause.fieldErrors).toEqual({ "policies[1].mode": ['must be one of "enforce", "shadow"'] });
      expect(await versionsOf(tx, org.id)).toEqual([]);
      await expect(caller.tollgateFile.publish({ source: "" })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/the file must not be empty/) });
    }));
});
