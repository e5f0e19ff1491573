import { and, count, desc, eq } from "drizzle-orm";
import { actorKind, auditEvents, users } from "@tollgate/db";
import { z } from "zod";
import { verifyAuditChain } from "../audit/chain";
import type { Action } from "../context";
import { isoTime, pageInput, pageOf, rowsOf } from "./wire";

export const listAuditEventsInput = pageInput;

export const auditEventSummary = z.object({
  id: z.number().int(),
  action: z.string(),
  actor: z.object({ kind: z.enum(actorKind.enumValues), userId: z.uuid().nullable(), name: z.string().nullable() }),
  targetType: z.string(),
  targetId: z.string(),
  createdAt: isoTime,
});
export const auditEventPage = pageOf(auditEventSummary);

/** The organization's audit log, newest first. */
export async function listAuditEvents({ ctx, input }: Action<z.infer<typeof listAuditEventsInput>>) {
  const where = eq(auditEvents.organizationId, ctx.session.organizationId);
  const { limit, offset } = rowsOf(input);
  const rows = await ctx.db
    .select({
      id: auditEvents.id,
      action: auditEvents.action,
      actorKind: auditEvents.actorKind,
      actorUserId: auditEvents.actorUserId,
      actorName: users.name,
      targetType: auditEvents.targetType,
      targetId: auditEvents.targetId,
      createdAt: auditEvents.createdAt,
    })
    .from(auditEvents)
    .leftJoin(users, and(eq(users.organizationId, auditEvents.organizationId), eq(users.id, auditEvents.actorUserId)))
    .where(where)
    .orderBy(desc(auditEvents.id))
    .limit(limit)
    .offset(offset);
  const [{ total } = { total: 0 }] = await ctx.db.select({ total: count() }).from(auditEvents).where(where);
  const items = rows.map(({ actorKind, actorUserId, actorName, ...event }) => ({
    ...event,
    actor: { kind: actorKind, userId: actorUserId, name: actorName },
  }));
  return { items, page: input.page, pageSize: input.pageSize, total };
}

export const auditChainCheck = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), checked: z.number().int() }),
  z.object({ ok: z.literal(false), checked: z.number().int(), brokenAt: z.number().int(), problem: z.string() }),
]);

/** Recomputes the organization's audit hash chain: a row edited or deleted after the fact is named. */
export async function verifyAuditLog({ ctx }: Action) {
  return verifyAuditChain(ctx.db, ctx.session.organizationId);
}
