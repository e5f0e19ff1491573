import { agentSessions, SESSION_CHANNEL, type Database, type SessionNotice } from "@tollgate/db";
import { eq, sql } from "drizzle-orm";

const keyOf = (agentId: string, sessionId: string) => `${agentId}\u0000${sessionId}`;

/**
 * The circuit breaker of agent sessions: a session whose calls are denied `threshold` times in a
 * row trips, and stays tripped — on every worker — until a human resets it in the console. It
 * stops the retry loop that runs until the billing alert fires, even when each retry differs.
 */
export async function openSessionBreaker(database: Database, options: { threshold: number; now: () => Date }) {
  const { db } = database;
  const streaks = new Map<string, number>();
  const tripped = new Set<string>();

  for (const row of await db
    .select({ agentId: agentSessions.agentId, externalId: agentSessions.externalId })
    .from(agentSessions)
    .where(eq(agentSessions.status, "tripped"))) {
    tripped.add(keyOf(row.agentId, row.externalId));
  }
  const unlisten = await database.listen(SESSION_CHANNEL, (payload) => {
    const notice = JSON.parse(payload) as SessionNotice;
    const key = keyOf(notice.agentId, notice.sessionId);
    if (notice.status === "tripped") tripped.add(key);
    else {
      tripped.delete(key);
      streaks.delete(key);
    }
  });

  async function trip(organizationId: string, agentId: string, sessionId: string, denials: number): Promise<void> {
    const at = options.now();
    const reason = `${denials} denials in a row`;
    await db
      .insert(agentSessions)
      .values({ organizationId, agentId, externalId: sessionId, status: "tripped", trippedAt: at, trippedReason: reason, startedAt: at, lastSeenAt: at })
      .onConflictDoUpdate({
        target: [agentSessions.agentId, agentSessions.externalId],
        set: { status: "tripped", trippedAt: at, trippedReason: reason },
      });
    const notice: SessionNotice = { agentId, sessionId, status: "tripped" };
    await db.execute(sql`select pg_notify(${SESSION_CHANNEL}, ${JSON.stringify(notice)})`);
  }

  return {
    isTripped: (agentId: string, sessionId: string) => tripped.has(keyOf(agentId, sessionId)),

    /** Counts an outcome; trips the session (durably, before answering) when denials reach the threshold. */
    async record(organizationId: string, agentId: string, sessionId: string, outcome: "allow" | "deny" | "pending"): Promise<void> {
      const key = keyOf(agentId, sessionId);
      if (outcome !== "deny") {
        streaks.delete(key);
        return;
      }
      const denials = (streaks.get(key) ?? 0) + 1;
      streaks.set(key, denials);
      if (denials < options.threshold || tripped.has(key)) return;
      tripped.add(key);
      await trip(organizationId, agentId, sessionId, denials);
    },

    close: () => unlisten(),
  };
}

export type SessionBreaker = Awaited<ReturnType<typeof openSessionBreaker>>;
