import { and, count, desc, eq, gte, sql } from "drizzle-orm";
import { snapshots, workers, workerSnapshots } from "@tollgate/db";
import { z } from "zod";
import type { Action } from "../context";
import { isoTime, pageInput, pageOf, rowsOf } from "./wire";

export const listWorkersInput = pageInput;

export const workerSummary = z.object({
  id: z.string(),
  host: z.string(),
  version: z.string(),
  /** The organization's snapshot version this worker serves. */
  snapshotVersion: z.number().int(),
  snapshotLoadedAt: isoTime,
  startedAt: isoTime,
  heartbeatAt: isoTime,
});
/** A worker that has not heartbeated for this long is taken for dead in the propagation figures. */
export const LIVE_WORKER_MS = 30_000;

export const workerPage = pageOf(workerSummary).extend({
  /** The newest snapshot compiled for the organization, so a lagging worker stands out. */
  latestSnapshotVersion: z.number().int().nullable(),
  /** How far the newest snapshot has spread: "3 of 3 live workers on v42, slowest after 180 ms". */
  propagation: z
    .object({
      version: z.number().int(),
      cause: z.string(),
      publishedAt: isoTime,
      liveWorkers: z.number().int(),
      workersOnVersion: z.number().int(),
      /** Publish to the slowest live worker serving it; null until one does. */
      slowestMs: z.number().int().nullable(),
    })
    .nullable(),
});

/**
 * The decision workers serving the organization (those that loaded one of its snapshots),
 * most recent heartbeat first. Workers serving only other organizations stay invisible.
 */
export async function listWorkers({ ctx, input }: Action<z.infer<typeof listWorkersInput>>) {
  const where = eq(workerSnapshots.organizationId, ctx.session.organizationId);
  const { limit, offset } = rowsOf(input);
  const items = await ctx.db
    .select({
      id: workers.id,
      host: workers.host,
      version: workers.version,
      snapshotVersion: workerSnapshots.snapshotVersion,
      snapshotLoadedAt: workerSnapshots.loadedAt,
      startedAt: workers.startedAt,
      heartbeatAt: workers.heartbeatAt,
    })
    .from(workerSnapshots)
    .innerJoin(workers, eq(workers.id, workerSnapshots.workerId))
    .where(where)
    .orderBy(desc(workers.heartbeatAt), desc(workers.id))
    .limit(limit)
    .offset(offset);
  const [{ total } = { total: 0 }] = await ctx.db.select({ total: count() }).from(workerSnapshots).where(where);
  const [latest] = await ctx.db
    .select({ version: snapshots.version, cause: snapshots.cause, publishedAt: snapshots.createdAt })
    .from(snapshots)
    .where(eq(snapshots.organizationId, ctx.session.organizationId))
    .orderBy(desc(snapshots.version))
    .limit(1);
  if (!latest) return { items, page: input.page, pageSize: input.pageSize, total, latestSnapshotVersion: null, propagation: null };
  const [spread] = await ctx.db
    .select({
      liveWorkers: count(),
      workersOnVersion: sql<number>`count(*) filter (where ${workerSnapshots.snapshotVersion} >= ${latest.version})`.mapWith(Number),
      slowestMs: sql<number | null>`max(extract(epoch from ${workerSnapshots.loadedAt} - ${latest.publishedAt.toISOString()}::timestamptz) * 1000) filter (where ${workerSnapshots.snapshotVersion} = ${latest.version})`.mapWith((value) => (value === null ? null : Math.max(0, Math.round(Number(value))))),
    })
    .from(workerSnapshots)
    .innerJoin(workers, eq(workers.id, workerSnapshots.workerId))
    .where(and(where, gte(workers.heartbeatAt, new Date(Date.now() - LIVE_WORKER_MS))));
  return {
    items,
    page: input.page,
    pageSize: input.pageSize,
    total,
    latestSnapshotVersion: latest.version,
    propagation: { ...latest, liveWorkers: spread?.liveWorkers ?? 0, workersOnVersion: spread?.workersOnVersion ?? 0, slowestMs: spread?.slowestMs ?? null },
  };
}
