import { agents, agentSessions } from "@tollgate/db";
import { and, eq } from "drizzle-orm";
import { expect, test } from "../fixtures";

test("an admin resets a tripped session's circuit breaker from the sessions page", async ({ page, organization, database, signInAs }) => {
  const [agent] = await database.db
    .select({ id: agents.id })
    .from(agents)
    .where(and(eq(agents.organizationId, organization.id), eq(agents.name, organization.agentName)));
  await database.db.insert(agentSessions).values({
    organizationId: organization.id,
    agentId: agent!.id,
    externalId: "runaway-loop",
    status: "tripped",
    trippedAt: new Date(),
    trippedReason: "20 denials in a row",
  });

  await signInAs("admin");
  await page.goto("/sessions");
  const row = page.getByRole("row", { name: /runaway-loop/ });
  await expect(row).toContainText("tripped");
  await expect(row).toContainText("20 denials in a row");
  await row.getByRole("button", { name: "Reset breaker" }).click();
  await expect(row).toContainText("open");
  await expect(row.getByRole("button", { name: "Reset breaker" })).toHaveCount(0);

  const [session] = await database.db.select().from(agentSessions).where(eq(agentSessions.externalId, "runaway-loop"));
  expect(session).toMatchObject({ status: "open", trippedAt: null });
});

test("a reviewer sees a tripped session but no reset button", async ({ page, organization, database, signInAs }) => {
  const [agent] = await database.db.select({ id: agents.id }).from(agents).where(eq(agents.organizationId, organization.id));
  await database.db.insert(agentSessions).values({
    organizationId: organization.id,
    agentId: agent!.id,
    externalId: "reviewer-sees-this",
    status: "tripped",
    trippedAt: new Date(),
    trippedReason: "20 denials in a row",
  });
  await signInAs("reviewer");
  await page.goto("/sessions");
  const row = page.getByRole("row", { name: /reviewer-sees-this/ });
  await expect(row).toContainText("tripped");
  await expect(row.getByRole("button", { name: "Reset breaker" })).toHaveCount(0);
});
