import { count, desc, eq, max } from "drizzle-orm";
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
export const workerPage = pageOf(workerSummary).extend({
  /** The newest snapshot compiled for the organization, so a lagging worker stands out. */
  latestSnapshotVersion: z.number().int().nullable(),
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
  const [{ latest } = { latest: null }] = await ctx.db
    .select({ latest: max(snapshots.version) })
    .from(snapshots)
    .where(eq(snapshots.organizationId, ctx.session.organizationId));
  return { items, page: input.page, pageSize: input.pageSize, total, latestSnapshotVersion: latest };
}
