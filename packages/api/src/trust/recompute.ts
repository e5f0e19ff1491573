import { agents, agentSessions, approvals, decisions, reservations, trustScoreHistory, trustScores, type Db } from "@tollgate/db";
import { noSignals, trustScore, type TrustSignals } from "@tollgate/trust";
import { and, count, eq, inArray, isNotNull, sql } from "drizzle-orm";
import { ANOMALY_APPROVAL_CODE, DENIAL_CODES } from "./families";

const DAY_MS = 24 * 60 * 60 * 1000;

/** Counts each agent's behaviour from the decision log, holds, approvals and sessions. */
export async function readTrustSignals(db: Db, organizationId: string, now: Date): Promise<Map<string, TrustSignals>> {
  const firstCode = sql`${decisions.reasons} -> 0 ->> 'code'`;
  const denied = sql`${decisions.outcome} = 'deny'`;
  const [agentRows, denialRows, commitRows, approvalRows, tripRows] = await Promise.all([
    db.select({ id: agents.id, createdAt: agents.createdAt }).from(agents).where(eq(agents.organizationId, organizationId)),
    db
      .select({
        agentId: decisions.agentId,
        budget: sql<number>`count(*) filter (where ${denied} and ${firstCode} in ${DENIAL_CODES.envelope})`.mapWith(Number),
        loops: sql<number>`count(*) filter (where ${denied} and ${firstCode} in ${DENIAL_CODES.loop})`.mapWith(Number),
        deniedAnomalies: sql<number>`count(*) filter (where ${denied} and ${firstCode} in ${DENIAL_CODES.anomaly})`.mapWith(Number),
        heldAnomalies: sql<number>`count(*) filter (where ${decisions.outcome} = 'pending' and ${decisions.reasons} @> ${JSON.stringify([{ code: ANOMALY_APPROVAL_CODE }])}::jsonb)`.mapWith(Number),
        all: sql<number>`count(*) filter (where ${denied})`.mapWith(Number),
      })
      .from(decisions)
      .where(and(eq(decisions.organizationId, organizationId), inArray(decisions.outcome, ["deny", "pending"])))
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
  for (const row of denialRows) {
    update(row.agentId, {
      budgetExhaustions: row.budget,
      loopTrips: row.loops,
      anomalies: row.deniedAnomalies + row.heldAnomalies,
      policyDenials: row.all - row.budget - row.loops - row.deniedAnomalies,
    });
  }
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
