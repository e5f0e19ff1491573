import { readFile } from "node:fs/promises";
import { expect, test } from "../fixtures";

test("a manager sees the dashboard charts, each with an empty state before any traffic", async ({ page, signInAs }) => {
  await signInAs("manager");
  await page.goto("/dashboards");
  await expect(page.getByRole("region", { name: "Decisions per day" })).toContainText("No decisions in the last 30 days.");
  await expect(page.getByRole("region", { name: "Committed spend per day" })).toContainText("No committed spend in the last 30 days.");
  await expect(page.getByRole("region", { name: "Approvals per day" })).toContainText("No approvals asked for in the last 30 days.");
  await expect(page.getByRole("region", { name: "Trust scores" })).toContainText("No trust scores yet.");
});

test("a manager downloads a chart's data as CSV, every day of the window included", async ({ page, signInAs }) => {
  await signInAs("manager");
  await page.goto("/dashboards");
  const chart = page.getByRole("region", { name: "Decisions per day" });
  const [download] = await Promise.all([page.waitForEvent("download"), chart.getByRole("button", { name: "Download CSV" }).click()]);
  expect(download.suggestedFilename()).toBe("decisions-per-day-30d.csv");
  const lines = (await readFile((await download.path())!, "utf8")).trimEnd().split("\r\n");
  expect(lines[0]).toBe("day,allow,pending,deny");
  // The window's calendar days in the organization's zone: 31, or 30 across a DST change.
  expect(lines.length - 1).toBeGreaterThanOrEqual(30);
  expect(lines.slice(1).every((line) => /^\d{4}-\d{2}-\d{2},0,0,0$/.test(line))).toBe(true);
});

test("a manager narrows the dashboards to the last 7 days", async ({ page, signInAs }) => {
  await signInAs("manager");
  await page.goto("/dashboards");
  await page.getByRole("navigation", { name: "Window" }).getByRole("link", { name: "7 days" }).click();
  await expect(page).toHaveURL(/\?days=7$/);
  await expect(page.getByRole("link", { name: "7 days" })).toHaveAttribute("aria-current", "page");
  await expect(page.getByRole("region", { name: "Decisions per day" })).toContainText("No decisions in the last 7 days.");
  await expect(page.getByText("Decisions (7 days)")).toBeVisible();
});
