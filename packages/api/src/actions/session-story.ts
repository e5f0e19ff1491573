import { agents, agentSessions, approvals, approvalStatus, decisionOutcome, decisions, reservations, sessionStatus, users } from "@tollgate/db";
import { and, asc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import type { Action } from "../context";
import { NotFound } from "../errors";
import { isoTime, money, moneyOrNull } from "./wire";

export const sessionStoryInput = z.object({ id: z.uuid({ error: "must be a session id" }) });

/** The most decisions one story shows; a longer session says it was cut. */
export const STORY_LIMIT = 500;

const reason = z.object({ code: z.string(), message: z.string(), rule: z.string().nullable() });
const event = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("decision"),
    at: isoTime,
    decisionId: z.uuid(),
    requestId: z.string(),
    action: z.string(),
    amount: money.nullable(),
    merchant: z.string().nullable(),
    outcome: z.enum(decisionOutcome.enumValues),
    reasons: z.array(reason),
    onBehalfOf: z.uuid().nullable(),
  }),
  z.object({ kind: z.literal("hold"), at: isoTime, reservationId: z.uuid(), amount: money }),
  z.object({ kind: z.literal("settled"), at: isoTime, reservationId: z.uuid(), status: z.enum(["committed", "released", "expired"]), amount: money }),
  z.object({ kind: z.literal("approval_requested"), at: isoTime, approvalId: z.uuid(), amount: money.nullable() }),
  z.object({
    kind: z.literal("approval_decided"),
    at: isoTime,
    approvalId: z.uuid(),
    status: z.enum(approvalStatus.enumValues),
    decidedBy: z.string().nullable(),
    note: z.string().nullable(),
  }),
  z.object({ kind: z.literal("tripped"), at: isoTime, reason: z.string() }),
]);

export const sessionStory = z.object({
  session: z.object({
    id: z.uuid(),
    externalId: z.string(),
    status: z.enum(sessionStatus.enumValues),
    agent: z.object({ id: z.uuid(), name: z.string() }),
    startedAt: isoTime,
    lastSeenAt: isoTime,
  }),
  events: z.array(event),
  truncated: z.boolean(),
});

type StoryEvent = z.input<typeof event>;

/**
 * A session's whole story in time order — every decision, hold, commit, release, approval and
 * breaker trip — so a post-mortem is one page, not archaeology.
 */
export async function getSessionStory({ ctx, input }: Action<z.infer<typeof sessionStoryInput>>) {
  const organizationId = ctx.session.organizationId;
  const [session] = await ctx.db
    .select({
      id: agentSessions.id,
      externalId: agentSessions.externalId,
      status: agentSessions.status,
      trippedAt: agentSessions.trippedAt,
      trippedReason: agentSessions.trippedReason,
      agent: { id: agents.id, name: agents.name },
      startedAt: agentSessions.startedAt,
      lastSeenAt: agentSessions.lastSeenAt,
    })
    .from(agentSessions)
    .innerJoin(agents, and(eq(agents.organizationId, agentSessions.organizationId), eq(agents.id, agentSessions.agentId)))
    .where(and(eq(agentSessions.id, input.id), eq(agentSessions.organizationId, organizationId)));
  if (!session) throw new NotFound("session", input.id);

  const calls = await ctx.db
    .select()
    .from(decisions)
    .where(and(eq(decisions.organizationId, organizationId), eq(decisions.sessionId, session.id)))
    .orderBy(asc(decisions.createdAt), asc(decisions.id))
    .limit(STORY_LIMIT + 1);
  const truncated = calls.length > STORY_LIMIT;
  const shown = calls.slice(0, STORY_LIMIT);
  const ids = shown.map((call) => call.id);
  const [holds, asks] =
    ids.length === 0
      ? [[], []]
      : await Promise.all([
          ctx.db.select().from(reservations).where(and(eq(reservations.organizationId, organizationId), inArray(reservations.decisionId, ids))),
          ctx.db
            .select({ approval: approvals, decidedBy: users.name })
            .from(approvals)
            .leftJoin(users, and(eq(users.organizationId, approvals.organizationId), eq(users.id, approvals.decidedByUserId)))
            .where(and(eq(approvals.organizationId, organizationId), inArray(approvals.decisionId, ids))),
        ]);

  const events: StoryEvent[] = shown.map((call) => ({
    kind: "decision",
    at: call.createdAt,
    decisionId: call.id,
    requestId: call.requestId,
    action: call.action,
    amount: moneyOrNull(call.amount, call.currency),
    merchant: call.merchant,
    outcome: call.outcome,
    reasons: (call.reasons as { code: string; message: string; rule: string | null }[]).map(({ code, message, rule }) => ({ code, message, rule })),
    onBehalfOf: call.onBehalfOf,
  }));
  for (const hold of holds) {
    const amount = { amount: hold.amount, currency: hold.currency };
    events.push({ kind: "hold", at: hold.createdAt, reservationId: hold.id, amount });
    if (hold.status !== "held" && hold.settledAt) {
      const settledAmount = hold.status === "committed" ? { amount: hold.committedAmount ?? 0, currency: hold.currency } : amount;
      events.push({ kind: "settled", at: hold.settledAt, reservationId: hold.id, status: hold.status, amount: settledAmount });
    }
  }
  for (const { approval, decidedBy } of asks) {
    events.push({ kind: "approval_requested", at: approval.createdAt, approvalId: approval.id, amount: moneyOrNull(approval.amount, approval.currency) });
    if (approval.decidedAt) {
      events.push({ kind: "approval_decided", at: approval.decidedAt, approvalId: approval.id, status: approval.status, decidedBy, note: approval.note });
    }
  }
  if (session.trippedAt) events.push({ kind: "tripped", at: session.trippedAt, reason: session.trippedReason ?? "circuit breaker tripped" });

  // Time order; at one instant, the decision comes before what it caused.
  const order: Record<StoryEvent["kind"], number> = { decision: 0, approval_requested: 1, hold: 2, approval_decided: 3, settled: 4, tripped: 5 };
  events.sort((a, b) => a.at.getTime() - b.at.getTime() || order[a.kind] - order[b.kind]);
  const { trippedAt: _trippedAt, trippedReason: _trippedReason, ...summary } = session;
  return { session: summary, events, truncated };
}
