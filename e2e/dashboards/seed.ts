import { agents, decisions, envelopes, reservations, trustScoreHistory, trustScores, type Database } from "@tollgate/db";
import { and, eq } from "drizzle-orm";
import type { Organization } from "../fixtures";

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A week of traffic for `organization`, written as the worker and the trust model write it: its
 * agent spends on its own and on behalf of a delegator, a second agent is denied for two reasons,
 * both have trust scores with history, and the agent has two daily envelopes: one three quarters
 * spent, one spent to its limit.
 */
export async function seedDashboards(database: Database, organization: Organization) {
  const { db } = database;
  const organizationId = organization.id;
  const [buyer] = await db.select().from(agents).where(and(eq(agents.organizationId, organizationId), eq(agents.name, organization.agentName)));
  const [lead] = await db
    .insert(agents)
    .values({ organizationId, ownerUserId: organization.users.admin.id, name: `e2e-lead-${organizationId.slice(0, 8)}` })
    .returning();
  const now = Date.now();
  let request = 0;
  const decide = async (values: Partial<typeof decisions.$inferInsert> & { at: Date; agentId: string }) => {
    const [row] = await db
      .insert(decisions)
      .values({
        organizationId,
        requestId: `dash-${++request}`,
        action: "shop.order",
        outcome: "allow",
        snapshotVersion: 1,
        workerId: "e2e",
        createdAt: values.at,
        chain: [values.agentId],
        ...values,
      })
      .returning();
    return row!;
  };
  for (let day = 1; day <= 6; day++) {
    const at = new Date(now - day * DAY_MS);
    const spends = [
      { agentId: buyer!.id, action: "shop.order", category: "hardware", amount: 4_000 + day * 100, chain: [buyer!.id] },
      { agentId: buyer!.id, action: "travel.book", category: "travel", amount: 2_500, chain: [buyer!.id, lead!.id] },
      { agentId: lead!.id, action: "saas.subscribe", category: "software", amount: 1_200, chain: [lead!.id] },
    ];
    for (const spend of spends) {
      const decision = await decide({ ...spend, currency: "EUR", at });
      await db.insert(reservations).values({
        organizationId,
        agentId: spend.agentId,
        decisionId: decision.id,
        amount: spend.amount,
        currency: "EUR",
        status: "committed",
        committedAmount: spend.amount,
        expiresAt: new Date(at.getTime() + 60_000),
        createdAt: at,
        settledAt: at,
      });
    }
    for (const code of day % 2 === 0 ? ["loop_detected", "loop_detected"] : ["envelope_exhausted"]) {
      await decide({ agentId: lead!.id, at, outcome: "deny", reasons: [{ code, message: `${code} in e2e`, rule: null, policyVersion: 1 }] });
    }
  }

  const reasons = [
    { code: "loopTrips", message: "tripped the loop limit 3 times", points: -80 },
    { code: "denials", message: "denied 9 times this month", points: -45 },
  ];
  await db.insert(trustScores).values([
    { organizationId, agentId: lead!.id, score: 455, reasons },
    { organizationId, agentId: buyer!.id, score: 735, reasons: [{ code: "cleanCommits", message: "a week of clean spend", points: 35 }] },
  ]);
  await db.insert(trustScoreHistory).values(
    [1, 2, 3, 4, 5].flatMap((day) => [
      { organizationId, agentId: lead!.id, score: 650 - day * 30, computedAt: new Date(now - (6 - day) * DAY_MS) },
      { organizationId, agentId: buyer!.id, score: 700 + day * 5, computedAt: new Date(now - (6 - day) * DAY_MS) },
    ]),
  );

  // The agent's daily envelope, as a worker opens it: the window starts at local midnight (Berlin).
  const clock = Object.fromEntries(
    new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Berlin", hour: "numeric", minute: "numeric", second: "numeric", hourCycle: "h23" })
      .formatToParts(new Date(now))
      .map((part) => [part.type, Number(part.value)]),
  );
  const periodStart = new Date(now - ((clock.hour! * 60 + clock.minute!) * 60 + clock.second!) * 1000 - (now % 1000));
  const daily = { organizationId, agentId: buyer!.id, period: "day" as const, periodStart, currency: "EUR" };
  await db.insert(envelopes).values([
    { ...daily, envelopeKey: `env/agent:${buyer!.id}/e2e:daily/EUR/day:today`, limitAmount: 20_000, committedAmount: 15_000, heldAmount: 1_000 },
    { ...daily, envelopeKey: `env/agent:${buyer!.id}/e2e:travel/EUR/day:today`, limitAmount: 5_000, committedAmount: 5_000 },
  ]);
  return { buyer: buyer!, lead: lead! };
}
