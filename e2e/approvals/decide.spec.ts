import { approvals } from "@tollgate/db";
import { eq } from "drizzle-orm";
import { expect, pendingRequest, test } from "../fixtures";

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
