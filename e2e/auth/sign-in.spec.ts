import { expect, password, signIn, signInError, test } from "../fixtures";

test("a wrong password shows an error and keeps the user on the sign-in page", async ({ page, organization }) => {
  await signIn(page, organization.users.admin.email, "not-the-password");
  await expect(signInError(page)).toHaveText("Wrong email or password.");
  await expect(page).toHaveURL(/\/signin/);
});

test("five failures lock the account, and then even the right password is refused", async ({ page, organization }) => {
  const email = organization.users.reviewer.email;
  await signIn(page, email, "guess-1");
  await expect(signInError(page)).toHaveText("Wrong email or password.");
  for (const guess of ["guess-2", "guess-3", "guess-4"]) {
    await page.getByLabel("Password").fill(guess);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("button", { name: "Sign in" })).toBeEnabled();
    await expect(signInError(page)).toHaveText("Wrong email or password.");
  }
  await page.getByLabel("Password").fill("guess-5");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(signInError(page)).toContainText("Too many failed sign-in attempts");

  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign in" })).toBeEnabled();
  await expect(signInError(page)).toContainText("Too many failed sign-in attempts");
  await expect(page).toHaveURL(/\/signin/);
});

test("a signed-out visitor is sent to sign in, and lands on the page they asked for", async ({ page, organization }) => {
  await page.goto("/sessions");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=/);
  await page.getByLabel("Email").fill(organization.users.manager.email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/sessions$/);
  await expect(page.getByRole("heading", { name: "Sessions" })).toBeVisible();
});

test("signing out ends the session", async ({ page, signInAs }) => {
  await signInAs("admin");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin$/);
  await page.goto("/agents");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=/);
  expect((await page.request.get(`/api/trpc/me.get`)).status()).toBe(401);
});
