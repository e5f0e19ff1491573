import { and, count, desc, eq, sql } from "drizzle-orm";
import { agents, agentSessions, decisions, SESSION_CHANNEL, sessionStatus, type SessionNotice } from "@tollgate/db";
import { z } from "zod";
import type { Action } from "../context";
import { recordUserAudit } from "../audit/chain";
import { NotFound } from "../errors";
import { isoTime, pageInput, pageOf, rowsOf } from "./wire";

export const listSessionsInput = pageInput;

export const sessionSummary = z.object({
  id: z.uuid(),
  externalId: z.string(),
  agent: z.object({ id: z.uuid(), name: z.string() }),
  status: z.enum(sessionStatus.enumValues),
  trippedReason: z.string().nullable(),
  decisionCount: z.number().int(),
  startedAt: isoTime,
  lastSeenAt: isoTime,
});
export const sessionPage = pageOf(sessionSummary);

/** The organization's agent sessions, most recently active first, with how many decisions each made. */
export async function listSessions({ ctx, input }: Action<z.infer<typeof listSessionsInput>>) {
  const where = eq(agentSessions.organizationId, ctx.session.organizationId);
  const { limit, offset } = rowsOf(input);
  const items = await ctx.db
    .select({
      id: agentSessions.id,
      externalId: agentSessions.externalId,
      agent: { id: agents.id, name: agents.name },
      status: agentSessions.status,
      trippedReason: agentSessions.trippedReason,
      decisionCount: sql<number>`(select count(*) from ${decisions} where ${decisions.organizationId} = ${agentSessions.organizationId} and ${decisions.sessionId} = ${agentSessions.id})`.mapWith(Number),
      startedAt: agentSessions.startedAt,
      lastSeenAt: agentSessions.lastSeenAt,
    })
    .from(agentSessions)
    .innerJoin(agents, and(eq(agents.organizationId, agentSessions.organizationId), eq(agents.id, agentSessions.agentId)))
    .where(where)
    .orderBy(desc(agentSessions.lastSeenAt), desc(agentSessions.id))
    .limit(limit)
    .offset(offset);
  const [{ total } = { total: 0 }] = await ctx.db.select({ total: count() }).from(agentSessions).where(where);
  return { items, page: input.page, pageSize: input.pageSize, total };
}

export const resetSessionInput = z.object({ id: z.uuid({ error: "must be a session id" }) });
export const resetSessionOutput = z.object({ id: z.uuid(), status: z.enum(sessionStatus.enumValues) });

/**
 * Closes a session's tripped circuit breaker, so its agent may call again, and tells every
 * worker at once. Only a person can do this: a loop must not reset its own breaker.
 */
export async function resetSession({ ctx, input }: Action<z.infer<typeof resetSessionInput>>) {
  return ctx.db.transaction(async (tx) => {
    const [before] = await tx
      .select({ status: agentSessions.status, trippedAt: agentSessions.trippedAt, trippedReason: agentSessions.trippedReason })
      .from(agentSessions)
      .where(and(eq(agentSessions.id, input.id), eq(agentSessions.organizationId, ctx.session.organizationId)));
    const [session] = await tx
      .update(agentSessions)
      .set({ status: "open", trippedAt: null, trippedReason: null })
      .where(and(eq(agentSessions.id, input.id), eq(agentSessions.organizationId, ctx.session.organizationId)))
      .returning({ id: agentSessions.id, status: agentSessions.status, agentId: agentSessions.agentId, externalId: agentSessions.externalId });
    if (!session || !before) throw new NotFound("session", input.id);
    await recordUserAudit(tx, ctx.session, {
      action: "session.reset",
      targetType: "session",
      targetId: session.id,
      before: { ...before, trippedAt: before.trippedAt?.toISOString() ?? null },
      after: { status: "open", trippedAt: null, trippedReason: null },
      createdAt: new Date(),
    });
    const notice: SessionNotice = { agentId: session.agentId, sessionId: session.externalId, status: "open" };
    await tx.execute(sql`select pg_notify(${SESSION_CHANNEL}, ${JSON.stringify(notice)})`);
    return { id: session.id, status: session.status };
  });
}
