import { readFileSync } from "node:fs";
import { join } from "node:path";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database, Db } from "./client";
import { defaultMigrationsFolder, migrate } from "./migrate";
import {
  agents,
  apiKeys,
  decisions,
  envelopes,
  policies,
  policyVersions,
  trustScores,
} from "./schema";
import { agentFixture, openTestDatabase, organizationFixture, testDrivers, userFixture, withRollback } from "./testing";

/** Runs `statement` in a savepoint and returns the constraint (or error) that refused it. */
async function refusal(db: Db, statement: (tx: Db) => Promise<unknown>): Promise<string> {
  try {
    await db.transaction(async (tx) => {
      await statement(tx as unknown as Db);
    });
  } catch (error) {
    const cause = (error as { cause?: { constraint_name?: string; constraint?: string; message?: string } }).cause;
    return cause?.constraint_name ?? cause?.constraint ?? cause?.message ?? (error as Error).message;
  }
  throw new Error("the statement was accepted");
}

describe.each(testDrivers)("schema on %s", (driver) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(async () => {
    await database?.close();
  });

  it("applies migrations again without changing anything", async () => {
    await migrate(database);
    const rows = await database.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
    const count = (rows as unknown as { rows?: { n: number }[] }).rows?.[0]?.n ?? (rows as unknown as { n: number }[])[0]?.n;
    const journal = JSON.parse(readFileSync(join(defaultMigrationsFolder, "meta/_journal.json"), "utf8")) as { entries: unknown[] };
    expect(count).toBe(journal.entries.length);
  });

  it("refuses an agent owned by a user of another organization", () =>
    withRollback(database.db, async (tx) => {
      const mine = await organizationFixture(tx);
      const theirs = await organizationFixture(tx);
      const stranger = await userFixture(tx, theirs.id);
      const constraint = await refusal(tx, (t) =>
        t.insert(agents).values({ organizationId: mine.id, ownerUserId: stranger.id, name: "cross-tenant" }),
      );
      expect(constraint).toBe("agents_owner_fk");
    }));

  it("stores only a key's hash and a recognisable prefix", () =>
    withRollback(database.db, async (tx) => {
      const org = await organizationFixture(tx);
      const agent = await agentFixture(tx, await userFixture(tx, org.id));
      const base = { organizationId: org.id, agentId: agent.id, hash: "a".repeat(64) };
      expect(await refusal(tx, (t) => t.insert(apiKeys).values({ ...base, prefix: "sk_live_12345678" }))).toBe(
        "api_keys_prefix_format",
      );
      expect(await refusal(tx, (t) => t.insert(apiKeys).values({ ...base, prefix: "tg_12345678", hash: "secret" }))).toBe(
        "api_keys_hash_format",
      );
    }));

  it("never lets an envelope's held plus committed amount pass its limit", () =>
    withRollback(database.db, async (tx) => {
      const org = await organizationFixture(tx);
      const [envelope] = await tx
        .insert(envelopes)
        .values({
          organizationId: org.id,
          envelopeKey: "agent:x|daily",
          period: "day",
          periodStart: new Date("2026-11-24T00:00:00Z"),
          limitAmount: 10_000,
          currency: "USD",
          heldAmount: 6_000,
          committedAmount: 4_000,
        })
        .returning();
      const constraint = await refusal(tx, (t) =>
        t
          .update(envelopes)
          .set({ heldAmount: sql`${envelopes.heldAmount} + 1` })
          .where(eq(envelopes.id, envelope!.id)),
      );
      expect(constraint).toBe("envelopes_never_overspent");
    }));

  it("refuses money without a valid currency or with a negative amount", () =>
    withRollback(database.db, async (tx) => {
      const org = await organizationFixture(tx);
      const agent = await agentFixture(tx, await userFixture(tx, org.id));
      const base = {
        organizationId: org.id,
        agentId: agent.id,
        requestId: "r-1",
        action: "stripe.charges.create",
        outcome: "deny" as const,
        snapshotVersion: 1,
        workerId: "w-1",
      };
      expect(await refusal(tx, (t) => t.insert(decisions).values({ ...base, amount: 100, currency: "usd" }))).toBe(
        "decisions_currency",
      );
      expect(await refusal(tx, (t) => t.insert(decisions).values({ ...base, amount: -1, currency: "USD" }))).toBe(
        "decisions_amount_non_negative",
      );
      expect(await refusal(tx, (t) => t.insert(decisions).values({ ...base, amount: 100 }))).toBe("decisions_money_pair");
    }));

  it("keeps one decision per agent and request id", () =>
    withRollback(database.db, async (tx) => {
      const org = await organizationFixture(tx);
      const agent = await agentFixture(tx, await userFixture(tx, org.id));
      const decision = {
        organizationId: org.id,
        agentId: agent.id,
        requestId: "same",
        action: "openai.chat",
        outcome: "allow" as const,
        snapshotVersion: 1,
        workerId: "w-1",
      };
      await tx.insert(decisions).values(decision);
      expect(await refusal(tx, (t) => t.insert(decisions).values(decision))).toBe("decisions_agent_id_request_id_key");
    }));

  it("refuses to change a written policy version but lets it be published", () =>
    withRollback(database.db, async (tx) => {
      const org = await organizationFixture(tx);
      const [policy] = await tx.insert(policies).values({ organizationId: org.id, name: "payments" }).returning();
      const [version] = await tx
        .insert(policyVersions)
        .values({ organizationId: org.id, policyId: policy!.id, version: 1, source: "rules: []", document: { rules: [] } })
        .returning();
      await tx
        .update(policyVersions)
        .set({ status: "published", publishedAt: new Date() })
        .where(eq(policyVersions.id, version!.id));
      const message = await refusal(tx, (t) =>
        t.update(policyVersions).set({ source: "rules: [x]" }).where(eq(policyVersions.id, version!.id)),
      );
      expect(message).toMatch(/immutable/);
    }));

  it("keeps trust scores between 300 and 850", () =>
    withRollback(database.db, async (tx) => {
      const org = await organizationFixture(tx);
      const agent = await agentFixture(tx, await userFixture(tx, org.id));
      expect(
        await refusal(tx, (t) => t.insert(trustScores).values({ organizationId: org.id, agentId: agent.id, score: 851 })),
      ).toBe("trust_scores_range");
      await tx.insert(trustScores).values({ organizationId: org.id, agentId: agent.id, score: 850 });
    }));
});
