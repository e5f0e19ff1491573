import { agents, agentStatus, delegations, trustScores } from "@tollgate/db";
import { and, desc, eq, gt, inArray, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Action } from "../context";
import { delegationSummary, selectDelegations, summaryOf } from "./delegations";

/**
 * The most delegations the graph draws. Live ones come first, so a long history of revoked and
 * expired grants never pushes a live one off the picture; the table below pages through all.
 */
export const GRAPH_DELEGATION_LIMIT = 300;

const graphAgent = z.object({
  id: z.uuid(),
  name: z.string(),
  status: z.enum(agentStatus.enumValues),
  trustScore: z.number().int().nullable(),
});

/** Who delegates what to whom: the agents on any drawn delegation, and the delegations as edges. */
export const delegationGraph = z.object({
  agents: z.array(graphAgent),
  delegations: z.array(delegationSummary),
  /** More delegations exist than the graph draws (the oldest revoked or expired ones are left out). */
  truncated: z.boolean(),
});

export async function getDelegationGraph({ ctx }: Action) {
  const { organizationId } = ctx.session;
  const now = new Date();
  const rows = await selectDelegations(ctx.db, eq(delegations.organizationId, organizationId))
    .orderBy(sql`(${and(isNull(delegations.revokedAt), gt(delegations.expiresAt, now))}) desc`, desc(delegations.createdAt), desc(delegations.id))
    .limit(GRAPH_DELEGATION_LIMIT + 1);
  const drawn = rows.slice(0, GRAPH_DELEGATION_LIMIT);
  const agentIds = [...new Set(drawn.flatMap((row) => [row.delegator.id, row.delegate.id]))];
  const nodes =
    agentIds.length === 0
      ? []
      : await ctx.db
          .select({ id: agents.id, name: agents.name, status: agents.status, trustScore: trustScores.score })
          .from(agents)
          .leftJoin(trustScores, eq(trustScores.agentId, agents.id))
          .where(and(eq(agents.organizationId, organizationId), inArray(agents.id, agentIds)))
          .orderBy(agents.name);
  return { agents: nodes, delegations: drawn.map((row) => summaryOf(row, now)), truncated: rows.length > GRAPH_DELEGATION_LIMIT };
}
