import { agents, trustScoreHistory, trustScores } from "@tollgate/db";
import { and, asc, eq, gte, sql } from "drizzle-orm";
import { z } from "zod";
import type { Action } from "../context";
import { NotFound } from "../errors";
import { dashboardRange } from "./dashboard";
import { dashboardWindow } from "./dashboard-window";
import { isoTime } from "./wire";

/** How many reasons of a score the dashboard lists, as a credit report does. */
export const TRUST_REASONS = 4;

export const trustHistoryInput = dashboardRange.extend({
  /** The agent to chart; without one, the lowest-scored agent (the one to look at). */
  agentId: z.uuid({ error: "must be an agent id" }).optional(),
});
export type TrustHistoryInput = z.infer<typeof trustHistoryInput>;

const trustReason = z.object({ code: z.string(), message: z.string(), points: z.number() });

export const trustHistory = z.object({
  timeZone: z.string(),
  /** Every scored agent, lowest score first: the choices of the agent picker. */
  agents: z.array(z.object({ id: z.uuid(), name: z.string(), score: z.number().int() })),
  /** The charted agent with its current score and that score's top reasons, largest effect first; null when no agent has a score. */
  agent: z
    .object({ id: z.uuid(), name: z.string(), score: z.number().int(), computedAt: isoTime, reasons: z.array(trustReason) })
    .nullable(),
  /**
   * The agent's score per calendar day of the window: the last score computed that day and the
   * day's lowest and highest; null on days it was not recomputed.
   */
  history: z.array(z.object({ day: z.string(), score: z.number().int().nullable(), low: z.number().int().nullable(), high: z.number().int().nullable() })),
});
export type TrustHistory = z.input<typeof trustHistory>;

/** One agent's trust score over the last `days` days, aggregated per calendar day, with the reasons of its current score. */
export async function getTrustHistory({ ctx, input }: Action<TrustHistoryInput>): Promise<TrustHistory> {
  const organizationId = ctx.session.organizationId;
  // Score history is not rolled up (one row per agent and recompute): every day is read live.
  const { since, timeZone, days, dateOf, formatted } = await dashboardWindow(ctx, input.days, { source: "live" });
  const scored = await ctx.db
    .select({ id: agents.id, name: agents.name, score: trustScores.score, computedAt: trustScores.computedAt, reasons: trustScores.reasons })
    .from(trustScores)
    .innerJoin(agents, eq(agents.id, trustScores.agentId))
    .where(eq(trustScores.organizationId, organizationId))
    .orderBy(asc(trustScores.score), asc(agents.name));
  const choices = scored.map(({ id, name, score }) => ({ id, name, score }));
  const chosen = input.agentId === undefined ? scored[0] : scored.find((agent) => agent.id === input.agentId);
  if (input.agentId !== undefined && !chosen) throw new NotFound("scored agent", input.agentId);
  if (!chosen) return { timeZone, agents: choices, agent: null, history: days.map((day) => ({ day, score: null, low: null, high: null })) };

  const scoreDays = ctx.db
    .select({ day: dateOf(trustScoreHistory.computedAt), score: trustScoreHistory.score, computedAt: trustScoreHistory.computedAt })
    .from(trustScoreHistory)
    .where(
      and(eq(trustScoreHistory.organizationId, organizationId), eq(trustScoreHistory.agentId, chosen.id), gte(trustScoreHistory.computedAt, since)),
    )
    .as("score_days");
  const rows = await ctx.db
    .select({
      day: formatted(scoreDays.day),
      score: sql<number>`(array_agg(${scoreDays.score} order by ${scoreDays.computedAt} desc))[1]`.mapWith(Number),
      low: sql<number>`min(${scoreDays.score})`.mapWith(Number),
      high: sql<number>`max(${scoreDays.score})`.mapWith(Number),
    })
    .from(scoreDays)
    .groupBy(scoreDays.day);
  const onDay = new Map(rows.map((row) => [row.day, row]));
  return {
    timeZone,
    agents: choices,
    agent: { id: chosen.id, name: chosen.name, score: chosen.score, computedAt: chosen.computedAt, reasons: z.array(trustReason).parse(chosen.reasons).slice(0, TRUST_REASONS) },
    history: days.map((day) => onDay.get(day) ?? { day, score: null, low: null, high: null }),
  };
}
