import { approvals, organizations } from "@tollgate/db";
import { eq } from "drizzle-orm";
import { expect, pendingRequest, test } from "../fixtures";

test("a reviewer approves a pending spend with a note, and the record shows who decided", async ({ page, organization, database, signInAs }) => {
  const approval = await pendingRequest(database, organization, "e2e-approve");
  const reviewer = await signInAs("reviewer");
  await page.goto("/approvals");
  const row = page.getByRole("table", { name: "Approval queue" }).getByRole("row", { name: /shop\.order/ });
  await row.getByLabel(/Note for/).fill("within the quarter's plan");
  await row.getByRole("button", { name: "Approve" }).click();
  await expect(row).toHaveCount(0);
  const recorded = page.getByRole("table", { name: "Approvals" }).getByRole("row", { name: /shop\.order/ });
  await expect(recorded).toContainText("approved");
  await expect(recorded).toContainText(`by ${reviewer.name}`);
  const [decided] = await database.db.select().from(approvals).where(eq(approvals.id, approval.id));
  expect(decided).toMatchObject({ status: "approved", approvedAmount: 12_000, note: "within the quarter's plan", decidedByUserId: reviewer.id });
});

test("a reviewer approves a call that names no money, with no amounts to fill in", async ({ page, organization, database, signInAs }) => {
  const approval = await pendingRequest(database, organization, "e2e-unpriced", null);
  await signInAs("reviewer");
  await page.goto("/approvals");
  const row = page.getByRole("table", { name: "Approval queue" }).getByRole("row", { name: /shop\.order/ });
  await expect(row).toContainText("no amount");
  await expect(row.getByLabel(/Approve up to/)).toHaveCount(0);
  await expect(row.getByText("and allow up to")).toHaveCount(0);
  await row.getByRole("button", { name: "Approve" }).click();
  await expect(row).toHaveCount(0);
  const recorded = page.getByRole("table", { name: "Approvals" }).getByRole("row", { name: /shop\.order/ });
  await expect(recorded).toContainText("no amount");
  await expect(recorded).toContainText("approved");
  const [decided] = await database.db.select().from(approvals).where(eq(approvals.id, approval.id));
  expect(decided).toMatchObject({ status: "approved", amount: null, approvedAmount: null });
});

test("an admin sets dual approval, and a spend above it waits for a second reviewer", async ({ page, organization, database, signInAs }) => {
  await signInAs("admin");
  await page.goto("/approvals");
  const rules = page.getByRole("form", { name: "Approval rules" });
  await rules.getByLabel("Two reviewers above").fill("a lot");
  await rules.getByRole("button", { name: "Save rules" }).click();
  await expect(rules).toContainText("must be an amount like 500 or 500.00");
  await rules.getByLabel("Two reviewers above").fill("100");
  await rules.getByLabel("Currency").fill("EURO");
  await rules.getByRole("button", { name: "Save rules" }).click();
  await expect(rules).toContainText("the currency must be a three-letter ISO 4217 code");
  await rules.getByLabel("Currency").fill("EUR");
  await rules.getByLabel("An agent's owner may approve its spend").check();
  await rules.getByRole("button", { name: "Save rules" }).click();
  await expect(rules.getByRole("status")).toContainText("Saved.");
  const [saved] = await database.db.select().from(organizations).where(eq(organizations.id, organization.id));
  expect(saved).toMatchObject({ ownerMayApprove: true, dualApprovalAbove: 10_000, dualApprovalCurrency: "EUR" });

  // 120.00 EUR is above 100.00: the admin (the agent's owner, now allowed) gives the first of two approvals.
  const approval = await pendingRequest(database, organization, "e2e-dual");
  await page.reload();
  const row = page.getByRole("table", { name: "Approval queue" }).getByRole("row", { name: /shop\.order/ });
  await expect(row).toContainText("0 of 2 approvals");
  await row.getByRole("button", { name: "Approve" }).click();
  await expect(page.getByTestId("queue-answer")).toHaveText("Your approval is recorded (1 of 2); it needs another reviewer.");
  await expect(row).toContainText("1 of 2 approvals");
  await expect(row.getByRole("button", { name: "Approve" })).toBeDisabled();
  const [waiting] = await database.db.select().from(approvals).where(eq(approvals.id, approval.id));
  expect(waiting!.status).toBe("pending");
});
