import { agentFixture, organizationFixture, userFixture } from "@tollgate/db/testing";
import { decisions, reservations, type Agent, type Db } from "@tollgate/db";
import { createContext, type SignedInContext } from "../context";
import { createCaller } from "../root";
import { sessionOf } from "../testing";

// Test-only fixtures for the dashboards' tests; not exported from index.ts.

const DAY_MS = 24 * 60 * 60 * 1000;

/** `days` whole days before now (plus `ms`), so a test knows which calendar day a row lands on. */
export const daysAgo = (days: number, ms = 0) => new Date(Date.now() - days * DAY_MS + ms);

/** The calendar day of `at` in Berlin, the fixture organization's zone: `2026-11-24`. */
export const berlinDay = (at: Date) =>
  new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Berlin", year: "numeric", month: "2-digit", day: "2-digit" }).format(at);

interface Call {
  agent: Pick<Agent, "id">;
  at: Date;
  action?: string;
  category?: string | null;
  /** From the acting agent up to the root delegator, as the worker logs it; the agent alone by default. */
  chain?: string[];
}

/**
 * An organization (in Europe/Berlin unless told) with an admin and a manager, a caller and a
 * context for the manager, and writers for the rows the dashboards read, as the worker writes them.
 */
export async function dashboardOrganization(db: Db, { timeZone = "Europe/Berlin" }: { timeZone?: string } = {}) {
  const organization = await organizationFixture(db, { timeZone });
  const admin = await userFixture(db, organization.id, { role: "admin" });
  const manager = await userFixture(db, organization.id, { role: "manager" });
  let requests = 0;

  const decide = async ({ agent, at, action = "shop.order", category = null, chain = [agent.id] }: Call, outcome: "allow" | "deny" | "pending", reasons: unknown[], amount: number | null, currency: string) => {
    const [row] = await db
      .insert(decisions)
      .values({
        organizationId: organization.id,
        agentId: agent.id,
        requestId: `req-${++requests}`,
        action,
        amount,
        currency: amount === null ? null : currency,
        category,
        chain,
        outcome,
        reasons,
        snapshotVersion: 1,
        workerId: "worker-test",
        createdAt: at,
      })
      .returning();
    return row!;
  };

  return {
    organization,
    admin,
    manager,
    asManager: createCaller(createContext({ db, session: sessionOf(manager) })),
    managerContext: { db, session: sessionOf(manager) } satisfies SignedInContext,
    agent: (name: string) => agentFixture(db, admin, { name }),
    /** An allowed call whose hold of `amount` was settled at `settledAt` (`at` by default): committed (`committed` of it, all by default) or released. */
    async spend(call: Call & { amount: number; committed?: number; currency?: string; status?: "committed" | "released" | "held"; settledAt?: Date }) {
      const { amount, committed = amount, currency = "USD", status = "committed", settledAt = call.at } = call;
      const decision = await decide(call, "allow", [], amount, currency);
      await db.insert(reservations).values({
        organizationId: organization.id,
        agentId: call.agent.id,
        decisionId: decision.id,
        amount,
        currency,
        status,
        committedAmount: status === "committed" ? committed : null,
        expiresAt: new Date(call.at.getTime() + 60_000),
        createdAt: call.at,
        settledAt: status === "held" ? null : settledAt,
      });
    },
    /** A pending call (an approval was opened), logged as such. */
    pending: (call: Call) => decide(call, "pending", [], null, "USD"),
    /** A denied call whose reasons have these codes, the first one deciding. */
    deny: (call: Call, codes: string[]) =>
      decide(call, "deny", codes.map((code) => ({ code, message: `${code} happened`, rule: null, policyVersion: 1 })), null, "USD"),
  };
}
