import { issueAgentKey } from "@tollgate/api";
import { apiKeys, delegations, type Db } from "@tollgate/db";
import { agentFixture, organizationFixture, publishedPolicyFixture, userFixture } from "@tollgate/db/testing";

/** The kinds of agent the simulator plays; `careful` is the one every other should end up below. */
export const ARCHETYPES = ["careful", "loopy", "drifting", "stolen-key", "over-delegator"] as const;
export type Archetype = (typeof ARCHETYPES)[number];

export const CURRENCY = "USD";

/**
 * What every simulated agent may do, with each control the archetypes run into: a per-call cap,
 * a per-session envelope, an approval threshold and a trust band, velocity and loop limits, and
 * denies for gambling and refunds. Amounts are USD cents.
 */
export const SIMULATION_POLICY = {
  name: "simulated-agents",
  selector: { tags: ["simulated"] },
  grants: [
    { id: "shopping", actions: ["shop.*"] },
    { id: "cloud", actions: ["cloud.*"] },
  ],
  denies: [
    { id: "no-gambling", actions: ["*"], categories: ["gambling"] },
    { id: "no-refunds", actions: ["*.refunds.*"] },
  ],
  caps: [{ id: "max-call", amount: 50_000, currency: CURRENCY }],
  // The daily envelope is far above what a session may spend: it is there to be burnt down on the dashboards.
  limits: [
    { id: "per-session", period: "session", amount: 60_000, currency: CURRENCY },
    { id: "daily", period: "day", amount: 1_000_000, currency: CURRENCY },
  ],
  approvals: [
    { id: "over-150", when: "amount_over", amount: 15_000, currency: CURRENCY },
    { id: "low-trust", when: "trust_below", score: 560 },
  ],
  velocity: [{ id: "session-rate", maxCalls: 30, windowSeconds: 60, per: "session" }],
  loops: [{ id: "same-call", maxRepeats: 3, windowSeconds: 600 }],
  // A stolen key spends far more than the agent it belongs to used to.
  anomalies: [{ id: "far-above-usual", deviations: 6, minSamples: 10, respond: "deny" }],
};

/** What a careful agent lets an over-delegator do on its behalf. */
export const DELEGATED_SCOPE = { actions: ["shop.*"] };
export const DELEGATED_BUDGET = 40_000;

export interface SimulatedAgent {
  id: string;
  name: string;
  archetype: Archetype;
  /** Position among the agents, for its own random stream. */
  index: number;
  key: string;
  /** Merchants this agent normally buys from. */
  merchants: string[];
  /** For an over-delegator: the delegation a careful agent granted it. */
  delegationId: string | null;
}

export interface SimulatedWorld {
  organizationId: string;
  /** The scripted reviewer who answers approvals. */
  reviewerId: string;
  agents: SimulatedAgent[];
}

const MERCHANTS = ["office-depot", "aws", "hetzner", "github", "figma", "notion", "stripe-atlas", "linear", "vercel", "datadog"];

/** An existing organization to simulate in (the demo's): who owns the simulated agents, who reviews their approvals. */
export interface SimulationHome {
  organizationId: string;
  ownerId: string;
  reviewerId: string;
}

async function freshOrganization(db: Db) {
  const organization = await organizationFixture(db, { name: "Traffic simulation" });
  const admin = await userFixture(db, organization.id, { role: "admin", name: "Simulation admin" });
  const reviewer = await userFixture(db, organization.id, { role: "reviewer", name: "Scripted reviewer" });
  return { organization, admin, reviewer };
}

/**
 * A fresh organization for one simulation (or `into` an existing one): an admin who owns the agents, a reviewer,
 * `perArchetype` agents of each archetype (tagged `simulated` and their archetype) with a key
 * each, the simulation policy published, and one delegation from the i-th careful agent to the
 * i-th over-delegator. Publishing is left to the caller, after the first trust scores.
 */
export async function createSimulatedWorld(db: Db, { perArchetype, now, into }: { perArchetype: number; now: Date; into?: SimulationHome }): Promise<SimulatedWorld> {
  const { organization, admin, reviewer } = into
    ? { organization: { id: into.organizationId }, admin: { id: into.ownerId, organizationId: into.organizationId }, reviewer: { id: into.reviewerId } }
    : await freshOrganization(db);
  await publishedPolicyFixture(db, organization.id, SIMULATION_POLICY, now);

  const simulated: SimulatedAgent[] = [];
  for (const archetype of ARCHETYPES) {
    for (let n = 1; n <= perArchetype; n++) {
      const index = simulated.length;
      const agent = await agentFixture(db, admin, { name: `${archetype}-${n}`, tags: ["simulated", archetype], createdAt: now });
      const issued = issueAgentKey();
      await db.insert(apiKeys).values({ organizationId: organization.id, agentId: agent.id, prefix: issued.prefix, hash: issued.hash, name: "simulation" });
      const merchants = Array.from({ length: 4 }, (_, m) => MERCHANTS[(index * 3 + m) % MERCHANTS.length]!);
      simulated.push({ id: agent.id, name: agent.name, archetype, index, key: issued.key, merchants, delegationId: null });
    }
  }
  const careful = simulated.filter((agent) => agent.archetype === "careful");
  for (const [n, delegate] of simulated.filter((agent) => agent.archetype === "over-delegator").entries()) {
    const [row] = await db
      .insert(delegations)
      .values({
        organizationId: organization.id,
        delegatorAgentId: careful[n]!.id,
        delegateAgentId: delegate.id,
        scope: DELEGATED_SCOPE,
        budgetAmount: DELEGATED_BUDGET,
        budgetCurrency: CURRENCY,
        expiresAt: new Date(now.getTime() + 30 * 24 * 60 * 60 * 1000),
        createdByUserId: admin.id,
      })
      .returning({ id: delegations.id });
    delegate.delegationId = row!.id;
  }
  return { organizationId: organization.id, reviewerId: reviewer.id, agents: simulated };
}
