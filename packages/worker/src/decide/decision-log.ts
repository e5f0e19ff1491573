import { agentSessions, decisions, type Db } from "@tollgate/db";
import { and, eq, or, sql } from "drizzle-orm";
import { groupCommit, writeOrSplit } from "../budget/group-commit";

type DecisionRow = typeof decisions.$inferSelect;

/** A decision to log, with the client's session name (the table stores the session's row id). */
export interface DecisionEntry extends Omit<typeof decisions.$inferInsert, "sessionId"> {
  id: string;
  sessionExternalId: string;
}

/** Logged: this entry is the decision of record. Duplicate: another was logged first for its request id. */
export type LogResult = { kind: "logged" } | { kind: "duplicate"; first: DecisionRow } | { kind: "failed"; error: unknown };

interface Pending {
  entry: DecisionEntry;
  settle: (result: LogResult) => void;
}

/**
 * The decision log, written in group commits: every entry that arrives while a batch is being
 * written goes into the next one, so a busy worker pays one transaction for many decisions.
 * `record` resolves once the decision is durable (or known to be a duplicate), which is when the
 * worker may answer the client.
 */
export function openDecisionLog(db: Db, maxBatch = 500) {
  async function write(batch: Pending[]): Promise<void> {
    // Entries are settled after the transaction commits, never inside it: "logged" means durable.
    const settleAll = await db.transaction(async (tx) => {
      const sessionKeys = new Map<string, Pending["entry"]>();
      for (const { entry } of batch) sessionKeys.set(`${entry.agentId}\u0000${entry.sessionExternalId}`, entry);
      const sessions = await tx
        .insert(agentSessions)
        .values(
          [...sessionKeys.values()].map((entry) => ({
            organizationId: entry.organizationId,
            agentId: entry.agentId,
            externalId: entry.sessionExternalId,
            startedAt: entry.createdAt,
            lastSeenAt: entry.createdAt,
          })),
        )
        .onConflictDoUpdate({
          target: [agentSessions.agentId, agentSessions.externalId],
          set: { lastSeenAt: sql`greatest(${agentSessions.lastSeenAt}, excluded.last_seen_at)` },
        })
        .returning({ id: agentSessions.id, agentId: agentSessions.agentId, externalId: agentSessions.externalId });
      const sessionId = new Map(sessions.map((row) => [`${row.agentId}\u0000${row.externalId}`, row.id]));

      const inserted = await tx
        .insert(decisions)
        .values(
          batch.map(({ entry: { sessionExternalId, ...row } }) => ({
            ...row,
            sessionId: sessionId.get(`${row.agentId}\u0000${sessionExternalId}`),
          })),
        )
        .onConflictDoNothing({ target: [decisions.agentId, decisions.requestId] })
        .returning({ id: decisions.id });
      const logged = new Set(inserted.map((row) => row.id));
      const losers = batch.filter(({ entry }) => !logged.has(entry.id));
      const firsts =
        losers.length === 0
          ? []
          : await tx
              .select()
              .from(decisions)
              .where(or(...losers.map(({ entry }) => and(eq(decisions.agentId, entry.agentId), eq(decisions.requestId, entry.requestId)))));
      const firstOf = new Map(firsts.map((row) => [`${row.agentId}\u0000${row.requestId}`, row]));
      return () => {
        for (const pending of batch) {
          const first = firstOf.get(`${pending.entry.agentId}\u0000${pending.entry.requestId}`);
          pending.settle(logged.has(pending.entry.id) || !first ? { kind: "logged" } : { kind: "duplicate", first });
        }
      };
    });
    settleAll();
  }

  const queue = groupCommit<Pending>(
    (batch) => writeOrSplit(batch, write, (pending, error) => pending.settle({ kind: "failed", error })),
    maxBatch,
  );

  return {
    record(entry: DecisionEntry): Promise<LogResult> {
      return new Promise((settle) => queue.push({ entry, settle }));
    },
    drained: () => queue.drained(),
  };
}

export type DecisionLog = ReturnType<typeof openDecisionLog>;
