import { agents, agentSessions, approvals, decisions, reservations, trustScoreHistory, trustScores, type Db } from "@tollgate/db";
import { noSignals, trustScore, type TrustSignals } from "@tollgate/trust";
import { and, count, eq, isNotNull, sql } from "drizzle-orm";

// Which deny reasons count as which kind of bad behaviour; the first reason of a deny decides.
const BUDGET_CODES = ["envelope_exhausted", "delegation_budget_exhausted"];
const LOOP_CODES = ["loop_detected", "velocity_exceeded", "session_tripped"];

const DAY_MS = 24 * 60 * 60 * 1000;

/** Counts each agent's behaviour from the decision log, holds, approvals and sessions. */
export async function readTrustSignals(db: Db, organizationId: string, now: Date): Promise<Map<string, TrustSignals>> {
  const firstCode = sql`${decisions.reasons} -> 0 ->> 'code'`;
  const [agentRows, denialRows, commitRows, approvalRows, tripRows] = await Promise.all([
    db.select({ id: agents.id, createdAt: agents.createdAt }).from(agents).where(eq(agents.organizationId, organizationId)),
    db
      .select({
        agentId: decisions.agentId,
        budget: sql<number>`count(*) filter (where ${firstCode} in ${BUDGET_CODES})`.mapWith(Number),
        loops: sql<number>`count(*) filter (where ${firstCode} in ${LOOP_CODES})`.mapWith(Number),
        all: count(),
      })
      .from(decisions)
      .where(and(eq(decisions.organizationId, organizationId), eq(decisions.outcome, "deny")))
      .groupBy(decisions.agentId),
    db
      .select({ agentId: reservations.agentId, n: count() })
      .from(reservations)
      .where(and(eq(reservations.organizationId, organizationId), eq(reservations.status, "committed")))
      .groupBy(reservations.agentId),
    db
      .select({
        agentId: approvals.agentId,
        granted: sql<number>`count(*) filter (where ${approvals.status} = 'approved')`.mapWith(Number),
        rejected: sql<number>`count(*) filter (where ${approvals.status} = 'denied')`.mapWith(Number),
      })
      .from(approvals)
      .where(eq(approvals.organizationId, organizationId))
      .groupBy(approvals.agentId),
    db
      .select({ agentId: agentSessions.agentId, n: count() })
      .from(agentSessions)
      .where(and(eq(agentSessions.organizationId, organizationId), isNotNull(agentSessions.trippedAt)))
      .groupBy(agentSessions.agentId),
  ]);
  const signals = new Map<string, TrustSignals>(
    agentRows.map((agent) => [agent.id, { ...noSignals, tenureDays: Math.max(0, Math.floor((now.getTime() - agent.createdAt.getTime()) / DAY_MS)) }]),
  );
  const update = (agentId: string, change: Partial<TrustSignals>) => {
    const current = signals.get(agentId);
    if (current) Object.assign(current, change);
  };
  for (const row of denialRows) update(row.agentId, { budgetExhaustions: row.budget, loopTrips: row.loops, policyDenials: row.all - row.budget - row.loops });
  for (const row of commitRows) update(row.agentId, { cleanCommits: row.n });
  for (const row of approvalRows) update(row.agentId, { approvalsGranted: row.granted, approvalsRejected: row.rejected });
  for (const row of tripRows) update(row.agentId, { breakerTrips: row.n });
  return signals;
}

/**
 * Recomputes every agent's trust score from what it did, stores it as the current score and in
 * its history. The next snapshot carries the new scores to the workers, where policies may
 * require approval below a band.
 */
export async function recomputeTrustScores(db: Db, organizationId: string, now: Date): Promise<Map<string, number>> {
  const signals = await readTrustSignals(db, organizationId, now);
  const rows = [...signals].map(([agentId, agentSignals]) => {
    const { score, reasons } = trustScore(agentSignals);
    return { organizationId, agentId, score, reasons, computedAt: now };
  });
  if (rows.length === 0) return new Map();
  await db.transaction(async (tx) => {
    await tx
      .insert(trustScores)
      .values(rows)
      .onConflictDoUpdate({
        target: trustScores.agentId,
        set: { score: sql`excluded.score`, reasons: sql`excluded.reasons`, computedAt: sql`excluded.computed_at` },
      });
    await tx.insert(trustScoreHistory).values(rows);
  });
  return new Map(rows.map((row) => [row.agentId, row.score]));
}
