import { APPROVAL_CHANNEL, approvalGrants, MAX_GRANT_MINUTES, type ApprovalNotice, type Database } from "@tollgate/db";
import { and, gt, lt, max } from "drizzle-orm";

/**
 * Which agents may have a reviewer's standing grant ("and up to X more in this session"), so a
 * pending decision asks PostgreSQL for one (`drawStandingGrant`) only when it could find one.
 * Loaded at start, then kept by the approval notices: an approval settled as approved may have
 * come with a grant, so its agent counts until the longest grant it could carry has ended.
 * Open it before the approval waiters, so a long-poll woken by an approval finds its agent here.
 * It errs one way only: an agent it names may have no grant left (the UPDATE finds none).
 */
export async function openStandingGrants(database: Database, now: () => Date) {
  const until = new Map<string, number>();
  const note = (agentId: string, endsAtMs: number) => until.set(agentId, Math.max(until.get(agentId) ?? 0, endsAtMs));
  const unlisten = await database.listen(APPROVAL_CHANNEL, (payload) => {
    const notice = JSON.parse(payload) as ApprovalNotice;
    if (notice.status === "approved") note(notice.agentId, now().getTime() + MAX_GRANT_MINUTES * 60_000);
  });
  // After the LISTEN, so a grant given meanwhile is heard or read, never missed.
  const live = await database.db
    .select({ agentId: approvalGrants.agentId, endsAt: max(approvalGrants.expiresAt) })
    .from(approvalGrants)
    .where(and(gt(approvalGrants.expiresAt, now()), lt(approvalGrants.used, approvalGrants.amount)))
    .groupBy(approvalGrants.agentId);
  for (const { agentId, endsAt } of live) if (endsAt) note(agentId, endsAt.getTime());

  return {
    /** Whether `agentId` may hold a live standing grant. */
    mayCover(agentId: string): boolean {
      const endsAt = until.get(agentId);
      if (endsAt === undefined) return false;
      if (endsAt > now().getTime()) return true;
      until.delete(agentId);
      return false;
    },
    close: () => unlisten(),
  };
}

export type StandingGrants = Awaited<ReturnType<typeof openStandingGrants>>;
