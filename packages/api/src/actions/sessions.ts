import { and, count, desc, eq, sql } from "drizzle-orm";
import { agents, agentSessions, decisions, sessionStatus } from "@tollgate/db";
import { z } from "zod";
import type { Action } from "../context";
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
