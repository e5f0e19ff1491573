import { test as base, expect, type Browser, type Page } from "@playwright/test";
import { hashPassword } from "@tollgate/api";
import { agents, approvals, decisions, openDatabase, organizations, users, type Database, type User, type UserRole } from "@tollgate/db";
import { and, eq } from "drizzle-orm";
import { startDecisionWorker, type DecisionWorker } from "./approvals/agent";
import { baseURL, e2e } from "./config";

export const password = "e2e-correct-horse";

export interface Organization {
  id: string;
  name: string;
  users: Record<UserRole, User>;
  agentName: string;
}

const unique = () => crypto.randomUUID().slice(0, 8);

/** Writes an organization with one user per role (all with `password`) and one agent. */
async function seedOrganization(database: Database, passwordHash: string): Promise<Organization> {
  const suffix = unique();
  const [organization] = await database.db
    .insert(organizations)
    .values({ slug: `e2e-${suffix}`, name: `E2E Org ${suffix}`, timeZone: "Europe/Berlin" })
    .returning();
  const members = {} as Record<UserRole, User>;
  for (const role of ["admin", "reviewer", "manager"] as const) {
    const [user] = await database.db
      .insert(users)
      .values({ organizationId: organization!.id, email: `${role}-${suffix}@e2e.test`, name: `${role[0]!.toUpperCase()}${role.slice(1)} ${suffix}`, role, passwordHash })
      .returning();
    members[role] = user!;
  }
  const agentName = `e2e-buyer-${suffix}`;
  await database.db.insert(agents).values({ organizationId: organization!.id, ownerUserId: members.admin.id, name: agentName, tags: ["e2e"] });
  return { id: organization!.id, name: organization!.name, users: members, agentName };
}

/** Signs in through the sign-in page, as a person would. */
export async function signIn(page: Page, email: string, secret = password): Promise<void> {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(secret);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** A second person at their own browser: a new context, signed in separately as `user`. */
export async function signedInElsewhere(browser: Browser, user: { email: string; name: string }): Promise<Page> {
  const page = await browser.newPage({ baseURL });
  await signIn(page, user.email, password);
  await expect(page.getByTestId("signed-in-user")).toContainText(user.name);
  return page;
}

/** A reviewer's deny of the pending shop.order request in the live queue, seen settled. */
export async function denyInQueue(page: Page): Promise<void> {
  await page.goto("/approvals");
  await page.getByRole("table", { name: "Approval queue" }).getByRole("row", { name: /shop\.order/ }).getByRole("button", { name: "Deny" }).click();
  await expect(page.getByRole("table", { name: "Approvals" }).getByRole("row", { name: /shop\.order/ })).toContainText("denied");
}

/** The sign-in form's error message (Next.js's route announcer is an alert too). */
export const signInError = (page: Page) => page.getByRole("form", { name: "Sign in" }).getByRole("alert");

export const test = base.extend<
  { organization: Organization; otherOrganization: Organization; signInAs: (role: UserRole) => Promise<User> },
  { database: Database; passwordHash: string; decisionWorker: DecisionWorker }
>({
  database: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern
    async ({}, use) => {
      const database = await openDatabase({ url: e2e.databaseUrl, maxConnections: 2 });
      await use(database);
      await database.close();
    },
    { scope: "worker" },
  ],
  // A real decision worker process, started for the tests that ask one; it serves every organization.
  decisionWorker: [
    // eslint-disable-next-line no-empty-pattern -- as above
    async ({}, use) => {
      const worker = await startDecisionWorker(e2e.databaseUrl);
      await use(worker);
      await worker.stop();
    },
    { scope: "worker" },
  ],
  // eslint-disable-next-line no-empty-pattern -- as above
  passwordHash: [async ({}, use) => use(await hashPassword(password)), { scope: "worker" }],
  organization: async ({ database, passwordHash }, use) => {
    const organization = await seedOrganization(database, passwordHash);
    await use(organization);
    await database.db.delete(organizations).where(eq(organizations.id, organization.id));
  },
  otherOrganization: async ({ database, passwordHash }, use) => {
    const organization = await seedOrganization(database, passwordHash);
    await use(organization);
    await database.db.delete(organizations).where(eq(organizations.id, organization.id));
  },
  signInAs: async ({ page, organization }, use) => {
    await use(async (role) => {
      const user = organization.users[role];
      await signIn(page, user.email);
      await expect(page.getByTestId("signed-in-user")).toContainText(user.name);
      return user;
    });
  },
});

export { expect };

/** A pending request of the organization's agent (owned by its admin) for 120.00 EUR. */
export async function pendingRequest(database: Database, organization: Organization, requestId: string, money: { amount: number; currency: string } | null = { amount: 12_000, currency: "EUR" }) {
  const { amount = null, currency = null } = money ?? {};
  const [agent] = await database.db
    .select({ id: agents.id })
    .from(agents)
    .where(and(eq(agents.organizationId, organization.id), eq(agents.name, organization.agentName)));
  const [decision] = await database.db
    .insert(decisions)
    .values({ organizationId: organization.id, agentId: agent!.id, requestId, action: "shop.order", amount, currency, merchant: "acme", outcome: "pending", snapshotVersion: 1, workerId: "e2e" })
    .returning();
  const [approval] = await database.db
    .insert(approvals)
    .values({ organizationId: organization.id, decisionId: decision!.id, agentId: agent!.id, action: "shop.order", merchant: "acme", amount, currency, expiresAt: new Date(Date.now() + 3_600_000) })
    .returning();
  return approval!;
}

