import { readFile } from "node:fs/promises";
import { denyInQueue, expect, pendingRequest, signedInElsewhere, test } from "../fixtures";

test("a manager filters the audit log and exports it as CSV with before and after", async ({ page: reviewer, browser, organization, database, signInAs }) => {
  await pendingRequest(database, organization, "e2e-audit-export");
  await signInAs("reviewer");
  await denyInQueue(reviewer);

  const page = await signedInElsewhere(browser, organization.users.manager);
  await page.goto("/audit");
  const filters = page.getByRole("search", { name: "Filter the audit log" });
  await filters.getByLabel("Action (or its start, e.g. agent.)").fill("agent.");
  await filters.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/action=agent\./);
  await expect(page.getByRole("status").filter({ hasText: "Nothing recorded yet" })).toBeVisible();

  await filters.getByLabel("Action (or its start, e.g. agent.)").fill("Agent%");
  await filters.getByRole("button", { name: "Filter" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "action:" })).toContainText("action: must be an action name");

  await filters.getByLabel("Action (or its start, e.g. agent.)").fill("approval.");
  await filters.getByRole("button", { name: "Filter" }).click();
  const row = page.getByRole("table", { name: "Audit log" }).getByRole("row", { name: /approval\./ });
  await expect(row).toHaveCount(1);
  await row.getByText("status").first().click();
  await expect(row).toContainText('"pending" → "denied"');

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
  const lines = (await readFile((await download.path())!, "utf8")).trimEnd().split("\r\n");
  expect(lines[0]).toBe("id,at,actor_kind,actor,action,target_type,target_id,before,after");
  expect(lines).toHaveLength(2);
  expect(lines[1]).toContain('""status"":""denied""');
  await page.close();
});
