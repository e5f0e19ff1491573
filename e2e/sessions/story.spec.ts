import { agents, agentSessions, decisions, reservations } from "@tollgate/db";
import { and, eq } from "drizzle-orm";
import { expect, test } from "../fixtures";

test("a manager opens a session and reads its whole story in time order", async ({ page, organization, database, signInAs }) => {
  const [agent] = await database.db
    .select({ id: agents.id })
    .from(agents)
    .where(and(eq(agents.organizationId, organization.id), eq(agents.name, organization.agentName)));
  const [session] = await database.db
    .insert(agentSessions)
    .values({ organizationId: organization.id, agentId: agent!.id, externalId: "checkout-42" })
    .returning();
  const base = { organizationId: organization.id, agentId: agent!.id, sessionId: session!.id, currency: "EUR", snapshotVersion: 1, workerId: "e2e" };
  const started = Date.now() - 60_000;
  const [allowed] = await database.db
    .insert(decisions)
    .values([
      { ...base, requestId: "one", action: "shop.order", amount: 1_250, merchant: "acme", outcome: "allow", createdAt: new Date(started) },
      {
        ...base,
        requestId: "two",
        action: "shop.refund",
        amount: 300,
        outcome: "deny",
        reasons: [{ code: "explicit_deny", message: "refunds are issued by people", rule: "guardrails/no-refunds", policyVersion: 1 }],
        createdAt: new Date(started + 5_000),
      },
    ])
    .returning();
  await database.db.insert(reservations).values({
    organizationId: organization.id,
    agentId: agent!.id,
    decisionId: allowed!.id,
    amount: 1_250,
    currency: "EUR",
    status: "committed",
    committedAmount: 1_100,
    expiresAt: new Date(started + 600_000),
    createdAt: new Date(started),
    settledAt: new Date(started + 2_000),
  });

  await signInAs("manager");
  await page.goto("/sessions");
  await page.getByRole("link", { name: "checkout-42" }).click();
  const story = page.getByRole("list", { name: "Session story" });
  await expect(story.getByRole("listitem")).toHaveText([
    /allow\s*shop\.order for €12\.50 at acme/,
    /Held €12\.50/,
    /Committed €11\.00/,
    /deny\s*shop\.refund for €3\.00.*explicit_deny: refunds are issued by people — rule guardrails\/no-refunds/,
  ]);
});
