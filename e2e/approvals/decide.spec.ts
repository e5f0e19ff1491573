import { agents, approvals, decisions } from "@tollgate/db";
import { and, eq } from "drizzle-orm";
import { expect, test, type Organization } from "../fixtures";
import type { Database } from "@tollgate/db";

/** A pending request of the organization's agent (owned by its admin) for 120.00 EUR. */
async function pendingRequest(database: Database, organization: Organization, requestId: string) {
  const [agent] = await database.db
    .select({ id: agents.id })
    .from(agents)
    .where(and(eq(agents.organizationId, organization.id), eq(agents.name, organization.agentName)));
  const [decision] = await database.db
    .insert(decisions)
    .values({ organizationId: organization.id, agentId: agent!.id, requestId, action: "shop.order", amount: 12_000, currency: "EUR", merchant: "acme", outcome: "pending", snapshotVersion: 1, workerId: "e2e" })
    .returning();
  const [approval] = await database.db
    .insert(approvals)
    .values({ organizationId: organization.id, decisionId: decision!.id, agentId: agent!.id, action: "shop.order", merchant: "acme", amount: 12_000, currency: "EUR", expiresAt: new Date(Date.now() + 3_600_000) })
    .returning();
  return approval!;
}

test("a reviewer approves a pending spend with a note, and the queue shows who decided", async ({ page, organization, database, signInAs }) => {
  const approval = await pendingRequest(database, organization, "e2e-approve");
  const reviewer = await signInAs("reviewer");
  await page.goto("/approvals");
  const row = page.getByRole("row", { name: /shop\.order/ });
  await row.getByLabel(/Note for/).fill("within the quarter's plan");
  await row.getByRole("button", { name: "Approve" }).click();
  await expect(row).toContainText("approved");
  await expect(row).toContainText(`by ${reviewer.name}`);
  const [decided] = await database.db.select().from(approvals).where(eq(approvals.id, approval.id));
  expect(decided).toMatchObject({ status: "approved", approvedAmount: 12_000, note: "within the quarter's plan", decidedByUserId: reviewer.id });
});

test("an agent's owner cannot approve its own spend and is told why", async ({ page, organization, database, signInAs }) => {
  const approval = await pendingRequest(database, organization, "e2e-owner");
  await signInAs("admin");
  await page.goto("/approvals");
  const row = page.getByRole("row", { name: /shop\.order/ });
  await row.getByRole("button", { name: "Approve" }).click();
  await expect(row.getByRole("alert")).toHaveText("you own this agent: another reviewer must decide its spend");
  const [still] = await database.db.select().from(approvals).where(eq(approvals.id, approval.id));
  expect(still!.status).toBe("pending");
});
