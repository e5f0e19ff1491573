import { auditEvents } from "@tollgate/db";
import { eq } from "drizzle-orm";
import { baseURL } from "../config";
import { expect, password, pendingRequest, signIn, test } from "../fixtures";

test("a manager verifies the audit chain, and an edited entry is detected", async ({ page, browser, organization, database, signInAs }) => {
  const approval = await pendingRequest(database, organization, "e2e-audit");
  await signInAs("reviewer");
  await page.goto("/approvals");
  await page.getByRole("row", { name: /shop\.order/ }).getByRole("button", { name: "Deny" }).click();
  await expect(page.getByRole("row", { name: /shop\.order/ })).toContainText("denied");

  // A second person at their own browser: a new context, signed in separately.
  const manager = await browser.newPage({ baseURL });
  await signIn(manager, organization.users.manager.email, password);
  await expect(manager.getByTestId("signed-in-user")).toContainText(organization.users.manager.name);
  await manager.goto("/audit");
  await manager.getByRole("button", { name: "Verify chain" }).click();
  await expect(manager.getByRole("status")).toHaveText("Chain intact: 1 entry verified");

  // Someone with database access rewrites history.
  await database.db.update(auditEvents).set({ after: { status: "approved" } }).where(eq(auditEvents.targetId, approval.id));
  await manager.getByRole("button", { name: "Verify chain" }).click();
  await expect(manager.getByRole("status")).toContainText("Chain broken: entry");
  await expect(manager.getByRole("status")).toContainText("was changed after it was written");
  await manager.close();
});
