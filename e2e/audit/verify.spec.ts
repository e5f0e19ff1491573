import { auditEvents } from "@tollgate/db";
import { eq } from "drizzle-orm";
import { denyInQueue, expect, pendingRequest, signedInElsewhere, test } from "../fixtures";

test("a manager verifies the audit chain, and an edited entry is detected", async ({ page, browser, organization, database, signInAs }) => {
  const approval = await pendingRequest(database, organization, "e2e-audit");
  await signInAs("reviewer");
  await denyInQueue(page);

  const manager = await signedInElsewhere(browser, organization.users.manager);
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
