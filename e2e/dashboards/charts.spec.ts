import { expect, test } from "../fixtures";

test("a manager sees the dashboard charts, each with an empty state before any traffic", async ({ page, signInAs }) => {
  await signInAs("manager");
  await page.goto("/dashboards");
  await expect(page.getByRole("region", { name: "Decisions per day" })).toContainText("No decisions in the last 30 days.");
  await expect(page.getByRole("region", { name: "Committed spend per day" })).toContainText("No committed spend in the last 30 days.");
  await expect(page.getByRole("region", { name: "Trust scores" })).toContainText("No trust scores yet.");
});
