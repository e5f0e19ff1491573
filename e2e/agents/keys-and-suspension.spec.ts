import { agents, apiKeys } from "@tollgate/db";
import { and, eq } from "drizzle-orm";
import { expect, test } from "../fixtures";

test("an admin issues a key shown once, then suspends the agent after seeing what else it stops", async ({ page, organization, database, signInAs }) => {
  const [agent] = await database.db
    .select({ id: agents.id })
    .from(agents)
    .where(and(eq(agents.organizationId, organization.id), eq(agents.name, organization.agentName)));
  await signInAs("admin");
  await page.goto(`/agents/${agent!.id}`);

  const form = page.getByRole("form", { name: "New key" });
  await form.getByLabel("Name").fill("ci-runner");
  await form.getByRole("button", { name: "New key" }).click();
  const issued = page.getByTestId("shown-once");
  await expect(issued).toHaveText(/^tg_/);
  const key = (await issued.textContent())!;
  // Stored as its prefix and a hash only: the plaintext exists nowhere but on this screen.
  const [stored] = await database.db.select().from(apiKeys).where(and(eq(apiKeys.agentId, agent!.id), eq(apiKeys.name, "ci-runner")));
  expect(key.startsWith(stored!.prefix)).toBe(true);
  expect(JSON.stringify(stored)).not.toContain(key);
  await page.reload();
  await expect(page.getByTestId("shown-once")).toHaveCount(0);

  await page.getByRole("button", { name: "Suspend…" }).click();
  const suspension = page.getByRole("form", { name: "Suspend agent" });
  await expect(suspension).toContainText("affects no other agent");
  await suspension.getByRole("button", { name: "Suspend" }).click();
  await expect(page.getByRole("button", { name: "Resume" })).toBeVisible();
  const [after] = await database.db.select({ status: agents.status }).from(agents).where(eq(agents.id, agent!.id));
  expect(after!.status).toBe("suspended");
});
