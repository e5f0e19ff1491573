import { and, count, desc, eq, gte, like, lt, type SQL } from "drizzle-orm";
import { actorKind, auditEvents, users } from "@tollgate/db";
import { z } from "zod";
import { verifyAuditChain } from "../audit/chain";
import type { Action } from "../context";
import { isoTime, pageInput, pageOf, rowsOf } from "./wire";

/** What the audit log can be narrowed to: an action (or its prefix, e.g. `agent.`), and a time range. */
export const auditFilter = z.object({
  action: z
    .string()
    .trim()
    .max(64, { error: "must be at most 64 characters" })
    .regex(/^[a-z_.]*$/, { error: "must be an action name such as agent.suspend, or its start such as agent." })
    .optional(),
  from: z.iso.datetime({ offset: true, error: "must be a date and time, e.g. 2026-11-24T00:00:00Z" }).optional(),
  to: z.iso.datetime({ offset: true, error: "must be a date and time, e.g. 2026-11-24T00:00:00Z" }).optional(),
});
export type AuditFilter = z.infer<typeof auditFilter>;

export const listAuditEventsInput = pageInput.extend(auditFilter.shape);

export const auditEventSummary = z.object({
  id: z.number().int(),
  action: z.string(),
  actor: z.object({ kind: z.enum(actorKind.enumValues), userId: z.uuid().nullable(), name: z.string().nullable() }),
  targetType: z.string(),
  targetId: z.string(),
  createdAt: isoTime,
  /** The target as it was before the change and after it (null where it did not exist). */
  before: z.unknown(),
  after: z.unknown(),
});
export const auditEventPage = pageOf(auditEventSummary);

/** The most rows one export carries; a larger log is exported a time range at a time. */
export const AUDIT_EXPORT_LIMIT = 10_000;
export const auditExport = z.object({ items: z.array(auditEventSummary), truncated: z.boolean() });

function filtered(organizationId: string, filter: AuditFilter): SQL {
  const conditions: SQL[] = [eq(auditEvents.organizationId, organizationId)];
  // `_` is a LIKE wildcard and action names contain it: matched literally.
  if (filter.action) conditions.push(like(auditEvents.action, `${filter.action.replace(/_/g, "\\_")}%`));
  if (filter.from) conditions.push(gte(auditEvents.createdAt, new Date(filter.from)));
  if (filter.to) conditions.push(lt(auditEvents.createdAt, new Date(filter.to)));
  return and(...conditions)!;
}

/** The organization's audit events matching `where`, newest first. */
async function readAuditEvents(ctx: Action["ctx"], where: SQL, limit: number, offset: number) {
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
      before: auditEvents.before,
      after: auditEvents.after,
    })
    .from(auditEvents)
    .leftJoin(users, and(eq(users.organizationId, auditEvents.organizationId), eq(users.id, auditEvents.actorUserId)))
    .where(where)
    .orderBy(desc(auditEvents.id))
    .limit(limit)
    .offset(offset);
  return rows.map(({ actorKind, actorUserId, actorName, ...event }) => ({
    ...event,
    actor: { kind: actorKind, userId: actorUserId, name: actorName },
  }));
}

/** The filtered audit log for a spreadsheet, up to AUDIT_EXPORT_LIMIT rows (`truncated` says if there were more). */
export async function exportAuditEvents({ ctx, input }: Action<AuditFilter>) {
  const items = await readAuditEvents(ctx, filtered(ctx.session.organizationId, input), AUDIT_EXPORT_LIMIT + 1, 0);
  return { items: items.slice(0, AUDIT_EXPORT_LIMIT), truncated: items.length > AUDIT_EXPORT_LIMIT };
}

/** The organization's audit log, newest first, narrowed by the filter. */
export async function listAuditEvents({ ctx, input }: Action<z.infer<typeof listAuditEventsInput>>) {
  const { page, pageSize, ...filter } = input;
  const where = filtered(ctx.session.organizationId, filter);
  const { limit, offset } = rowsOf(input);
  const items = await readAuditEvents(ctx, where, limit, offset);
  const [{ total } = { total: 0 }] = await ctx.db.select({ total: count() }).from(auditEvents).where(where);
  return { items, page, pageSize, total };
}

export const auditChainCheck = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), checked: z.number().int() }),
  z.object({ ok: z.literal(false), checked: z.number().int(), brokenAt: z.number().int(), problem: z.string() }),
]);

/** Recomputes the organization's audit hash chain: a row edited or deleted after the fact is named. */
export async function verifyAuditLog({ ctx }: Action) {
  return verifyAuditChain(ctx.db, ctx.session.organizationId);
}
