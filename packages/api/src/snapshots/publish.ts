import { organizations, SNAPSHOT_CHANNEL, signingKeys, snapshots, type Db, type SnapshotNotice } from "@tollgate/db";
import { compileSnapshot, generateSigningKey, type LintWarning, type ValidationError } from "@tollgate/policy";
import { and, desc, eq, isNull, max, sql } from "drizzle-orm";
import { Conflict } from "../errors";
import { readOrganizationState } from "./organization-state";

export type PublishResult =
  | { ok: true; version: number; contentHash: string; warnings: readonly LintWarning[] }
  | { ok: false; errors: readonly ValidationError[]; warnings: readonly LintWarning[] };

/** The organization's current key for `purpose`, made on first use. Keys carry their id, so they can rotate. */
async function activeSigningKey(db: Db, organizationId: string, purpose: "snapshot" | "receipt") {
  const [key] = await db
    .select()
    .from(signingKeys)
    .where(and(eq(signingKeys.organizationId, organizationId), eq(signingKeys.purpose, purpose), isNull(signingKeys.retiredAt)))
    .orderBy(desc(signingKeys.createdAt))
    .limit(1);
  if (key) return key;
  const fresh = generateSigningKey();
  const [created] = await db
    .insert(signingKeys)
    .values({ id: fresh.keyId, organizationId, purpose, publicKey: fresh.publicKey, privateKey: fresh.privateKey })
    .returning();
  return created!;
}

/**
 * Compiles the organization's current state into the next snapshot version, stores it and tells
 * the workers. Refuses with the compiler's errors, changing nothing, when the state does not
 * compile. Publishes for one organization are serialized on its row, so versions never collide.
 *
 * @example await publishSnapshot({ db, organizationId, cause: "policy.publish", now: new Date() })
 */
export async function publishSnapshot({
  db,
  organizationId,
  cause,
  now,
}: {
  db: Db;
  organizationId: string;
  cause: string;
  now: Date;
}): Promise<PublishResult> {
  return db.transaction(async (tx) => {
    await tx.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, organizationId)).for("update");
    const [{ latest } = { latest: 0 }] = await tx
      .select({ latest: max(snapshots.version) })
      .from(snapshots)
      .where(eq(snapshots.organizationId, organizationId));
    const version = (latest ?? 0) + 1;
    const key = await activeSigningKey(tx, organizationId, "snapshot");
    // Workers sign decision receipts with this one; made here so every served snapshot has one.
    await activeSigningKey(tx, organizationId, "receipt");
    const state = await readOrganizationState(tx, organizationId, now);
    const result = compileSnapshot(state, {
      version,
      issuedAt: now.toISOString(),
      signingKey: { keyId: key.id, privateKey: key.privateKey },
    });
    if (!result.ok) return { ok: false, errors: result.errors, warnings: result.warnings };
    await tx.insert(snapshots).values({
      organizationId,
      version,
      contentHash: result.snapshot.hash,
      keyId: key.id,
      document: result.snapshot,
      cause,
      createdAt: now,
    });
    const notice: SnapshotNotice = { organizationId, version };
    // Delivered on commit, so a worker that hears it can read the row.
    await tx.execute(sql`select pg_notify(${SNAPSHOT_CHANNEL}, ${JSON.stringify(notice)})`);
    return { ok: true, version, contentHash: result.snapshot.hash, warnings: result.warnings };
  });
}

/**
 * Publishes the snapshot that carries a change just made in `tx`, so running workers apply it
 * within a second of commit. A state that no longer compiles refuses the change: it is rolled
 * back with the compiler's errors rather than stored where no worker would ever see it.
 */
export async function publishChange(tx: Db, organizationId: string, cause: string): Promise<number> {
  const published = await publishSnapshot({ db: tx, organizationId, cause, now: new Date() });
  if (!published.ok) {
    throw new Conflict(`The change was not applied: the organization's policies no longer compile (${published.errors.map((error) => error.message).join("; ")}).`);
  }
  return published.version;
}
