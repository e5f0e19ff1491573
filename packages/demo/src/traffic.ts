import { users, type Db } from "@tollgate/db";
import { simulateTraffic, type SimulationReport } from "@tollgate/simulator";
import { and, eq } from "drizzle-orm";
import { DEMO_SEED } from "./seed";

/** Sessions the first start plays: enough for every misbehaving archetype to fall below the careful one. */
export const DEMO_SESSIONS = 5;

/**
 * Plays the traffic simulator's archetypes (one agent each, owned by the demo admin, answered by
 * the demo reviewer) through the running worker into the demo organization. The seeded history is
 * written straight to the tables; this is real traffic, so the demo also has what only a worker
 * writes: envelopes to burn down, holds, receipts, trust scores moving session by session.
 */
export async function simulateDemoTraffic(db: Db, workerUrl: string, organizationId: string): Promise<SimulationReport> {
  const userOf = async (role: "admin" | "reviewer") =>
    (await db.select({ id: users.id }).from(users).where(and(eq(users.organizationId, organizationId), eq(users.role, role))).limit(1))[0]!;
  const [owner, reviewer] = await Promise.all([userOf("admin"), userOf("reviewer")]);
  return simulateTraffic({ db, workerUrl, sessions: DEMO_SESSIONS, seed: DEMO_SEED, perArchetype: 1, into: { organizationId, ownerId: owner.id, reviewerId: reviewer.id } });
}
