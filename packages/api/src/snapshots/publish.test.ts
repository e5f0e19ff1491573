import { apiKeys, organizations, policies, policyVersions, signingKeys, SNAPSHOT_CHANNEL, snapshots, type Database } from "@tollgate/db";
import { agentFixture, openTestDatabase, organizationFixture, testDrivers, userFixture, withRollback } from "@tollgate/db/testing";
import { loadSnapshot } from "@tollgate/policy";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueAgentKey } from "../auth/agent-keys";
import { publishSnapshot } from "./publish";

const now = new Date("2026-11-24T09:00:00Z");
const paymentsPolicy = {
  name: "payments",
  selector: { tags: ["payments"] },
  grants: [{ id: "stripe", actions: ["stripe.*"] }],
  limits: [{ id: "daily", period: "day", amount: 10_000, currency: "USD" }],
};

describe.each(testDrivers)("publishing snapshots on %s", (driver) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database?.close());

  it("compiles the organization into signed, numbered snapshots a worker can verify", () =>
    withRollback(database.db, async (tx) => {
      const org = await organizationFixture(tx);
      const agent = await agentFixture(tx, await userFixture(tx, org.id), { tags: ["payments"] });
      const key = issueAgentKey();
      await tx.insert(apiKeys).values({ organizationId: org.id, agentId: agent.id, prefix: key.prefix, hash: key.hash });
      const [policy] = await tx.insert(policies).values({ organizationId: org.id, name: "payments" }).returning();
      await tx.insert(policyVersions).values({
        organizationId: org.id,
        policyId: policy!.id,
        version: 1,
        source: JSON.stringify(paymentsPolicy),
        document: paymentsPolicy,
        status: "published",
        publishedAt: now,
      });

      const first = await publishSnapshot({ db: tx, organizationId: org.id, cause: "test", now });
      const second = await publishSnapshot({ db: tx, organizationId: org.id, cause: "test", now });
      expect(first).toMatchObject({ ok: true, version: 1 });
      expect(second).toMatchObject({ ok: true, version: 2 });

      const [stored] = await tx.select().from(snapshots).where(eq(snapshots.organizationId, org.id)).orderBy(snapshots.version).limit(1);
      const [signer] = await tx.select().from(signingKeys).where(eq(signingKeys.id, stored!.keyId));
      const loaded = loadSnapshot(stored!.document, { [signer!.id]: signer!.publicKey });
      expect(loaded.ok).toBe(true);
    }));

  it("refuses a policy that does not compile, with the compiler's errors, and stores nothing", () =>
    withRollback(database.db, async (tx) => {
      const org = await organizationFixture(tx);
      await agentFixture(tx, await userFixture(tx, org.id));
      const [policy] = await tx.insert(policies).values({ organizationId: org.id, name: "broken" }).returning();
      const broken = { ...paymentsPolicy, limits: [{ id: "daily", period: "day", amount: -5, currency: "USD" }] };
      await tx.insert(policyVersions).values({
        organizationId: org.id,
        policyId: policy!.id,
        version: 1,
        source: JSON.stringify(broken),
        document: broken,
        status: "published",
        publishedAt: now,
      });
      const result = await publishSnapshot({ db: tx, organizationId: org.id, cause: "test", now });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.errors[0]!.path).toContain("limits");
      expect(await tx.select().from(snapshots).where(eq(snapshots.organizationId, org.id))).toEqual([]);
    }));

  it("tells listening workers the new version once it is committed", async () => {
    const org = await organizationFixture(database.db);
    try {
      await agentFixture(database.db, await userFixture(database.db, org.id));
      let heard: (payload: string) => void = () => {};
      const notice = new Promise<string>((resolve) => (heard = resolve));
      const unlisten = await database.listen(SNAPSHOT_CHANNEL, (payload) => {
        if (payload.includes(org.id)) heard(payload);
      });
      await publishSnapshot({ db: database.db, organizationId: org.id, cause: "test", now });
      expect(JSON.parse(await notice)).toEqual({ organizationId: org.id, version: 1 });
      await unlisten();
    } finally {
      await database.db.delete(organizations).where(eq(organizations.id, org.id));
    }
  });
});
