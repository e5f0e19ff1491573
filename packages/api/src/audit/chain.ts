import { auditEvents, organizations, type Db } from "@tollgate/db";
import { contentHash } from "@tollgate/policy";
import { asc, desc, eq } from "drizzle-orm";

type AuditRow = typeof auditEvents.$inferSelect;

/** An admin change: who (a user, an API token, the system), what, on which thing, before and after. */
export interface AuditEntry {
  organizationId: string;
  actorKind: AuditRow["actorKind"];
  actorUserId: string | null;
  action: string;
  targetType: string;
  targetId: string;
  before: unknown;
  after: unknown;
  createdAt: Date;
}

/** A user of the organization who made a change, in the console or through their API token. */
export interface UserActor {
  organizationId: string;
  userId: string;
}

/** Appends the entry of a change `actor` made (see recordAudit). */
export function recordUserAudit(tx: Db, actor: UserActor, entry: Omit<AuditEntry, "organizationId" | "actorKind" | "actorUserId">): Promise<void> {
  return recordAudit(tx, { ...entry, organizationId: actor.organizationId, actorKind: "user", actorUserId: actor.userId });
}

/**
 * Records a user's changes to one kind of thing: `userAuditOf("policy")(tx, actor, "policy.published", id, before, after, at)`.
 * For actions that write several entries of the same kind.
 */
export const userAuditOf =
  (targetType: string) =>
  (tx: Db, actor: UserActor, action: string, targetId: string, before: unknown, after: unknown, createdAt: Date): Promise<void> =>
    recordUserAudit(tx, actor, { action, targetType, targetId, before, after, createdAt });

/** The hash that links an entry to the one before it: editing or deleting any row breaks the chain after it. */
function linkHash(entry: AuditEntry, prevHash: string | null): string {
  return contentHash({
    prevHash,
    organizationId: entry.organizationId,
    actorKind: entry.actorKind,
    actorUserId: entry.actorUserId,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    before: entry.before ?? null,
    after: entry.after ?? null,
    createdAt: entry.createdAt.toISOString(),
  });
}

/**
 * Appends an entry to the organization's hash-chained audit log, inside the caller's transaction
 * so the change and its record commit together. Appends of one organization are serialized on its
 * row, so two changes never link to the same predecessor.
 */
export async function recordAudit(tx: Db, entry: AuditEntry): Promise<void> {
  // Serializes the organization's chain. Not FOR UPDATE: that would also wait for (and deadlock
  // with) the key-share locks every insert referencing the organization takes, such as a vote.
  await tx.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, entry.organizationId)).for("no key update");
  const [last] = await tx
    .select({ hash: auditEvents.hash })
    .from(auditEvents)
    .where(eq(auditEvents.organizationId, entry.organizationId))
    .orderBy(desc(auditEvents.id))
    .limit(1);
  const prevHash = last?.hash ?? null;
  await tx.insert(auditEvents).values({ ...entry, before: entry.before ?? null, after: entry.after ?? null, prevHash, hash: linkHash(entry, prevHash) });
}

export type ChainCheck = { ok: true; checked: number } | { ok: false; checked: number; brokenAt: number; problem: string };

/** Walks the organization's audit log from the start and reports the first row whose link does not hold. */
export async function verifyAuditChain(db: Db, organizationId: string): Promise<ChainCheck> {
  const rows = await db.select().from(auditEvents).where(eq(auditEvents.organizationId, organizationId)).orderBy(asc(auditEvents.id));
  let prevHash: string | null = null;
  for (const [index, row] of rows.entries()) {
    if (row.prevHash !== prevHash) {
      return { ok: false, checked: index, brokenAt: row.id, problem: `entry ${row.id} does not follow the entry before it (one was deleted or inserted)` };
    }
    if (row.hash !== linkHash(row, prevHash)) {
      return { ok: false, checked: index, brokenAt: row.id, problem: `entry ${row.id} was changed after it was written` };
    }
    prevHash = row.hash;
  }
  return { ok: true, checked: rows.length };
}
