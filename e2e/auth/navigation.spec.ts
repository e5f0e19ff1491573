import type { UserRole } from "@tollgate/db";
import { expect, test } from "../fixtures";

/** What each role's navigation lists, in order: the console's promise, stated independently here. */
const navigation: Record<UserRole, string[]> = {
  admin: ["Agents", "Policies", "Delegations", "Approvals", "Sessions", "Dashboards", "Audit", "Workers"],
  reviewer: ["Approvals", "Sessions", "Dashboards"],
  manager: ["Dashboards", "Agents", "Sessions", "Audit"],
};

for (const role of ["admin", "reviewer", "manager"] as const) {
  test(`a signed-in ${role} sees exactly the ${role}'s navigation, their organization and their role`, async ({ page, organization, signInAs }) => {
    const user = await signInAs(role);
    await expect(page.getByRole("navigation", { name: "Console" }).getByRole("link")).toHaveText(navigation[role]);
    await expect(page).toHaveURL(new RegExp(`/${navigation[role][0]!.toLowerCase()}$`));
    await expect(page.getByTestId("organization-name")).toHaveText(organization.name);
    await expect(page.getByTestId("signed-in-user")).toContainText(user.email);
    await expect(page.getByRole("banner")).toContainText(role);
  });
}

test("a manager opening /policies gets the 403 page, and the API refuses the data too", async ({ page, signInAs }) => {
  await signInAs("manager");
  const response = await page.goto("/policies");
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "You don't have access to this page" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Console" })).toBeVisible();

  const api = await page.request.get(`/api/trpc/policies.list?input=${encodeURIComponent("{}")}`);
  expect(api.status()).toBe(403);
});

test("a reviewer sees the 403 page for agents, and can open sessions", async ({ page, signInAs }) => {
  await signInAs("reviewer");
  expect((await page.goto("/agents"))?.status()).toBe(403);
  expect((await page.goto("/sessions"))?.status()).toBe(200);
  await expect(page.getByRole("heading", { name: "Sessions" })).toBeVisible();
});

test("the agents page lists the organization's agents from the database and none of another's", async ({ page, organization, otherOrganization, signInAs }) => {
  await signInAs("admin");
  await page.getByRole("link", { name: "Agents" }).click();
  const table = page.getByRole("table", { name: "Agents" });
  await expect(table.getByRole("link", { name: organization.agentName })).toBeVisible();
  await expect(table).not.toContainText(otherOrganization.agentName);
  await expect(page.getByRole("navigation", { name: "Pagination" })).toContainText("1–1 of 1");

  await page.getByRole("searchbox", { name: "Search agents by name or tag" }).fill("no-such-agent");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByRole("status")).toContainText("No agents match “no-such-agent”");
});
