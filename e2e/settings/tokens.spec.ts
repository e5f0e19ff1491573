import { adminApiTokens } from "@tollgate/db";
import { eq } from "drizzle-orm";
import { expect, test } from "../fixtures";

test("an admin creates an API token shown once, the API accepts it as the admin, and refuses it once revoked", async ({ page, request, organization, database, signInAs }) => {
  const admin = await signInAs("admin");
  await page.getByRole("link", { name: "API tokens" }).click();
  await expect(page.getByRole("heading", { name: "API tokens" })).toBeVisible();
  await expect(page.getByText("You have no API tokens")).toBeVisible();

  const form = page.getByRole("form", { name: "New API token" });
  await form.getByRole("button", { name: "New token" }).click();
  await expect(form.getByRole("alert")).toHaveText("the name must not be empty");

  await form.getByLabel("Name").fill("ci");
  await form.getByLabel("Expires (your time)").fill("2030-01-31T12:00");
  await form.getByRole("button", { name: "New token" }).click();
  const shown = page.getByTestId("shown-once");
  await expect(shown).toHaveText(/^tg_/);
  const token = (await shown.textContent())!;
  const [stored] = await database.db.select().from(adminApiTokens).where(eq(adminApiTokens.userId, admin.id));
  expect(token.startsWith(stored!.prefix)).toBe(true);
  expect(JSON.stringify(stored)).not.toContain(token);

  // A client with no session cookie: the token alone signs it in, as the admin.
  const asToken = () => request.get("/api/trpc/me.get", { headers: { authorization: `Bearer ${token}` } });
  const me = await asToken();
  expect(me.status()).toBe(200);
  expect(await me.json()).toMatchObject({ result: { data: { id: admin.id, organization: { id: organization.id } } } });

  await page.reload();
  await expect(page.getByTestId("shown-once")).toHaveCount(0);
  const row = page.getByRole("table", { name: "API tokens" }).getByRole("row", { name: new RegExp(stored!.prefix) });
  await expect(row).toContainText("active");
  await expect(row).toContainText("31 Jan 2030");
  await expect(row).not.toContainText("never"); // last used: by the request above
  await row.getByRole("button", { name: "Revoke" }).click();
  await row.getByRole("button", { name: "Revoke for good" }).click();
  await expect(row).toContainText("revoked");

  const refused = await asToken();
  expect(refused.status()).toBe(401);
  expect((await refused.json()).error.message).toContain(`The API token ${stored!.prefix} was revoked at`);
});

test("a manager has no API tokens link and gets the 403 page", async ({ page, signInAs }) => {
  await signInAs("manager");
  await expect(page.getByRole("link", { name: "API tokens" })).toHaveCount(0);
  const response = await page.goto("/settings/tokens");
  expect(response?.status()).toBe(403);
  await expect(page.getByText("You don't have access to this page")).toBeVisible();
});
