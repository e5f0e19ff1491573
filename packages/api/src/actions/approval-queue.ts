import { agents, agentSessions, APPROVAL_CHANNEL, approvals, approvalVotes, decisions, organizations, trustScores, users, type ApprovalNotice } from "@tollgate/db";
import { and, asc, eq, gt, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { z } from "zod";
import type { Action, SignedInContext } from "../context";
import { NotFound } from "../errors";
import { approvalsRequired } from "./approval-rules";
import { isoTime, money, moneyOrNull } from "./wire";

/** The most pending approvals the queue shows at once, soonest to expire first. */
const QUEUE_LIMIT = 200;
// A notification can be missed (a dropped connection); the queue is re-read at least this often.
const SAFETY_REFRESH_MS = 30_000;

export const approvalReason = z.object({ code: z.string(), message: z.string(), rule: z.string().nullable().optional() });

export const approvalQueueItem = z.object({
  id: z.uuid(),
  agent: z.object({ id: z.uuid(), name: z.string(), trustScore: z.number().int().nullable() }),
  owner: z.object({ id: z.uuid(), name: z.string() }),
  action: z.string(),
  merchant: z.string().nullable(),
  amount: money.nullable(),
  reasons: z.array(approvalReason),
  session: z.object({ id: z.uuid(), externalId: z.string() }).nullable(),
  createdAt: isoTime,
  expiresAt: isoTime,
  /** Approving votes so far, and how many it takes (2 above the organization's dual-approval amount). */
  approvals: z.object({ given: z.number().int(), required: z.number().int() }),
  votedByMe: z.boolean(),
  ownedByMe: z.boolean(),
});

/** The live queue: what waits for a human now, and the server's clock so countdowns ignore the browser's skew. */
export const approvalQueue = z.object({ items: z.array(approvalQueueItem), serverTime: isoTime, ownerMayApprove: z.boolean() });

const owners = alias(users, "owners");

/** The organization's pending, unexpired approvals with what a reviewer needs to decide each. */
export async function readApprovalQueue({ ctx }: Action) {
  const { organizationId, userId } = ctx.session;
  const now = new Date();
  const [organization] = await ctx.db.select().from(organizations).where(eq(organizations.id, organizationId));
  // A session can outlive its organization (deleted meanwhile): nothing of it is left to show.
  if (!organization) throw new NotFound("organization", organizationId);
  const approving = sql<number>`(select count(*)::int from ${approvalVotes} where ${approvalVotes.approvalId} = ${approvals.id} and ${approvalVotes.verdict} = 'approve')`;
  const votedByMe = sql<boolean>`exists (select 1 from ${approvalVotes} where ${approvalVotes.approvalId} = ${approvals.id} and ${approvalVotes.userId} = ${userId})`;
  const rows = await ctx.db
    .select({
      approval: approvals,
      agentName: agents.name,
      trustScore: trustScores.score,
      owner: { id: owners.id, name: owners.name },
      sessionId: agentSessions.id,
      sessionExternalId: agentSessions.externalId,
      approving,
      votedByMe,
    })
    .from(approvals)
    .innerJoin(agents, and(eq(agents.organizationId, approvals.organizationId), eq(agents.id, approvals.agentId)))
    .innerJoin(owners, and(eq(owners.organizationId, agents.organizationId), eq(owners.id, agents.ownerUserId)))
    .leftJoin(trustScores, eq(trustScores.agentId, agents.id))
    .innerJoin(decisions, and(eq(decisions.organizationId, approvals.organizationId), eq(decisions.id, approvals.decisionId)))
    .leftJoin(agentSessions, and(eq(agentSessions.organizationId, decisions.organizationId), eq(agentSessions.id, decisions.sessionId)))
    .where(and(eq(approvals.organizationId, organizationId), eq(approvals.status, "pending"), gt(approvals.expiresAt, now)))
    .orderBy(asc(approvals.expiresAt), asc(approvals.id))
    .limit(QUEUE_LIMIT);
  const items = rows.map(({ approval, agentName, trustScore, owner, sessionId, sessionExternalId, approving, votedByMe }) => ({
    id: approval.id,
    agent: { id: approval.agentId, name: agentName, trustScore },
    owner,
    action: approval.action,
    merchant: approval.merchant,
    amount: moneyOrNull(approval.amount, approval.currency),
    reasons: approvalReason.array().catch([]).parse(approval.reasons),
    session: sessionId !== null && sessionExternalId !== null ? { id: sessionId, externalId: sessionExternalId } : null,
    createdAt: approval.createdAt,
    expiresAt: approval.expiresAt,
    approvals: { given: approving, required: approvalsRequired(organization, approval) },
    votedByMe,
    ownedByMe: owner.id === userId,
  }));
  return { items, serverTime: now, ownerMayApprove: organization.ownerMayApprove };
}

/**
 * Resolves on the next approval notice of `organizationId`, after `maxWaitMs`, or when `signal`
 * aborts. Notices that arrive while nobody waits are remembered, so none falls between reads.
 */
async function openNoticeStream(ctx: SignedInContext, signal: AbortSignal | undefined) {
  if (!ctx.listen) throw new Error("approvals.live needs a context that can listen for notifications");
  let dirty = false;
  let wake = () => {};
  const unlisten = await ctx.listen(APPROVAL_CHANNEL, (payload) => {
    const notice = JSON.parse(payload) as ApprovalNotice;
    if (notice.organizationId !== ctx.session.organizationId) return;
    dirty = true;
    wake();
  });
  return {
    next(maxWaitMs: number): Promise<void> {
      if (dirty || signal?.aborted) return Promise.resolve();
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", done);
          wake = () => {};
          resolve();
        };
        const timer = setTimeout(done, maxWaitMs);
        signal?.addEventListener("abort", done);
        wake = done;
      });
    },
    /** Marks the notices so far as read: the next read of the queue includes them. */
    consume: () => {
      dirty = false;
    },
    close: unlisten,
  };
}

/**
 * `approvals.live`: yields the queue now and again after every approval opened, voted on,
 * decided or expired in the caller's organization (PostgreSQL LISTEN/NOTIFY, or the embedded
 * database's), until the client goes away.
 */
export async function* approvalQueueUpdates({ ctx, signal }: { ctx: SignedInContext; signal: AbortSignal | undefined }) {
  // Listen before the first read, so a change between the two is not lost.
  const notices = await openNoticeStream(ctx, signal);
  try {
    while (!signal?.aborted) {
      notices.consume();
      const queue = await readApprovalQueue({ ctx, input: undefined }).catch((error: unknown) => {
        // The organization was deleted while a reviewer watched: there is nothing more to send.
        if (error instanceof NotFound) return null;
        throw error;
      });
      if (!queue) return;
      yield approvalQueue.parse(queue);
      await notices.next(SAFETY_REFRESH_MS);
    }
  } finally {
    await notices.close();
  }
}
