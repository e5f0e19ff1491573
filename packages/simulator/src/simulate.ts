import { publishSnapshot, recomputeTrustScores } from "@tollgate/api";
import type { Db } from "@tollgate/db";
import { SCRIPTS } from "./archetypes";
import { Random } from "./random";
import { buildReport, type SimulationReport, type Trajectory } from "./report";
import { agentClient, agentSession, scriptedReviewer, type CallRecord } from "./traffic";
import { createSimulatedWorld, type SimulatedWorld, type SimulationHome } from "./world";

export interface SimulationOptions {
  db: Db;
  /** A running decision worker that follows `db`'s snapshots. */
  workerUrl: string;
  sessions: number;
  seed: number;
  /** Agents of each archetype (default 2). */
  perArchetype?: number;
  /** Simulate in this organization (the demo's) rather than a fresh one. */
  into?: SimulationHome;
}

/** Waits until the worker serves `version` of the organization's snapshot, as its /healthz reports. */
async function servedBy(workerUrl: string, organizationId: string, version: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const health = (await (await fetch(`${workerUrl}/healthz`)).json()) as { snapshots: Record<string, number> };
    if ((health.snapshots[organizationId] ?? 0) >= version) return;
    if (Date.now() > deadline) throw new Error(`the worker at ${workerUrl} did not load snapshot ${version} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Recomputes every agent's trust score and publishes the snapshot that carries them; resolves once the worker serves it. */
async function publishScores(db: Db, workerUrl: string, world: SimulatedWorld, cause: string): Promise<Map<string, number>> {
  const now = new Date();
  const scores = await recomputeTrustScores(db, world.organizationId, now);
  const published = await publishSnapshot({ db, organizationId: world.organizationId, cause, now });
  if (!published.ok) throw new Error(`the simulation's snapshot does not compile: ${published.errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`);
  await servedBy(workerUrl, world.organizationId, published.version);
  return scores;
}

/**
 * Runs `sessions` sessions of every archetype against the real worker, in a fresh organization
 * (or `into` an existing one).
 * Agents run side by side within a session, each from its own seeded stream, so the traffic is
 * the same on every run; after each session the trust scores are recomputed and published, so
 * the next session is decided with them (a low score sends every call to a reviewer).
 */
export async function simulateTraffic({ db, workerUrl, sessions, seed, perArchetype = 2, into }: SimulationOptions): Promise<SimulationReport> {
  const world = await createSimulatedWorld(db, { perArchetype, now: new Date(), into });
  const reviewer = scriptedReviewer(db, world);
  const calls: CallRecord[] = [];
  const first = await publishScores(db, workerUrl, world, "simulation.start");
  const trajectories: Trajectory[] = world.agents.map((agent) => ({ archetype: agent.archetype, agent: agent.name, scores: [first.get(agent.id)!] }));

  for (let session = 1; session <= sessions; session++) {
    await Promise.all(
      world.agents.map((agent) => {
        const call = agentSession({ gate: agentClient(agent, workerUrl), agent, session, reviewer, record: (record) => calls.push(record) });
        const random = new Random(seed * 1_000_003 + agent.index * 1_009 + session);
        return SCRIPTS[agent.archetype]({ agent, session, random, call });
      }),
    );
    const scores = await publishScores(db, workerUrl, world, "simulation.session");
    for (const [index, agent] of world.agents.entries()) trajectories[index]!.scores.push(scores.get(agent.id)!);
  }
  return buildReport({ organizationId: world.organizationId, seed, sessions, calls, trajectories });
}
