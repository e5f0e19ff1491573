import { agentSessions, decisions, delegations, resultRows, snapshots, trustScores, type Db } from "@tollgate/db";
import { ruleSetSchema } from "@tollgate/policy";
import { and, desc, eq, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { Action } from "../context";
import { agentOf, type agentByIdInput } from "./agents";
import { delegationSummary, selectDelegations, summaryOf } from "./delegations";
import { isoTime, money, moneyOrNull } from "./wire";

/** How many of its latest decisions an agent's page shows; its sessions tell the rest. */
export const RECENT_DECISIONS = 20;

const enforcedPolicy = z.object({ policyId: z.uuid(), name: z.string(), version: z.number().int(), mode: z.enum(["enforce", "shadow"]), rules: ruleSetSchema });

export const agentOverview = z.object({
  /**
   * The policies the workers enforce on the agent, as its organization's newest snapshot has
   * them (selectors resolved by the compiler), each with its rules: its effective permissions.
   * Null before the organization's first snapshot.
   */
  policies: z.array(enforcedPolicy).nullable(),
  snapshotVersion: z.number().int().nullable(),
  delegationsIn: z.array(delegationSummary),
  delegationsOut: z.array(delegationSummary),
  trust: z
    .object({
      score: z.number().int(),
      /** The reasons that moved the score most, like a credit report's reason codes. */
      reasons: z.array(z.object({ code: z.string(), message: z.string(), points: z.number() })),
      computedAt: isoTime,
    })
    .nullable(),
  recentDecisions: z.array(
    z.object({
      id: z.uuid(),
      createdAt: isoTime,
      action: z.string(),
      amount: money.nullable(),
      merchant: z.string().nullable(),
      outcome: z.enum(["allow", "deny", "pending"]),
      /** The first reason's code: why it was denied or sent to a human. */
      reason: z.string().nullable(),
      session: z.object({ id: z.uuid(), externalId: z.string() }).nullable(),
    }),
  ),
});

/** Only what concerns one agent in the newest snapshot, cut out by the database: its profile's policies. */
async function enforcedPolicies(db: Db, organizationId: string, agentId: string) {
  const [row] = resultRows<{ version: number; profile: number | null; profiles: { policies: number[] }[]; policies: z.input<typeof enforcedPolicy>[] }>(
    await db.execute(sql`
      select ${snapshots.version} as version,
        (${snapshots.document} #>> array['body', 'agents', ${agentId}::text, 'profile'])::int as profile,
        ${snapshots.document} #> '{body,profiles}' as profiles,
        ${snapshots.document} #> '{body,policies}' as policies
      from ${snapshots} where ${snapshots.organizationId} = ${organizationId}
      order by ${snapshots.version} desc limit 1
    `),
  );
  if (!row) return { snapshotVersion: null, policies: null };
  // An agent created after the newest snapshot is in none of its profiles yet.
  const positions = row.profile === null ? [] : (row.profiles?.[row.profile]?.policies ?? []);
  return { snapshotVersion: Number(row.version), policies: positions.map((position) => row.policies[position]!) };
}

/** What an agent's page shows beside its keys: effective permissions, delegations in and out, trust and latest decisions. */
export async function getAgentOverview({ ctx, input }: Action<z.infer<typeof agentByIdInput>>): Promise<z.input<typeof agentOverview>> {
  const { organizationId } = ctx.session;
  const agent = await agentOf(ctx.db, organizationId, input.id);
  const now = new Date();
  const [enforced, linked, [trust], recent] = await Promise.all([
    enforcedPolicies(ctx.db, organizationId, agent.id),
    selectDelegations(
      ctx.db,
      and(eq(delegations.organizationId, organizationId), or(eq(delegations.delegatorAgentId, agent.id), eq(delegations.delegateAgentId, agent.id))),
    ).orderBy(desc(delegations.createdAt)),
    ctx.db
      .select({ score: trustScores.score, reasons: trustScores.reasons, computedAt: trustScores.computedAt })
      .from(trustScores)
      .where(and(eq(trustScores.organizationId, organizationId), eq(trustScores.agentId, agent.id))),
    ctx.db
      .select({
        id: decisions.id,
        createdAt: decisions.createdAt,
        action: decisions.action,
        amount: decisions.amount,
        currency: decisions.currency,
        merchant: decisions.merchant,
        outcome: decisions.outcome,
        reason: sql<string | null>`${decisions.reasons} -> 0 ->> 'code'`,
        sessionId: agentSessions.id,
        sessionExternalId: agentSessions.externalId,
      })
      .from(decisions)
      .leftJoin(agentSessions, and(eq(agentSessions.organizationId, decisions.organizationId), eq(agentSessions.id, decisions.sessionId)))
      .where(and(eq(decisions.organizationId, organizationId), eq(decisions.agentId, agent.id)))
      .orderBy(desc(decisions.createdAt))
      .limit(RECENT_DECISIONS),
  ]);
  const summaries = linked.map((row) => summaryOf(row, now));
  return {
    ...enforced,
    delegationsIn: summaries.filter((delegation) => delegation.delegate.id === agent.id),
    delegationsOut: summaries.filter((delegation) => delegation.delegator.id === agent.id),
    trust: trust ? { ...trust, reasons: trust.reasons as { code: string; message: string; points: number }[] } : null,
    recentDecisions: recent.map(({ amount, currency, sessionId, sessionExternalId, ...decision }) => ({
      ...decision,
      amount: moneyOrNull(amount, currency),
      session: sessionId === null || sessionExternalId === null ? null : { id: sessionId, externalId: sessionExternalId },
    })),
  };
}
