import type { Page } from "@playwright/test";
import { approvalGrants, approvals, reservations, users } from "@tollgate/db";
import { eq } from "drizzle-orm";
import { expect, signIn, test } from "../fixtures";
import { e2e } from "../config";
import { agentOf, startDecisionWorker, type DecisionWorker } from "./agent";

const queueOf = (page: Page) => page.getByRole("table", { name: "Approval queue" });
/** What the queue says about the reviewer's last answer (the row itself may be gone by then). */
const answerOf = (page: Page, role: "alert" | "status") => page.getByTestId("queue-answer").and(page.getByRole(role));

test.describe("the live approval queue with a real worker", () => {
  test("a request appears without reload; the agent hears the approval within a second of the click", async ({ page, organization, database, decisionWorker, signInAs }) => {
    const agent = await agentOf(database, organization, decisionWorker);
    await expect.poll(agent.ready).toBe(true);
    const reviewer = await signInAs("reviewer");
    await page.goto("/approvals");
    await expect(page.getByTestId("queue-connection")).toHaveText("Live");

    const pending = await agent.ask(12_000, "live-approve");
    expect(pending).toMatchObject({ decision: "pending", reasons: [{ code: "approval_required_amount" }] });
    const row = queueOf(page).getByRole("row", { name: /shop\.order/ });
    await expect(row).toContainText(organization.agentName);
    await expect(row).toContainText(`owned by ${organization.users.admin.name}`);
    await expect(row).toContainText("€120.00");
    await expect(row).toContainText("acme");
    await expect(row.getByRole("link", { name: "e2e-run" })).toHaveAttribute("href", /\/sessions\//);
    await expect(row.getByRole("time")).toContainText(/\d+:\d\d left/);

    const polled = agent.wait(pending.approvalId);
    await row.getByLabel(/Note for/).fill("fits the quarter");
    const clickedAt = Date.now();
    await row.getByRole("button", { name: "Approve" }).click();
    const { answer, at } = await polled;
    expect(answer).toMatchObject({ status: "approved", decision: "allow", approvedAmount: { amount: 12_000, currency: "EUR" }, note: "fits the quarter" });
    expect(at - clickedAt).toBeLessThan(1_000);

    await expect(queueOf(page).getByRole("row", { name: /shop\.order/ })).toHaveCount(0);
    const recent = page.getByRole("table", { name: "Recently decided" }).getByRole("row", { name: /shop\.order/ });
    await expect(recent).toContainText(`by ${reviewer.name}`);
    const [informed] = await database.db.select().from(approvals).where(eq(approvals.id, pending.approvalId));
    expect(informed!.agentInformedAt).not.toBeNull();
  });

  test("a reviewer denies one request from the keyboard and approves another for less than asked", async ({ page, organization, database, decisionWorker, signInAs }) => {
    const agent = await agentOf(database, organization, decisionWorker);
    await expect.poll(agent.ready).toBe(true);
    await signInAs("reviewer");
    await page.goto("/approvals");
    await expect(page.getByTestId("queue-connection")).toHaveText("Live");
    const first = await agent.ask(9_000, "keys-1");
    const second = await agent.ask(8_000, "keys-2");
    await expect(queueOf(page).getByRole("row", { name: /shop\.order/ })).toHaveCount(2);

    // The first row is selected; j moves to the second, n writes its note, Escape returns to the shortcuts.
    await page.keyboard.press("j");
    await expect(queueOf(page).getByRole("row", { selected: true })).toContainText("€80.00");
    await page.keyboard.press("n");
    await page.keyboard.type("not this vendor");
    await page.keyboard.press("Escape");
    const polled = agent.wait(second.approvalId);
    await page.keyboard.press("d");
    expect((await polled).answer).toMatchObject({ status: "denied", decision: "deny", note: "not this vendor" });

    // The other one, approved for less than asked.
    const remaining = queueOf(page).getByRole("row", { name: /shop\.order/ });
    await expect(remaining).toHaveCount(1);
    await remaining.getByLabel("Approve up to (EUR)").fill("95");
    await remaining.getByRole("button", { name: "Approve" }).click();
    await expect(answerOf(page, "alert")).toContainText("Approve up to: must be at most 9000 (the amount asked)");
    await remaining.getByLabel("Approve up to (EUR)").fill("60");
    const capped = agent.wait(first.approvalId);
    await remaining.getByRole("button", { name: "Approve" }).click();
    expect((await capped).answer).toMatchObject({ decision: "allow", approvedAmount: { amount: 6_000, currency: "EUR" } });
  });

  test("a reviewer approves and allows more for the rest of the session, as a narrow standing grant", async ({ page, organization, database, decisionWorker, signInAs }) => {
    const agent = await agentOf(database, organization, decisionWorker);
    await expect.poll(agent.ready).toBe(true);
    const reviewer = await signInAs("reviewer");
    await page.goto("/approvals");
    await expect(page.getByTestId("queue-connection")).toHaveText("Live");
    const pending = await agent.ask(9_500, "grant");
    const row = queueOf(page).getByRole("row", { name: /shop\.order/ });
    await row.getByLabel("and allow up to").fill("200");
    await row.getByLabel("Minutes the grant lasts").fill("30");
    const polled = agent.wait(pending.approvalId);
    await row.getByRole("button", { name: "Approve" }).click();
    expect((await polled).answer.decision).toBe("allow");
    const [grant] = await database.db.select().from(approvalGrants).where(eq(approvalGrants.approvalId, pending.approvalId));
    expect(grant).toMatchObject({ action: "shop.order", amount: 20_000, currency: "EUR", used: 0, grantedByUserId: reviewer.id });
    expect(grant!.expiresAt.getTime() - Date.now()).toBeGreaterThan(29 * 60_000);
    // The next call over the threshold in the same session is covered by the grant: no new approval.
    const covered = await agent.ask(9_000, "grant-2");
    expect(covered).toMatchObject({ decision: "allow" });
    const [drawn] = await database.db.select().from(approvalGrants).where(eq(approvalGrants.approvalId, pending.approvalId));
    expect(drawn!.used).toBe(9_000);
  });

  test("of two reviewers answering at once one wins, and the other is told who decided", async ({ page, browser, organization, database, decisionWorker, passwordHash, signInAs }) => {
    const agent = await agentOf(database, organization, decisionWorker);
    await expect.poll(agent.ready).toBe(true);
    const [second] = await database.db
      .insert(users)
      .values({ organizationId: organization.id, email: `second-${organization.users.reviewer.email}`, name: `Second ${organization.users.reviewer.name}`, role: "reviewer", passwordHash })
      .returning();
    await signInAs("reviewer");
    const otherContext = await browser.newContext();
    const other = await otherContext.newPage();
    await signIn(other, second!.email);
    await expect(other.getByTestId("signed-in-user")).toContainText(second!.name);
    for (const reviewerPage of [page, other]) {
      await reviewerPage.goto("/approvals");
      await expect(reviewerPage.getByTestId("queue-connection")).toHaveText("Live");
    }

    const pending = await agent.ask(15_000, "race");
    const rows = [page, other].map((reviewerPage) => queueOf(reviewerPage).getByRole("row", { name: /shop\.order/ }));
    for (const row of rows) await expect(row).toBeVisible();
    // Both buttons are found first and then pressed in the same instant: a locator click waits for
    // the row to settle, and by then the other reviewer's answer may already have removed it.
    const buttons = await Promise.all([rows[0]!.getByRole("button", { name: "Approve" }).elementHandle(), rows[1]!.getByRole("button", { name: "Deny" }).elementHandle()]);
    await Promise.all(buttons.map((button) => button!.evaluate((element) => (element as HTMLButtonElement).click())));

    const settled = async () => (await database.db.select().from(approvals).where(eq(approvals.id, pending.approvalId)))[0]!;
    await expect.poll(async () => (await settled()).status).not.toBe("pending");
    const decided = await settled();
    const winner = decided!.decidedByUserId === organization.users.reviewer.id ? { page, name: organization.users.reviewer.name } : { page: other, name: second!.name };
    const loser = winner.page === page ? other : page;
    await expect(answerOf(winner.page, "status")).toHaveText(/^(Approved|Denied)\.$/);
    await expect(answerOf(loser, "alert")).toHaveText(`this approval was already ${decided!.status} by ${winner.name}`);
    expect((await agent.wait(pending.approvalId, 0)).answer.status).toBe(decided!.status);
    await otherContext.close();
  });

  test("an agent's owner cannot approve its spend, from the button or the keyboard", async ({ page, organization, database, decisionWorker, signInAs }) => {
    const agent = await agentOf(database, organization, decisionWorker);
    await expect.poll(agent.ready).toBe(true);
    await signInAs("admin");
    await page.goto("/approvals");
    await expect(page.getByTestId("queue-connection")).toHaveText("Live");
    const pending = await agent.ask(7_000, "owner");
    const row = queueOf(page).getByRole("row", { name: /shop\.order/ });
    await expect(row).toContainText("You own this agent: another reviewer must approve.");
    await expect(row.getByRole("button", { name: "Approve" })).toBeDisabled();
    await page.keyboard.press("a");
    await expect(answerOf(page, "alert")).toHaveText("you own this agent: another reviewer must approve its spend");
    expect((await agent.wait(pending.approvalId, 0)).answer).toMatchObject({ status: "pending", decision: "pending" });
  });

  test("a request nobody answers in time expires: it leaves the queue and the agent hears deny", async ({ page, organization, database, decisionWorker, signInAs }) => {
    const agent = await agentOf(database, organization, decisionWorker);
    await expect.poll(agent.ready).toBe(true);
    await signInAs("reviewer");
    await page.goto("/approvals");
    await expect(page.getByTestId("queue-connection")).toHaveText("Live");
    const pending = await agent.ask(6_000, "expiry");
    await expect(queueOf(page).getByRole("row", { name: /shop\.order/ })).toBeVisible();
    // Shorten its life rather than wait the worker's fifteen minutes.
    await database.db.update(approvals).set({ expiresAt: new Date(Date.now() + 1_500) }).where(eq(approvals.id, pending.approvalId));
    expect((await agent.wait(pending.approvalId)).answer).toMatchObject({ status: "expired", decision: "deny" });
    await expect(queueOf(page).getByRole("row", { name: /shop\.order/ })).toHaveCount(0);
    await expect(page.getByRole("table", { name: "Recently decided" }).getByRole("row", { name: /shop\.order/ })).toContainText("expired");
  });
});

test("a pending request and its hold survive the worker crashing mid-wait; the agent hears the approval from its successor", async ({ page, organization, database, signInAs }) => {
  const first = await startDecisionWorker(e2e.databaseUrl);
  let second: DecisionWorker | undefined;
  try {
    const before = await agentOf(database, organization, first);
    await expect.poll(before.ready).toBe(true);
    await signInAs("reviewer");
    await page.goto("/approvals");
    await expect(page.getByTestId("queue-connection")).toHaveText("Live");
    const pending = await before.ask(11_000, "restart");
    const row = queueOf(page).getByRole("row", { name: /shop\.order/ });
    await expect(row).toBeVisible();

    await first.stop("SIGKILL");
    second = await startDecisionWorker(e2e.databaseUrl);
    const after = before.through(second);
    await expect.poll(after.ready).toBe(true);
    const [hold] = await database.db.select().from(reservations).where(eq(reservations.id, pending.reservationId));
    expect(hold!.status).toBe("held");

    const polled = after.wait(pending.approvalId);
    const clickedAt = Date.now();
    await row.getByRole("button", { name: "Approve" }).click();
    const { answer, at } = await polled;
    expect(answer).toMatchObject({ decision: "allow", reservationId: pending.reservationId });
    expect(at - clickedAt).toBeLessThan(1_000);
  } finally {
    await first.stop();
    await second?.stop();
  }
});
