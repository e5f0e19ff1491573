import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "./client";
import { recordset, resultRows } from "./recordset";
import { decisions } from "./schema";
import { openTestDatabase, testDrivers } from "./testing";

describe.each(testDrivers)("recordset on %s", (driver) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(async () => {
    await database?.close();
  });

  it("turns rows into a relation with the table's column names and types, nothing lost, missing fields null", async () => {
    const row = {
      id: randomUUID(),
      organizationId: randomUUID(),
      agentId: randomUUID(),
      requestId: "req \"quoted\", {braced}",
      action: "stripe.charges.create",
      amount: 9_007_199_254_740_991,
      currency: "EUR",
      chain: [randomUUID(), randomUUID()],
      outcome: "pending",
      reasons: [{ code: "approval_required_amount", message: "over 50 €" }],
      metadata: { nested: { list: [1, 2] } },
      snapshotVersion: 42,
      workerId: "w-1",
      createdAt: new Date("2026-03-29T01:30:00Z"),
      note: "an extra field",
      category: undefined,
      unrelated: { neither: "a column nor an extra field" },
    };
    const input = recordset(decisions, [row], "r", { note: "text" });
    expect(input.columns).toEqual(expect.arrayContaining(["organization_id", "request_id", "snapshot_version", "created_at"]));
    const [read] = resultRows<Record<string, unknown>>(
      await database.db.execute(sql`
        select request_id, amount::text as amount, chain::text[] as chain, outcome::text as outcome, reasons, metadata,
               merchant, category, created_at = '2026-03-29T01:30:00Z'::timestamptz as same_instant, note
        from ${input.from}`),
    );
    expect(read).toEqual({
      request_id: row.requestId,
      amount: "9007199254740991",
      chain: row.chain,
      outcome: "pending",
      reasons: row.reasons,
      metadata: row.metadata,
      merchant: null,
      category: null,
      same_instant: true,
      note: "an extra field",
    });
  });
});
