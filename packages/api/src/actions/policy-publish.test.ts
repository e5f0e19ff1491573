import { auditEvents, delegations, policies, policyVersions, snapshots, type Database, type Db } from "@tollgate/db";
import { agentFixture, openTestDatabase, organizationFixture, publishedPolicyFixture, testDrivers, userFixture, withRollback } from "@tollgate/db/testing";
import type { TRPCError } from "@trpc/server";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createContext } from "../context";
import { createCaller } from "../root";
import { sessionOf } from "../testing";

const payments = { name: "payments", selector: { all: true }, grants: [{ id: "charges", actions: ["stripe.*"] }] };

/** A published `payments` policy, a buyer that delegates `stripe.*` to a helper, and an admin's caller. */
async function paymentsWorld(tx: Db) {
  const org = await organizationFixture(tx);
  const admin = await userFixture(tx, org.id);
  const buyer = await agentFixture(tx, admin);
  const helper = await agentFixture(tx, admin);
  const policy = await publishedPolicyFixture(tx, org.id, payments);
  await tx.insert(delegations).values({ organizationId: org.id, delegatorAgentId: buyer.id, delegateAgentId: helper.id, scope: { actions: ["stripe.*"] }, expiresAt: new Date(Date.now() + 86_400_000) });
  return { org, admin, buyer, policy, caller: createCaller(createContext({ db: tx, session: sessionOf(admin) })) };
}

/** Every row the publish path could write, to prove a refusal wrote none. */
async function footprint(tx: Db, organizationId: string) {
  const [policyRows, versionRows, snapshotRows, auditRows] = await Promise.all([
    tx.select().from(policies).where(eq(policies.organizationId, organizationId)).orderBy(asc(policies.id)),
    tx.select().from(policyVersions).where(eq(policyVersions.organizationId, organizationId)).orderBy(asc(policyVersions.id)),
    tx.select().from(snapshots).where(eq(snapshots.organizationId, organizationId)),
    tx.select().from(auditEvents).where(eq(auditEvents.organizationId, organizationId)),
  ]);
  return { policyRows, versionRows, snapshotRows, auditRows };
}

async function refusalOf(work: Promise<unknown>) {
  const error = await work.then(
    () => null,
    (caught: TRPCError) => caught,
  );
  if (error === null) throw new Error("expected a refusal");
  return { code: error.code, fieldErrors: (error.cause as { fieldErrors?: Record<string, string[]> } | undefined)?.fieldErrors };
}

const capped = "name: payments\nselector: { all: true }\ngrants:\n  - { id: charges, actions: [\"stripe.*\"] }\ncaps:\n  - { id: small, amount: 5000, currency: USD }\n";

describe.each(testDrivers)("saving and publishing policies on %s", (driver) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database?.close());

  it("publishes the next version: supersedes the last, stores a signed snapshot and audits before and after", () =>
    withRollback(database.db, async (tx) => {
      const { org, policy, caller } = await paymentsWorld(tx);
      const result = await caller.policies.publish({ policyId: policy.id, source: capped });

      expect(result).toMatchObject({ policyId: policy.id, version: 2, mode: "enforce", snapshotVersion: 1 });
      const versions = await tx.select().from(policyVersions).where(eq(policyVersions.policyId, policy.id)).orderBy(asc(policyVersions.version));
      expect(versions.map((row) => [row.version, row.status, row.source])).toEqual([
        [1, "superseded", JSON.stringify(payments)],
        [2, "published", capped],
      ]);
      const [snapshot] = await tx.select().from(snapshots).where(eq(snapshots.organizationId, org.id));
      const body = (snapshot!.document as { body: { policies: { version: number; rules: { caps: unknown[] } }[] } }).body;
      expect(snapshot!.cause).toBe("policy.publish");
      expect(body.policies[0]!.version).toBe(2);
      const [audit] = await tx.select().from(auditEvents).where(eq(auditEvents.organizationId, org.id));
      expect(audit).toMatchObject({ action: "policy.publish", targetType: "policy", targetId: policy.id, before: { version: 1, status: "published" }, after: { version: 2, status: "published", source: capped } });
      expect(await caller.policies.byId({ policyId: policy.id })).toMatchObject({ published: { version: 2, mode: "enforce" }, latest: { version: 2, source: capped } });
    }));

  it("refuses a policy that does not parse with each error at its path, changing nothing", () =>
    withRollback(database.db, async (tx) => {
      const { org, policy, caller } = await paymentsWorld(tx);
      const before = await footprint(tx, org.id);
      const refusal = await refusalOf(caller.policies.publish({ policyId: policy.id, source: "name: payments\nselector: { all: true }\ncaps:\n  - { id: c, amount: 0, currency: usd }\n" }));
      expect(refusal).toEqual({
        code: "BAD_REQUEST",
        fieldErrors: { "caps[0].amount": ["must be a positive integer in minor units"], "caps[0].currency": ["must be an ISO 4217 currency code such as USD"] },
      });
      expect(await footprint(tx, org.id)).toEqual(before);
    }));

  it("refuses a policy the compiler refuses — it would leave a delegation wider than its delegator — changing nothing", () =>
    withRollback(database.db, async (tx) => {
      const { org, policy, caller } = await paymentsWorld(tx);
      const before = await footprint(tx, org.id);
      const narrower = "name: payments\nselector: { all: true }\ngrants:\n  - { id: code, actions: [github.*] }\n";
      const refusal = await refusalOf(caller.policies.publish({ policyId: policy.id, source: narrower }));
      expect(refusal.code).toBe("BAD_REQUEST");
      expect(Object.entries(refusal.fieldErrors ?? {})).toEqual([[expect.stringMatching(/^delegations\[0\]\.scope\.actions\[0\]$/), [expect.stringContaining('"stripe.*" is wider than')]]]);
      expect(await footprint(tx, org.id)).toEqual(before);
    }));

  it("creates a new policy from a draft, keeps its name, and refuses a second policy of the same name", () =>
    withRollback(database.db, async (tx) => {
      const { org, caller } = await paymentsWorld(tx);
      const source = "name: travel\ndescription: Trains and hotels\nselector: { all: true }\ngrants:\n  - { id: book, actions: [travel.*] }\n";
      const draft = await caller.policies.saveDraft({ source });
      expect(draft).toMatchObject({ version: 1, snapshotVersion: null });
      expect(await caller.policies.byId({ policyId: draft.policyId })).toMatchObject({ name: "travel", description: "Trains and hotels", published: null, latest: { version: 1, status: "draft" } });
      expect(await tx.select().from(snapshots).where(eq(snapshots.organizationId, org.id))).toEqual([]);

      const second = await caller.policies.saveDraft({ policyId: draft.policyId, source: source.replace("travel.*", "travel.trains.*") });
      expect(second.version).toBe(2);
      const [, audit] = await tx.select().from(auditEvents).where(eq(auditEvents.organizationId, org.id)).orderBy(asc(auditEvents.id));
      expect(audit).toMatchObject({ action: "policy.draft", before: { version: 1, source }, after: { version: 2, status: "draft" } });

      expect(await refusalOf(caller.policies.saveDraft({ source }))).toEqual({ code: "BAD_REQUEST", fieldErrors: { name: ['must be unique: a policy named "travel" exists already'] } });
      expect(await refusalOf(caller.policies.saveDraft({ policyId: draft.policyId, source: source.replace("name: travel", "name: trips") }))).toEqual({
        code: "BAD_REQUEST",
        fieldErrors: { name: ['must stay "travel": a policy keeps its name'] },
      });
      const versions = await caller.policies.versions({ policyId: draft.policyId, pageSize: 1 });
      expect([versions.total, versions.items[0]!.version]).toEqual([2, 2]);
    }));

  it("simulates a request against the draft with its outcome, reasons and trace, storing nothing", () =>
    withRollback(database.db, async (tx) => {
      const { org, buyer, caller } = await paymentsWorld(tx);
      const request = { agentId: buyer.id, action: "stripe.charges.create", amount: { amount: 7_500, currency: "USD" }, merchant: "acme" };
      const denied = await caller.policies.simulate({ source: capped, request });
      expect(denied).toMatchObject({ outcome: "deny", reasons: [{ code: "over_per_call_cap", rule: "small", policyVersion: 2 }], shadow: null });
      expect(denied.trace.map((entry) => `${entry.step}:${entry.result}`)).toContain("cap:fail");
      const allowed = await caller.policies.simulate({ source: capped, request: { ...request, amount: { amount: 4_000, currency: "USD" } } });
      expect(allowed).toMatchObject({ outcome: "allow", reasons: [] });
      expect(await tx.select().from(snapshots).where(eq(snapshots.organizationId, org.id))).toEqual([]);
      expect((await refusalOf(caller.policies.simulate({ source: capped, request: { ...request, action: "not an action" } }))).code).toBe("BAD_REQUEST");
    }));
});
