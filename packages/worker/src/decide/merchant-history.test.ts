import { issueAgentKey, publishSnapshot } from "@tollgate/api";
import { agentMerchants, apiKeys, delegations, type Database } from "@tollgate/db";
import { agentFixture, openTestDatabase, testDrivers, userFixture } from "@tollgate/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveWorker } from "../serve";
import { seedTestOrganization, type TestOrganization } from "../testing";
import { openMerchantHistory } from "./merchant-history";

/** Ordering needs a human at a merchant the agent has not spent with; asking for a quote does not. */
const shopping = {
  name: "shopping",
  selector: { tags: ["shopping"] },
  grants: [{ id: "shop", actions: ["shop.*"] }],
  approvals: [{ id: "new-shop", when: "first_merchant", actions: ["shop.order"] }],
};

describe.each(testDrivers)("merchant history on %s", (driver) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database?.close());

  const serve = (org: TestOrganization) =>
    serveWorker({ host: "127.0.0.1", port: 0, workerId: `w-merchants-${driver}-${org.organizationId.slice(0, 8)}`, version: "test", database });

  let serial = 0;
  async function ask(url: string, key: string, body: Record<string, unknown>) {
    const response = await fetch(`${url}/v1/decisions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}` },
      body: JSON.stringify({ sessionId: `s-${(serial += 1)}`, requestId: `r-${serial}`, amount: { amount: 900, currency: "EUR" }, ...body }),
    });
    return ((await response.json()) as { decision: string }).decision;
  }

  it("remembers across a restart which merchants an agent has used", async () => {
    const org = await seedTestOrganization(database, { policy: shopping, tags: ["shopping"] });
    try {
      const first = await serve(org);
      expect(await ask(first.url, org.key, { action: "shop.order", merchant: "acme" })).toBe("pending");
      expect(await ask(first.url, org.key, { action: "shop.quote", merchant: "acme" })).toBe("allow");
      expect(await ask(first.url, org.key, { action: "shop.order", merchant: "acme" })).toBe("allow");
      await first.stop();

      const second = await serve(org);
      try {
        expect(await ask(second.url, org.key, { action: "shop.order", merchant: "acme" })).toBe("allow");
        expect(await ask(second.url, org.key, { action: "shop.order", merchant: "globex" })).toBe("pending");
      } finally {
        await second.stop();
      }
    } finally {
      await org.remove();
    }
  });

  it("counts a delegate's spend at a merchant for every agent on its chain", async () => {
    const org = await seedTestOrganization(database, { policy: shopping, tags: ["shopping"] });
    try {
      // The delegate has no policy of its own: it shops on the delegator's grants and rules.
      const delegate = await agentFixture(database.db, await userFixture(database.db, org.organizationId), { tags: [] });
      const issued = issueAgentKey();
      await database.db.insert(apiKeys).values({ organizationId: org.organizationId, agentId: delegate.id, prefix: issued.prefix, hash: issued.hash });
      const [granted] = await database.db
        .insert(delegations)
        .values({ organizationId: org.organizationId, delegatorAgentId: org.agentId, delegateAgentId: delegate.id, scope: { actions: ["shop.*"] }, expiresAt: new Date(Date.now() + 3_600_000) })
        .returning();
      await publishSnapshot({ db: database.db, organizationId: org.organizationId, cause: "test", now: new Date() });
      const worker = await serve(org);
      try {
        const onBehalf = { onBehalfOf: granted!.id };
        expect(await ask(worker.url, issued.key, { action: "shop.order", merchant: "acme", ...onBehalf })).toBe("pending");
        expect(await ask(worker.url, issued.key, { action: "shop.quote", merchant: "acme", ...onBehalf })).toBe("allow");
        // The rule is the delegator's, so its history is what counts, and the delegate's call added to it.
        expect(await ask(worker.url, issued.key, { action: "shop.order", merchant: "acme", ...onBehalf })).toBe("allow");
        expect(await ask(worker.url, org.key, { action: "shop.order", merchant: "acme" })).toBe("allow");
      } finally {
        await worker.stop();
      }
      const rows = await database.db.select({ agentId: agentMerchants.agentId }).from(agentMerchants).where(eq(agentMerchants.organizationId, org.organizationId));
      expect(rows.map((row) => row.agentId).sort()).toEqual([org.agentId, delegate.id].sort());
    } finally {
      await org.remove();
    }
  });

  it("learns what another worker wrote at its next refresh, and writes each pair once", async () => {
    const org = await seedTestOrganization(database, { policy: shopping, tags: ["shopping"] });
    const quiet = { refreshMs: 0, log: () => {} };
    const reader = await openMerchantHistory(database.db, quiet);
    const writer = await openMerchantHistory(database.db, quiet);
    try {
      expect(reader.has(org.agentId, "acme")).toBe(false);
      writer.note(org.organizationId, [org.agentId], "acme");
      writer.note(org.organizationId, [org.agentId], "acme");
      expect(writer.has(org.agentId, "acme")).toBe(true);
      await writer.flushed();
      expect(reader.has(org.agentId, "acme")).toBe(false);
      await reader.refresh();
      expect(reader.has(org.agentId, "acme")).toBe(true);
      expect(reader.has(org.agentId, "globex")).toBe(false);
      // A pair another worker wrote meanwhile is not an error, and still one row.
      reader.note(org.organizationId, [org.agentId], "globex");
      writer.note(org.organizationId, [org.agentId], "globex");
      await Promise.all([reader.flushed(), writer.flushed()]);
      const rows = await database.db.select({ merchant: agentMerchants.merchant }).from(agentMerchants).where(eq(agentMerchants.agentId, org.agentId));
      expect(rows.map((row) => row.merchant).sort()).toEqual(["acme", "globex"]);
    } finally {
      await reader.close();
      await writer.close();
      await org.remove();
    }
  });
});
