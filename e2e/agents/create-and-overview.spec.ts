import { publishedPolicyFixture } from "@tollgate/db/testing";
import { clientOf } from "../approvals/agent";
import { expect, test } from "../fixtures";

test("an admin creates an agent and its key, the worker serves it at once, and a tag change reaches the worker within a second", async ({
  page,
  organization,
  database,
  decisionWorker,
  signInAs,
}) => {
  await publishedPolicyFixture(database.db, organization.id, {
    name: "e2e-shopping",
    selector: { tags: ["e2e"] },
    grants: [{ id: "shop", actions: ["shop.*"] }],
    limits: [{ id: "daily", period: "day", amount: 50_000, currency: "EUR" }],
  });
  await signInAs("admin");
  await page.goto("/agents");
  const name = `${organization.agentName}-2`;

  await page.getByRole("button", { name: "New agent" }).click();
  const form = page.getByRole("form", { name: "New agent" });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Tags (comma-separated)").fill("e2e, eu");
  await form.getByRole("button", { name: "Create agent" }).click();

  await expect(page.getByRole("heading", { level: 1 })).toHaveText(name);
  const permissions = page.getByRole("region", { name: "Effective permissions" });
  await expect(permissions.getByTestId("effective-policy")).toContainText("e2e-shopping");
  await expect(permissions).toContainText("may call shop.*");
  await expect(permissions).toContainText("€500.00 a day");
  await expect(page.getByRole("region", { name: "Recent decisions" })).toContainText("No decisions yet");

  // Its key, shown once, works against a running worker.
  await page.getByRole("form", { name: "New key" }).getByRole("button", { name: "New key" }).click();
  const key = (await page.getByTestId("shown-once").textContent())!;
  const agent = clientOf(organization.id, key, decisionWorker);
  await expect.poll(async () => (await agent.ask(1_000, "new-agent-1")).decision, { timeout: 2_000 }).toBe("allow");

  // Without the tag no policy selects it, and the page says what that means.
  await page.getByRole("button", { name: "Edit owner and tags…" }).click();
  const edit = page.getByRole("form", { name: "Edit agent" });
  await edit.getByLabel("Owner (email; now", { exact: false }).fill(organization.users.manager.email);
  await edit.getByLabel("Tags (comma-separated)").fill("eu");
  await edit.getByRole("button", { name: "Save" }).click();
  await expect(permissions).toContainText("No policy selects this agent");
  await expect(page.getByText(organization.users.manager.name)).toBeVisible();
  const saved = Date.now();
  await expect.poll(async () => (await agent.ask(1_000, `untagged-${Date.now()}`)).reasons?.[0]?.code, { intervals: [50] }).toBe("no_matching_grant");
  expect(Date.now() - saved).toBeLessThan(1_000);
  await page.reload();
  await expect(page.getByRole("region", { name: "Recent decisions" }).getByRole("row", { name: /no_matching_grant/ })).toBeVisible();

  await page.goto("/agents");
  await page.getByRole("button", { name: "New agent" }).click();
  await form.getByLabel("Name").fill(name);
  await form.getByRole("button", { name: "Create agent" }).click();
  await expect(form.getByRole("alert")).toHaveText(`an agent named ${name} already exists`);
  await expect(form.getByLabel("Name")).toHaveAttribute("aria-invalid", "true");
});

test("agents filter by status, and a manager reads them without the means to create one", async ({ page, signInAs }) => {
  await signInAs("manager");
  await page.goto("/agents?status=suspended");
  await expect(page.getByRole("table", { name: "Agents" })).toHaveCount(0);
  await expect(page.getByText("No suspended agents")).toBeVisible();
  await page.getByLabel("Filter agents by status").selectOption("active");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/status=active/);
  await expect(page.getByRole("table", { name: "Agents" }).getByRole("row")).not.toHaveCount(0);
  await expect(page.getByRole("button", { name: "New agent" })).toHaveCount(0);
});
