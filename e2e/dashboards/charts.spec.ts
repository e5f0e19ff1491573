import { readFile } from "node:fs/promises";
import { expect, test } from "../fixtures";
import { seedDashboards } from "./seed";

const NEW_CHARTS = ["Spend by breakdown", "Top denial reasons", "Envelope burn-down", "Trust history"];

test("a manager sees the dashboard charts, each with an empty state before any traffic", async ({ page, signInAs }) => {
  await signInAs("manager");
  await page.goto("/dashboards");
  await expect(page.getByRole("region", { name: "Decisions per day" })).toContainText("No decisions in the last 30 days.");
  await expect(page.getByRole("region", { name: "Committed spend per day" })).toContainText("No committed spend in the last 30 days.");
  await expect(page.getByRole("region", { name: "Approvals per day" })).toContainText("No approvals asked for in the last 30 days.");
  await expect(page.getByRole("region", { name: "Trust scores" })).toContainText("No trust scores yet.");
  await expect(page.getByRole("region", { name: "Spend by breakdown" })).toContainText("No committed spend in the last 30 days.");
  await expect(page.getByRole("region", { name: "Top denial reasons" })).toContainText("No denials in the last 30 days.");
  await expect(page.getByRole("region", { name: "Envelope burn-down" })).toContainText("No envelope has been drawn on in its current day, week or month.");
  await expect(page.getByRole("region", { name: "Trust history" })).toContainText("No trust scores yet.");
});

test("a manager sees spend by breakdown, denial reasons, envelope burn-down and trust history filled with a week of traffic", async ({ page, signInAs, database, organization }) => {
  const { lead } = await seedDashboards(database, organization);
  await signInAs("manager");
  await page.goto("/dashboards");
  for (const chart of NEW_CHARTS) {
    const region = page.getByRole("region", { name: chart });
    await expect(region.locator(".recharts-surface").first()).toBeVisible();
    await expect(region.locator(".recharts-bar-rectangle, .recharts-line-curve").first()).toBeVisible();
  }
  await expect(page.getByRole("region", { name: "Spend by breakdown" }).locator(".recharts-legend-wrapper")).toContainText(organization.agentName);
  await expect(page.getByRole("region", { name: "Top denial reasons" })).toContainText("loop_detected");
  await expect(page.getByRole("region", { name: "Top denial reasons" })).toContainText("9 in the last 30 days");
  const burnDown = page.getByRole("region", { name: "Envelope burn-down" });
  // Most used first; how soon the other runs out depends on the time of day, so only its spend is checked.
  const projections = burnDown.getByRole("list", { name: "Projections" }).getByRole("listitem");
  await expect(projections).toHaveCount(2);
  await expect(projections.nth(0)).toHaveText(`${organization.agentName} · travel (day)€50.00 of €50.00 · exhausted`);
  await expect(projections.nth(1)).toContainText(`${organization.agentName} · daily (day)€150.00 of €200.00`);
  // The lowest score is charted first, with the reasons that moved it.
  const trust = page.getByRole("region", { name: "Trust history" });
  await expect(trust.getByRole("combobox", { name: "Agent" })).toHaveValue(lead.id);
  await expect(trust.getByRole("list", { name: "Reason codes" })).toContainText("loopTrips");
  await expect(trust.getByRole("list", { name: "Reason codes" })).toContainText("-80");

  const screenshot = test.info().outputPath("dashboards-seeded.png");
  await page.screenshot({ path: screenshot, fullPage: true });
  await test.info().attach("dashboards with a week of seeded traffic", { path: screenshot, contentType: "image/png" });
});

test("a manager switches the spend breakdown and the charted agent, and downloads what each shows", async ({ page, signInAs, database, organization }) => {
  const { buyer, lead } = await seedDashboards(database, organization);
  await signInAs("manager");
  await page.goto("/dashboards?days=7");
  const spend = page.getByRole("region", { name: "Spend by breakdown" });
  await spend.getByRole("combobox", { name: "Breakdown" }).selectOption("chain");
  // A delegated chain reads from the delegator down to the agent that spent.
  await expect(spend.locator(".recharts-legend-wrapper")).toContainText(`${lead.name} → ${buyer.name}`);
  const [download] = await Promise.all([page.waitForEvent("download"), spend.getByRole("button", { name: "Download CSV" }).click()]);
  expect(download.suggestedFilename()).toBe("spend-by-chain-7d.csv");
  const lines = (await readFile((await download.path())!, "utf8")).trimEnd().split("\r\n");
  expect(lines[0]).toBe("day,currency,chain,amount_minor_units");
  const delegated = lines.filter((line) => line.includes(`${lead.name} → ${buyer.name}`)).map((line) => Number(line.split(",").at(-1)));
  expect(delegated.reduce((sum, amount) => sum + amount, 0)).toBe(6 * 2_500);

  const trust = page.getByRole("region", { name: "Trust history" });
  await trust.getByRole("combobox", { name: "Agent" }).selectOption(buyer.id);
  await expect(trust.getByRole("list", { name: "Reason codes" })).toContainText("cleanCommits");
  await expect(trust).toContainText(`${buyer.name}'s score per day`);
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
