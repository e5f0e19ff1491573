import { and, asc, count, eq, or, sql, type SQL } from "drizzle-orm";
import { agents, agentStatus, apiKeys, trustScores, users, type Db } from "@tollgate/db";
import { z } from "zod";
import type { Action } from "../context";
import { NotFound } from "../errors";
import { contains, credentialSummary, isoTime, pageInput, pageOf, rowsOf } from "./wire";

export const listAgentsInput = pageInput.extend({
  /** Part of a name or of a tag, case-insensitive. */
  search: z.string().trim().max(100).optional(),
  status: z.enum(agentStatus.enumValues).optional(),
});

export const agentSummary = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string(),
  tags: z.array(z.string()),
  status: z.enum(agentStatus.enumValues),
  owner: z.object({ id: z.uuid(), name: z.string() }),
  trustScore: z.number().int().nullable(),
  createdAt: isoTime,
});
export const agentPage = pageOf(agentSummary);

const summaryColumns = {
  id: agents.id,
  name: agents.name,
  description: agents.description,
  tags: agents.tags,
  status: agents.status,
  owner: { id: users.id, name: users.name },
  trustScore: trustScores.score,
  createdAt: agents.createdAt,
};

/** The organization's agents by name, filtered by a name or tag fragment and by status. */
export async function listAgents({ ctx, input }: Action<z.infer<typeof listAgentsInput>>) {
  const filters: (SQL | undefined)[] = [eq(agents.organizationId, ctx.session.organizationId)];
  if (input.search) {
    filters.push(or(contains(agents.name, input.search), sql`exists (select 1 from unnest(${agents.tags}) as tag where ${contains(sql`tag`, input.search)})`));
  }
  if (input.status) filters.push(eq(agents.status, input.status));
  const where = and(...filters);
  const { limit, offset } = rowsOf(input);
  const items = await ctx.db
    .select(summaryColumns)
    .from(agents)
    .innerJoin(users, and(eq(users.organizationId, agents.organizationId), eq(users.id, agents.ownerUserId)))
    .leftJoin(trustScores, eq(trustScores.agentId, agents.id))
    .where(where)
    .orderBy(asc(agents.name))
    .limit(limit)
    .offset(offset);
  const [{ total } = { total: 0 }] = await ctx.db.select({ total: count() }).from(agents).where(where);
  return { items, page: input.page, pageSize: input.pageSize, total };
}

export const agentByIdInput = z.object({ id: z.uuid() });

export const agentDetail = agentSummary.extend({
  suspendedAt: isoTime.nullable(),
  suspendedReason: z.string().nullable(),
  apiKeys: z.array(credentialSummary),
});

/** One agent of the organization with its keys (prefixes only); another organization's id is not found. */
export async function getAgent({ ctx, input }: Action<z.infer<typeof agentByIdInput>>) {
  const organizationId = ctx.session.organizationId;
  const [agent] = await ctx.db
    .select({ ...summaryColumns, suspendedAt: agents.suspendedAt, suspendedReason: agents.suspendedReason })
    .from(agents)
    .innerJoin(users, and(eq(users.organizationId, agents.organizationId), eq(users.id, agents.ownerUserId)))
    .leftJoin(trustScores, eq(trustScores.agentId, agents.id))
    .where(and(eq(agents.organizationId, organizationId), eq(agents.id, input.id)));
  if (!agent) throw new NotFound("agent", input.id);
  const keys = await ctx.db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      prefix: apiKeys.prefix,
      createdAt: apiKeys.createdAt,
      expiresAt: apiKeys.expiresAt,
      revokedAt: apiKeys.revokedAt,
      lastUsedAt: apiKeys.lastUsedAt,
    })
    .from(apiKeys)
    .where(and(eq(apiKeys.organizationId, organizationId), eq(apiKeys.agentId, agent.id)))
    .orderBy(asc(apiKeys.createdAt));
  return { ...agent, apiKeys: keys };
}

/** The organization's agent `id` (name and status), or NotFound: another organization's agent does not exist here. */
export async function agentOf(db: Db, organizationId: string, id: string) {
  const [agent] = await db
    .select({ id: agents.id, name: agents.name, status: agents.status })
    .from(agents)
    .where(and(eq(agents.organizationId, organizationId), eq(agents.id, id)));
  if (!agent) throw new NotFound("agent", id);
  return agent;
}
