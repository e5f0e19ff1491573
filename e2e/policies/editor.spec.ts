import { agents, decisions, policies, policyVersions } from "@tollgate/db";
import { publishedPolicyFixture } from "@tollgate/db/testing";
import type { Page } from "@playwright/test";
import { and, eq } from "drizzle-orm";
import { agentOf } from "../approvals/agent";
import { expect, test, type Organization } from "../fixtures";
import type { Database } from "@tollgate/db";

/** Replaces the code editor's whole text, as a paste would. */
async function replaceSource(page: Page, text: string) {
  const editor = page.getByRole("textbox", { name: "Policy YAML" });
  await editor.click();
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.insertText(text);
}

async function policyIdOf(database: Database, organization: Organization, name: string) {
  const [policy] = await database.db.select({ id: policies.id }).from(policies).where(and(eq(policies.organizationId, organization.id), eq(policies.name, name)));
  return policy!.id;
}

test("an admin publishes a stricter policy from the form, a running worker applies it within a second, and the audit log shows it", async ({
  page,
  organization,
  database,
  decisionWorker,
  signInAs,
}) => {
  const agent = await agentOf(database, organization, decisionWorker);
  await expect.poll(agent.ready).toBe(true);
  expect((await agent.ask(2_000, "before-publish")).decision).toBe("allow");

  await signInAs("admin");
  await page.goto("/policies");
  await page.getByRole("link", { name: "e2e-purchasing" }).click();
  await expect(page.getByRole("heading", { name: "e2e-purchasing" })).toBeVisible();

  // A broken edit is underlined where it is and listed; publishing it is refused and changes nothing.
  const policyId = await policyIdOf(database, organization, "e2e-purchasing");
  await replaceSource(page, "name: e2e-purchasing\nselector: { tags: [e2e] }\ncaps:\n  - { id: tiny, amount: -1, currency: EUR }\n");
  const problems = page.getByRole("list", { name: "Problems" });
  await expect(problems).toContainText("line 4");
  await expect(problems).toContainText("caps[0].amount");
  await expect(page.locator(".cm-lintRange-error")).toHaveCount(1);
  await page.getByRole("button", { name: "Publish" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "The policy was not published" })).toBeVisible();
  expect(await database.db.select().from(policyVersions).where(eq(policyVersions.policyId, policyId))).toHaveLength(1);

  // The form writes a 10.00 EUR per-call cap into the same YAML.
  await replaceSource(page, "name: e2e-purchasing\nselector: { tags: [e2e] }\ngrants:\n  - { id: shop, actions: [shop.*] }\n");
  await expect(page.getByText("Valid policy document.")).toBeVisible();
  const form = page.getByRole("form", { name: "Common rules" });
  await form.getByLabel("Per-call cap", { exact: true }).fill("10");
  await form.getByLabel("Per-call cap currency").fill("EUR");
  await form.getByRole("button", { name: "Apply to YAML" }).click();
  await expect(page.getByRole("textbox", { name: "Policy YAML" })).toContainText("id: per-call");

  await page.getByRole("button", { name: "Publish" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Published v2 in enforce mode" })).toBeVisible();
  const published = Date.now();
  let answer = await agent.ask(2_000, "after-publish-0");
  for (let attempt = 1; answer.decision === "allow" && Date.now() - published < 1_000; attempt += 1) answer = await agent.ask(2_000, `after-publish-${attempt}`);
  expect({ decision: answer.decision, within: Date.now() - published < 1_000 }).toEqual({ decision: "deny", within: true });
  expect(answer.reasons[0].code).toBe("over_per_call_cap");

  // The two versions differ by the cap, shown line by line.
  const diff = page.getByLabel("Diff of v1 and v2");
  await expect(diff.locator('[data-kind="added"]').filter({ hasText: "per-call" })).toBeVisible();

  await page.goto("/audit");
  const entry = page.getByRole("table", { name: "Audit log" }).getByRole("row").filter({ hasText: "policy.publish" });
  await expect(entry).toHaveCount(1);
  // And the chain that holds it verifies.
  await page.getByRole("button", { name: "Verify chain" }).click();
  await expect(page.getByRole("status").filter({ hasText: /^Chain intact: \d+ entr(y|ies) verified$/ })).toBeVisible();
});

test("replay shows how a stricter draft would have changed the last days' decisions, before publishing", async ({ page, organization, database, signInAs }) => {
  await publishedPolicyFixture(database.db, organization.id, { name: "e2e-shop", selector: { tags: ["e2e"] }, grants: [{ id: "shop", actions: ["shop.*"] }] });
  const [agent] = await database.db.select({ id: agents.id }).from(agents).where(eq(agents.organizationId, organization.id));
  for (const [requestId, amount] of [["small", 2_000], ["large", 8_000]] as const) {
    await database.db.insert(decisions).values({ organizationId: organization.id, agentId: agent!.id, requestId, action: "shop.order", amount, currency: "EUR", merchant: "acme", outcome: "allow", snapshotVersion: 1, workerId: "e2e", createdAt: new Date(Date.now() - 3_600_000) });
  }

  await signInAs("admin");
  await page.goto(`/policies/${await policyIdOf(database, organization, "e2e-shop")}`);
  // A draft that does not validate is refused before anything is replayed, naming the field.
  await replaceSource(page, "name: e2e-shop\nselector: { tags: [e2e] }\ngrants:\n  - { id: shop, actions: [shop.*] }\ncaps:\n  - { id: c, amount: 0, currency: EUR }\n");
  await page.getByRole("button", { name: "Replay" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "The draft does not compile" })).toContainText("caps[0].amount");

  const form = page.getByRole("form", { name: "Common rules" });
  await form.getByLabel("Per-call cap", { exact: true }).fill("30");
  await form.getByLabel("Per-call cap currency").fill("EUR");
  await form.getByRole("button", { name: "Apply to YAML" }).click();
  await page.getByRole("button", { name: "Replay" }).click();

  const report = page.getByTestId("replay-report");
  await expect(report.getByTestId("replay-flipped")).toHaveText("1 of 2");
  await expect(report.getByRole("table", { name: "Money allowed before and after" })).toContainText("€100.00");
  await expect(report.getByRole("table", { name: "Money allowed before and after" })).toContainText("€20.00");
  await expect(report.getByRole("table", { name: "Decisions that flip" })).toContainText("€80.00");
  // Nothing was published: the draft stays a draft until the admin publishes it.
  const policyId = await policyIdOf(database, organization, "e2e-shop");
  expect(await database.db.select().from(policyVersions).where(eq(policyVersions.policyId, policyId))).toHaveLength(1);
});

test("an admin sees what a shadow policy would have decided and enforces it with one click", async ({ page, organization, database, signInAs }) => {
  const [policy] = await database.db.insert(policies).values({ organizationId: organization.id, name: "e2e-careful" }).returning();
  const document = { name: "e2e-careful", mode: "shadow", selector: { tags: ["e2e"] }, grants: [{ id: "shop", actions: ["shop.*"] }], caps: [{ id: "small", amount: 5_000, currency: "EUR" }] };
  await database.db.insert(policyVersions).values({ organizationId: organization.id, policyId: policy!.id, version: 1, source: JSON.stringify(document), document, status: "published", mode: "shadow", publishedAt: new Date(Date.now() - 3_600_000) });
  const [agent] = await database.db.select({ id: agents.id }).from(agents).where(eq(agents.organizationId, organization.id));
  for (const [requestId, amount, shadowOutcome] of [["fits", 2_000, "allow"], ["too-big", 8_000, "deny"]] as const) {
    await database.db.insert(decisions).values({ organizationId: organization.id, agentId: agent!.id, requestId, action: "shop.order", amount, currency: "EUR", outcome: "allow", shadowOutcome, snapshotVersion: 1, workerId: "e2e", createdAt: new Date(Date.now() - 1_800_000) });
  }

  await signInAs("admin");
  await page.goto(`/policies/${policy!.id}`);
  const shadow = page.getByTestId("shadow-report");
  await expect(shadow).toContainText("2 decisions had a shadow outcome, 1 of them different");
  await expect(shadow.getByRole("table", { name: "Decisions shadow mode would have changed" })).toContainText("€80.00");

  await page.getByRole("button", { name: "Enforce v1" }).click();
  await expect(page.getByRole("status").filter({ hasText: "v1 now in enforce mode" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Move v1 to shadow" })).toBeVisible();
  const [version] = await database.db.select().from(policyVersions).where(eq(policyVersions.policyId, policy!.id));
  expect(version!.mode).toBe("enforce");
});

test("a manager cannot reach the policy editor", async ({ page, organization, database, signInAs }) => {
  await publishedPolicyFixture(database.db, organization.id, { name: "e2e-hidden", selector: { all: true }, grants: [{ id: "read", actions: ["search.*"] }] });
  await signInAs("manager");
  for (const path of ["/policies/new", `/policies/${await policyIdOf(database, organization, "e2e-hidden")}`]) {
    const response = await page.goto(path);
    expect(response?.status()).toBe(403);
    await expect(page.getByRole("heading", { name: "You don't have access to this page" })).toBeVisible();
  }
  await expect(page.getByRole("navigation").getByRole("link", { name: "Policies" })).toHaveCount(0);
});
