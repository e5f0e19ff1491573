import { hostname } from "node:os";
import {
  SNAPSHOT_CHANNEL,
  signingKeys,
  snapshots,
  workers,
  workerSnapshots,
  type Database,
  type SnapshotNotice,
} from "@tollgate/db";
import { loadSnapshot } from "@tollgate/policy";
import { and, desc, eq, isNull } from "drizzle-orm";
import type { SnapshotStore } from "./store";

export interface SnapshotSyncOptions {
  database: Database;
  store: SnapshotStore;
  workerId: string;
  version: string;
  /** How often to look for missed versions and prove the database is reachable. */
  pollMs: number;
  now: () => Date;
  log: (level: "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>) => void;
}

/**
 * Keeps `store` on the newest verified snapshot of every organization: loads them all at start,
 * follows NOTIFY for new versions, and polls as a safety net for missed notifications. A snapshot
 * that fails verification is logged and skipped; the last good one keeps serving.
 */
export async function startSnapshotSync(options: SnapshotSyncOptions): Promise<{ refresh: () => Promise<void>; stop: () => Promise<void> }> {
  const { database, store, workerId, now, log } = options;
  const { db } = database;

  await db
    .insert(workers)
    .values({ id: workerId, host: hostname(), version: options.version, startedAt: now(), heartbeatAt: now() })
    .onConflictDoUpdate({ target: workers.id, set: { host: hostname(), version: options.version, startedAt: now(), heartbeatAt: now() } });

  async function loadOrganization(organizationId: string, version: number): Promise<void> {
    const [row] = await db
      .select({ document: snapshots.document, keyId: snapshots.keyId })
      .from(snapshots)
      .where(and(eq(snapshots.organizationId, organizationId), eq(snapshots.version, version)));
    if (!row) return;
    // Only snapshot keys may vouch for a snapshot (receipt keys are in every worker's hands), and
    // a worker reads no snapshot key's private half.
    const snapshotKeys = await db
      .select({ id: signingKeys.id, publicKey: signingKeys.publicKey })
      .from(signingKeys)
      .where(and(eq(signingKeys.organizationId, organizationId), eq(signingKeys.purpose, "snapshot")));
    const loaded = loadSnapshot(row.document, Object.fromEntries(snapshotKeys.map((key) => [key.id, key.publicKey])));
    if (!loaded.ok) {
      log("error", "snapshot refused; still serving the last good one", { organizationId, version, error: loaded.error });
      return;
    }
    const [receipt] = await db
      .select({ keyId: signingKeys.id, privateKey: signingKeys.privateKey, publicKey: signingKeys.publicKey })
      .from(signingKeys)
      .where(and(eq(signingKeys.organizationId, organizationId), eq(signingKeys.purpose, "receipt"), isNull(signingKeys.retiredAt)))
      .orderBy(desc(signingKeys.createdAt))
      .limit(1);
    if (store.install(loaded.snapshot, receipt)) log("info", "snapshot loaded", { organizationId, version });
  }

  /** The version this worker last told the database it serves, per organization. */
  const reported = new Map<string, number>();
  async function report(organizationId: string, version: number): Promise<void> {
    await db
      .insert(workerSnapshots)
      .values({ workerId, organizationId, snapshotVersion: version, loadedAt: now() })
      .onConflictDoUpdate({
        target: [workerSnapshots.workerId, workerSnapshots.organizationId],
        set: { snapshotVersion: version, loadedAt: now() },
      });
    reported.set(organizationId, version);
  }

  let refreshing: Promise<void> | undefined;
  /** One pass over every organization's newest version; concurrent callers share the pass. */
  function refresh(): Promise<void> {
    refreshing ??= (async () => {
      try {
        const newest = await db
          .selectDistinctOn([snapshots.organizationId], { organizationId: snapshots.organizationId, version: snapshots.version })
          .from(snapshots)
          .orderBy(snapshots.organizationId, desc(snapshots.version));
        store.lastContactMs = now().getTime();
        const served = store.versions();
        // One organization's failure (deleted mid-pass, a failed write) must not keep the others
        // from loading; it is retried, load and report alike, on the next pass.
        for (const { organizationId, version } of newest) {
          try {
            if ((served[organizationId] ?? 0) < version) await loadOrganization(organizationId, version);
            const serving = store.forOrganization(organizationId)?.version;
            if (serving !== undefined && reported.get(organizationId) !== serving) await report(organizationId, serving);
          } catch (error) {
            log("warn", "an organization's snapshot failed to load; retrying on the next pass", { organizationId, version, error: String(error) });
          }
        }
        await db.update(workers).set({ heartbeatAt: now() }).where(eq(workers.id, workerId));
      } finally {
        refreshing = undefined;
      }
    })();
    return refreshing;
  }

  const safely = (work: Promise<void>) =>
    work.catch((error: unknown) => log("warn", "snapshot sync failed; serving the last good snapshots", { error: String(error) }));

  await refresh();
  const unlisten = await database.listen(SNAPSHOT_CHANNEL, (payload) => {
    const notice = JSON.parse(payload) as SnapshotNotice;
    if ((store.versions()[notice.organizationId] ?? 0) < notice.version) void safely(refresh());
  });
  const timer = setInterval(() => void safely(refresh()), options.pollMs);
  timer.unref();

  return {
    refresh,
    async stop() {
      clearInterval(timer);
      await refreshing?.catch(() => {});
      await unlisten().catch(() => {});
      await db.delete(workers).where(eq(workers.id, workerId)).catch(() => {});
    },
  };
}
