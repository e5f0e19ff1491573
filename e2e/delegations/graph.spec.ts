import { agents, delegations, policies, policyVersions, snapshots, type Database } from "@tollgate/db";
import { and, eq } from "drizzle-orm";
import { expect, test, type Organization } from "../fixtures";

const day = 86_400_000;

/** A buyer whose published policy lets it search, and a helper granted nothing of its own. */
async function buyerAndHelper(database: Database, organization: Organization) {
  const suffix = crypto.randomUUID().slice(0, 8);
  const document = { name: `searching-${suffix}`, selector: { tags: ["searcher"] }, grants: [{ id: "search", actions: ["search.*"] }] };
  const [policy] = await database.db.insert(policies).values({ organizationId: organization.id, name: document.name }).returning();
  await database.db
    .insert(policyVersions)
    .values({ organizationId: organization.id, policyId: policy!.id, version: 1, source: JSON.stringify(document), document, status: "published", publishedAt: new Date() });
  const [buyer, helper] = await database.db
    .insert(agents)
    .values([
      { organizationId: organization.id, ownerUserId: organization.users.admin.id, name: `searcher-${suffix}`, tags: ["searcher"] },
      { organizationId: organization.id, ownerUserId: organization.users.admin.id, name: `helper-${suffix}` },
    ])
    .returning();
  return { buyer: buyer!, helper: helper! };
}

const delegationsOf = (database: Database, organization: Organization) => database.db.select().from(delegations).where(eq(delegations.organizationId, organization.id));

test("an admin grants a delegation through the form and sees it in the graph", async ({ page, organization, database, signInAs }) => {
  const { buyer, helper } = await buyerAndHelper(database, organization);
  await signInAs("admin");
  await page.goto("/delegations");
  await expect(page.getByText("No delegations yet")).toBeVisible();

  const form = page.getByRole("form", { name: "New delegation" });
  await form.getByLabel("Find delegator").fill(buyer.name);
  await form.getByLabel("Delegator", { exact: true }).selectOption({ label: buyer.name });
  await form.getByLabel("Delegate", { exact: true }).selectOption({ label: helper.name });
  // The picker offers what the buyer's policy grants it.
  await form.getByRole("checkbox", { name: /search\.\*/ }).check();
  await form.getByLabel("Budget (optional)").fill("25");
  await form.getByLabel("Budget currency").fill("EUR");
  await form.getByRole("button", { name: "Grant delegation" }).click();
  await expect(form.getByRole("status")).toContainText(`Granted ${buyer.name} → ${helper.name}`);

  const graph = page.getByRole("region", { name: "Delegation graph" });
  const edge = graph.getByRole("button", { name: `${buyer.name} → ${helper.name}: search.* · €25.00` });
  await expect(edge).toBeVisible();
  await expect(edge).toHaveClass(/delegation-live/);
  await expect(graph.getByRole("group", { name: `${buyer.name}, active` })).toBeVisible();
  await expect(page.getByRole("table", { name: "Delegations" }).getByRole("row", { name: new RegExp(`${buyer.name} → ${helper.name}`) })).toContainText("active");

  const [stored] = await delegationsOf(database, organization);
  expect(stored).toMatchObject({ delegatorAgentId: buyer.id, delegateAgentId: helper.id, scope: { actions: ["search.*"] }, budgetAmount: 2_500, budgetCurrency: "EUR" });
  const published = await database.db.select().from(snapshots).where(and(eq(snapshots.organizationId, organization.id), eq(snapshots.cause, "delegation.create")));
  expect(published).toHaveLength(1);
});

test("a scope wider than the delegator's own is refused with the compiler's error, and nothing is granted", async ({ page, organization, database, signInAs }) => {
  const { buyer, helper } = await buyerAndHelper(database, organization);
  await signInAs("admin");
  await page.goto("/delegations");

  const form = page.getByRole("form", { name: "New delegation" });
  await form.getByLabel("Delegator", { exact: true }).selectOption({ label: buyer.name });
  await form.getByLabel("Delegate", { exact: true }).selectOption({ label: helper.name });
  await expect(form.getByRole("checkbox", { name: /search\.\*/ })).toBeVisible();
  await form.getByLabel("Narrower actions").fill("search.web, stripe.charges.create");
  await form.getByRole("button", { name: "Grant delegation" }).click();

  await expect(form.getByRole("alert")).toHaveText(`"stripe.charges.create" is wider than what delegator ${buyer.name} is granted`);
  await expect(form.getByLabel("Narrower actions")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText("No delegations yet")).toBeVisible();
  expect(await delegationsOf(database, organization)).toHaveLength(0);
});

test("revoking a delegation from the graph dims its edge; an expired one is marked", async ({ page, organization, database, signInAs }) => {
  const { buyer, helper } = await buyerAndHelper(database, organization);
  const [expiredTo] = await database.db
    .insert(agents)
    .values({ organizationId: organization.id, ownerUserId: organization.users.admin.id, name: `former-${buyer.name}` })
    .returning();
  await database.db.insert(delegations).values([
    { organizationId: organization.id, delegatorAgentId: buyer.id, delegateAgentId: helper.id, scope: { actions: ["search.web"] }, expiresAt: new Date(Date.now() + day) },
    {
      organizationId: organization.id,
      delegatorAgentId: buyer.id,
      delegateAgentId: expiredTo!.id,
      scope: { actions: ["search.web"] },
      createdAt: new Date(Date.now() - 2 * day),
      expiresAt: new Date(Date.now() - day),
    },
  ]);
  await signInAs("admin");
  await page.goto("/delegations");

  const graph = page.getByRole("region", { name: "Delegation graph" });
  await expect(graph.getByRole("button", { name: `${buyer.name} → ${expiredTo!.name}: search.web (expired)` })).toHaveClass(/delegation-dimmed/);
  const edge = graph.getByRole("button", { name: new RegExp(`^${buyer.name} → ${helper.name}: `) });
  await expect(edge).toHaveClass(/delegation-live/);

  await edge.click();
  const details = page.getByRole("region", { name: "Delegation details" });
  await expect(details).toContainText(`${buyer.name} → ${helper.name}`);
  await expect(details).toContainText("search.web");
  await details.getByRole("button", { name: "Revoke…" }).click();
  await details.getByRole("group", { name: "Confirm revocation" }).getByRole("button", { name: "Revoke" }).click();

  await expect(edge).toHaveClass(/delegation-dimmed/);
  await expect(edge).toHaveAccessibleName(`${buyer.name} → ${helper.name}: search.web (revoked)`);
  await expect(details.getByRole("button", { name: "Revoke…" })).toHaveCount(0);
  const [revoked] = await database.db.select().from(delegations).where(and(eq(delegations.organizationId, organization.id), eq(delegations.delegateAgentId, helper.id)));
  expect(revoked!.revokedAt).not.toBeNull();
});
