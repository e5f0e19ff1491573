import { auditEvents, delegations, snapshots, type Database, type Db, type User } from "@tollgate/db";
import { agentFixture, openTestDatabase, organizationFixture, publishedPolicyFixture, testDrivers, userFixture, withRollback } from "@tollgate/db/testing";
import type { TRPCError } from "@trpc/server";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createContext } from "../context";
import { Invalid } from "../errors";
import { createCaller, type RouterInputs } from "../root";
import { sessionOf } from "../testing";

const day = 86_400_000;
const tomorrow = () => new Date(Date.now() + day).toISOString();
// Buyers may search anywhere and order from acme only, spending at most 100.00 EUR a month.
const buyingPolicy = {
  name: "buying",
  selector: { tags: ["buyer"] },
  grants: [
    { id: "search", actions: ["search.*"] },
    { id: "shop", actions: ["shop.order"], merchants: ["acme"] },
  ],
  limits: [{ id: "monthly", period: "month", amount: 10_000, currency: "EUR" }],
};

/** A buyer under the buying policy, and a helper and a runner that are granted nothing of their own. */
async function buyingTeam(tx: Db) {
  const org = await organizationFixture(tx);
  const admin = await userFixture(tx, org.id, { role: "admin" });
  const manager = await userFixture(tx, org.id, { role: "manager" });
  const reviewer = await userFixture(tx, org.id, { role: "reviewer" });
  await publishedPolicyFixture(tx, org.id, buyingPolicy);
  const agent = (name: string, tags: string[] = []) => agentFixture(tx, admin, { name: `${name}-${org.id.slice(0, 8)}`, tags });
  const [buyer, helper, runner] = [await agent("buyer", ["buyer"]), await agent("helper"), await agent("runner")];
  const as = (user: User) => createCaller(createContext({ db: tx, session: sessionOf(user) }));
  const grant = (values: Partial<RouterInputs["delegations"]["create"]> = {}) =>
    as(admin).delegations.create({ delegatorAgentId: buyer.id, delegateAgentId: helper.id, actions: ["search.web"], expiresAt: tomorrow(), ...values });
  const counts = async () => ({
    delegations: (await tx.select().from(delegations).where(eq(delegations.organizationId, org.id))).length,
    snapshots: (await tx.select().from(snapshots).where(eq(snapshots.organizationId, org.id))).length,
    audit: (await tx.select().from(auditEvents).where(eq(auditEvents.organizationId, org.id))).length,
  });
  return { org, admin, manager, reviewer, buyer, helper, runner, as, grant, counts };
}

/** The code and field errors a refused call answers with. */
async function refusal(work: Promise<unknown>) {
  const error = (await work.then(
    () => expect.unreachable("the call was expected to be refused"),
    (caught: unknown) => caught,
  )) as TRPCError;
  const cause = error.cause;
  const fieldErrors = cause instanceof Invalid ? cause.fieldErrors : cause instanceof z.ZodError ? z.flattenError(cause).fieldErrors : {};
  return { code: error.code, fieldErrors };
}

describe.each(testDrivers)("granting and revoking delegations on %s", (driver) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database?.close());

  it("grants a delegation within the delegator's scope, audits it and publishes the snapshot that carries it", () =>
    withRollback(database.db, async (tx) => {
      const { org, admin, buyer, helper, as, grant } = await buyingTeam(tx);
      const expiresAt = tomorrow();

      const result = await grant({ actions: ["search.web", "shop.order"], merchants: ["acme"], budget: { amount: 4_000, currency: "EUR" }, maxDepth: 1, expiresAt });

      const [delegation] = result.delegations;
      expect(result.snapshotVersion).toBe(1);
      expect(delegation).toMatchObject({
        delegator: { id: buyer.id, name: buyer.name },
        delegate: { id: helper.id, name: helper.name },
        actions: ["search.web", "shop.order"],
        merchants: ["acme"],
        categories: null,
        budget: { amount: 4_000, currency: "EUR" },
        maxDepth: 1,
        status: "active",
        expiresAt,
      });
      const [snapshot] = await tx.select().from(snapshots).where(eq(snapshots.organizationId, org.id));
      expect(snapshot).toMatchObject({ version: 1, cause: "delegation.create" });
      expect((snapshot!.document as { body: { delegations: Record<string, unknown> } }).body.delegations[delegation!.id]).toMatchObject({
        delegateAgentId: helper.id,
        scope: { actions: ["search.web", "shop.order"], merchants: ["acme"] },
      });
      const [entry] = await tx.select().from(auditEvents).where(eq(auditEvents.organizationId, org.id));
      expect(entry).toMatchObject({
        action: "delegation.create",
        actorUserId: admin.id,
        targetType: "delegation",
        targetId: delegation!.id,
        before: null,
        after: { delegatorAgentId: buyer.id, delegateAgentId: helper.id, scope: { actions: ["search.web", "shop.order"] }, budget: { amount: 4_000 }, revokedAt: null },
      });
      expect(await as(admin).audit.verify()).toEqual({ ok: true, checked: 1 });
      expect((await as(admin).delegations.list({})).items.map((listed) => listed.id)).toEqual([delegation!.id]);
    }));

  it("refuses actions wider than the delegator's grants with the compiler's error on the actions field, changing nothing", () =>
    withRollback(database.db, async (tx) => {
      const { buyer, grant, counts } = await buyingTeam(tx);
      expect(await refusal(grant({ actions: ["search.web", "stripe.charges.create"] }))).toEqual({
        code: "BAD_REQUEST",
        fieldErrors: { actions: [`"stripe.charges.create" is wider than what delegator ${buyer.name} is granted`] },
      });
      expect(await counts()).toEqual({ delegations: 0, snapshots: 0, audit: 0 });
    }));

  it("refuses any merchant where the grant names merchants, on the merchants field", () =>
    withRollback(database.db, async (tx) => {
      const { grant, counts } = await buyingTeam(tx);
      const refused = await refusal(grant({ actions: ["shop.order"] }));
      expect(refused.code).toBe("BAD_REQUEST");
      expect(refused.fieldErrors).toEqual({ merchants: [expect.stringMatching(/^any for "shop.order" is wider than .*\(acme\)$/)] });
      expect((await refusal(grant({ actions: ["shop.order"], merchants: ["acme", "globex"] }))).fieldErrors).toHaveProperty("merchants");
      expect(await counts()).toEqual({ delegations: 0, snapshots: 0, audit: 0 });
    }));

  it("refuses budgets past the delegator's envelope or in another currency, on the budget field", () =>
    withRollback(database.db, async (tx) => {
      const { buyer, grant, counts } = await buyingTeam(tx);
      expect(await refusal(grant({ budget: { amount: 12_000, currency: "EUR" } }))).toEqual({
        code: "BAD_REQUEST",
        fieldErrors: { budget: [expect.stringContaining(`past delegator ${buyer.name}'s largest EUR envelope ("monthly", month) of 100.00 EUR`)] },
      });
      expect((await refusal(grant({ budget: { amount: 1_000, currency: "USD" } }))).fieldErrors).toEqual({
        budget: [`must match an envelope of delegator ${buyer.name}, whose envelopes are in EUR`],
      });
      // Two carve-outs that each fit but together pass the envelope: the second is refused.
      await grant({ budget: { amount: 6_000, currency: "EUR" } });
      expect((await refusal(grant({ budget: { amount: 5_000, currency: "EUR" } }))).fieldErrors).toEqual({
        budget: [expect.stringMatching(/sum to 110\.00 EUR, past .* of 100\.00 EUR$/)],
      });
      expect(await counts()).toEqual({ delegations: 1, snapshots: 1, audit: 1 });
    }));

  it("re-delegates within the parent, and refuses a wider scope, a bigger budget, a deeper chain and a loop, each on its field", () =>
    withRollback(database.db, async (tx) => {
      const { buyer, helper, runner, as, admin, grant, counts } = await buyingTeam(tx);
      const [parent] = (await grant({ actions: ["search.*"], budget: { amount: 3_000, currency: "EUR" }, maxDepth: 2 })).delegations;
      const redelegate = (values: Partial<RouterInputs["delegations"]["create"]>) =>
        grant({ delegatorAgentId: helper.id, delegateAgentId: runner.id, parentDelegationId: parent!.id, actions: ["search.web"], ...values });

      const [child] = (await redelegate({ budget: { amount: 2_000, currency: "EUR" }, maxDepth: 1 })).delegations;
      expect(child).toMatchObject({ parentDelegationId: parent!.id, delegator: { id: helper.id }, delegate: { id: runner.id } });

      expect((await refusal(redelegate({ actions: ["shop.order"] }))).fieldErrors).toEqual({
        actions: [expect.stringMatching(/^"shop.order" is wider than parent delegation [0-9a-f-]{36}'s scope$/)],
      });
      expect((await refusal(redelegate({ budget: { amount: 1_500, currency: "EUR" } }))).fieldErrors).toEqual({
        budget: [expect.stringMatching(/sum to 35\.00 EUR, past this budget of 30\.00 EUR$/)],
      });
      expect((await refusal(redelegate({ maxDepth: 2 }))).fieldErrors).toEqual({ maxDepth: [expect.stringMatching(/^must be at most 1, one less than parent delegation/)] });
      // runner → buyer would close the chain buyer → helper → runner back onto buyer.
      expect((await refusal(grant({ delegatorAgentId: runner.id, delegateAgentId: buyer.id, parentDelegationId: child!.id }))).fieldErrors).toEqual({
        delegateAgentId: [expect.stringContaining(`${buyer.name} is already on the chain`)],
      });
      // The child allows one more level, but only from the agent it was granted to.
      const outsider = await agentFixture(tx, admin);
      expect((await refusal(grant({ delegatorAgentId: buyer.id, delegateAgentId: outsider.id, parentDelegationId: child!.id }))).fieldErrors).toEqual({
        parentDelegationId: [expect.stringContaining(`was granted to ${runner.name}, not to this delegation's delegator ${buyer.name}`)],
      });
      const [leaf] = (await grant({ delegatorAgentId: runner.id, delegateAgentId: outsider.id, parentDelegationId: child!.id })).delegations;
      expect((await refusal(grant({ delegatorAgentId: outsider.id, delegateAgentId: (await agentFixture(tx, admin)).id, parentDelegationId: leaf!.id }))).fieldErrors).toEqual({
        parentDelegationId: [expect.stringMatching(/allows no re-delegation \(maxDepth 0\)$/)],
      });
      expect(await counts()).toEqual({ delegations: 3, snapshots: 3, audit: 3 });
      expect(await as(admin).audit.verify()).toEqual({ ok: true, checked: 3 });
    }));

  it("refuses malformed input by field before touching anything, and another organization's agents as not found", () =>
    withRollback(database.db, async (tx) => {
      const { buyer, grant, counts } = await buyingTeam(tx);
      expect(await refusal(grant({ delegateAgentId: buyer.id, actions: [], expiresAt: new Date(Date.now() - day).toISOString(), maxDepth: 9 }))).toEqual({
        code: "BAD_REQUEST",
        fieldErrors: {
          delegateAgentId: ["must be another agent than the delegator"],
          actions: ["name at least one action"],
          maxDepth: ["must be at most 8"],
          expiresAt: ["the expiry must be in the future"],
        },
      });
      expect((await refusal(grant({ actions: ["search web"] }))).fieldErrors).toEqual({ actions: [expect.stringContaining("must be an action pattern")] });
      const stranger = await buyingTeam(tx);
      expect((await refusal(grant({ delegateAgentId: stranger.helper.id }))).code).toBe("NOT_FOUND");
      expect(await counts()).toEqual({ delegations: 0, snapshots: 0, audit: 0 });
    }));

  it("revokes a delegation and every delegation re-delegated from it, audits each and publishes once", () =>
    withRollback(database.db, async (tx) => {
      const { org, admin, helper, runner, as, grant } = await buyingTeam(tx);
      const [parent] = (await grant({ maxDepth: 1 })).delegations;
      const [child] = (await grant({ delegatorAgentId: helper.id, delegateAgentId: runner.id, parentDelegationId: parent!.id })).delegations;
      const [other] = (await grant({ delegateAgentId: runner.id })).delegations;

      const result = await as(admin).delegations.revoke({ id: parent!.id });

      expect(result.snapshotVersion).toBe(4);
      expect(result.delegations.map((revoked) => [revoked.id, revoked.status])).toEqual([
        [parent!.id, "revoked"],
        [child!.id, "revoked"],
      ]);
      const statuses = Object.fromEntries((await as(admin).delegations.list({})).items.map((listed) => [listed.id, listed.status]));
      expect(statuses).toEqual({ [parent!.id]: "revoked", [child!.id]: "revoked", [other!.id]: "active" });
      const audit = await tx.select().from(auditEvents).where(eq(auditEvents.organizationId, org.id)).orderBy(asc(auditEvents.id)).offset(3);
      expect(audit.map((entry) => [entry.action, entry.targetId])).toEqual([
        ["delegation.revoke", parent!.id],
        ["delegation.revoke", child!.id],
      ]);
      expect(audit[0]).toMatchObject({ before: { revokedAt: null }, after: { revokedAt: expect.any(String) } });
      const [latest] = await tx.select().from(snapshots).where(eq(snapshots.organizationId, org.id)).orderBy(asc(snapshots.version)).offset(3);
      expect(latest).toMatchObject({ version: 4, cause: "delegation.revoke" });
      expect(await as(admin).audit.verify()).toEqual({ ok: true, checked: 5 });

      await expect(as(admin).delegations.revoke({ id: parent!.id })).rejects.toMatchObject({ code: "CONFLICT" });
      expect(await tx.select().from(snapshots).where(eq(snapshots.organizationId, org.id))).toHaveLength(4);
    }));

  it("refuses to revoke an expired delegation, and shows it as expired", () =>
    withRollback(database.db, async (tx) => {
      const { org, admin, buyer, helper, as } = await buyingTeam(tx);
      const [expired] = await tx
        .insert(delegations)
        .values({ organizationId: org.id, delegatorAgentId: buyer.id, delegateAgentId: helper.id, scope: { actions: ["search.web"] }, createdAt: new Date(Date.now() - 2 * day), expiresAt: new Date(Date.now() - day) })
        .returning();
      expect((await as(admin).delegations.list({})).items).toMatchObject([{ id: expired!.id, status: "expired" }]);
      await expect(as(admin).delegations.revoke({ id: expired!.id })).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("already expired") });
    }));

  it("lets only admins grant and revoke: managers and reviewers are refused and change nothing", () =>
    withRollback(database.db, async (tx) => {
      const { buyer, helper, manager, reviewer, as, grant, counts } = await buyingTeam(tx);
      const [delegation] = (await grant()).delegations;
      for (const user of [manager, reviewer]) {
        await expect(
          as(user).delegations.create({ delegatorAgentId: buyer.id, delegateAgentId: helper.id, actions: ["search.web"], expiresAt: tomorrow() }),
        ).rejects.toMatchObject({ code: "FORBIDDEN" });
        await expect(as(user).delegations.revoke({ id: delegation!.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
      }
      expect(await counts()).toEqual({ delegations: 1, snapshots: 1, audit: 1 });
    }));
});
