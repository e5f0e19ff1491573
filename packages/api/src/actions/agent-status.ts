import { agents, agentStatus, delegations, type Db } from "@tollgate/db";
import { and, eq, gt, inArray, isNull } from "drizzle-orm";
import { z } from "zod";
import { userAuditOf } from "../audit/chain";
import type { Action } from "../context";
import { Conflict, NotFound } from "../errors";
import { publishChange } from "../snapshots/publish";
import { agentOf } from "./agents";

const agentRef = z.object({ id: z.uuid(), name: z.string(), status: z.enum(agentStatus.enumValues) });
type AgentRef = z.infer<typeof agentRef>;

/**
 * Every agent downstream of `agentId` through live (unrevoked, unexpired) delegations, nearest
 * first. The compiler refuses cyclic chains, but a visited set keeps a corrupt table from
 * looping here.
 */
async function downstreamDelegates(db: Db, organizationId: string, agentId: string, now: Date): Promise<AgentRef[]> {
  const seen = new Set([agentId]);
  const found: AgentRef[] = [];
  let frontier = [agentId];
  while (frontier.length > 0) {
    const next = await db
      .selectDistinct({ id: agents.id, name: agents.name, status: agents.status })
      .from(delegations)
      .innerJoin(agents, and(eq(agents.organizationId, delegations.organizationId), eq(agents.id, delegations.delegateAgentId)))
      .where(
        and(
          eq(delegations.organizationId, organizationId),
          inArray(delegations.delegatorAgentId, frontier),
          isNull(delegations.revokedAt),
          gt(delegations.expiresAt, now),
        ),
      );
    const fresh = next.filter((agent) => !seen.has(agent.id)).sort((a, b) => a.name.localeCompare(b.name));
    for (const agent of fresh) seen.add(agent.id);
    found.push(...fresh);
    frontier = fresh.map((agent) => agent.id);
  }
  return found;
}

export const agentIdInput = z.object({ agentId: z.uuid({ error: "must be an agent id" }) });

/** What suspending an agent would do: the agent and every delegate that would be suspended with it. */
export const suspensionPreview = z.object({ agent: agentRef, delegates: z.array(agentRef) });

export async function previewSuspension({ ctx, input }: Action<z.infer<typeof agentIdInput>>) {
  const { organizationId } = ctx.session;
  const agent = await agentOf(ctx.db, organizationId, input.agentId);
  return { agent, delegates: await downstreamDelegates(ctx.db, organizationId, agent.id, new Date()) };
}

export const suspendAgentInput = agentIdInput.extend({
  reason: z.string().trim().max(500, { error: "the reason must be at most 500 characters" }).optional(),
});

export const statusChange = z.object({
  /** The agents whose status changed, the named one first when it changed. */
  changed: z.array(agentRef),
  snapshotVersion: z.number().int(),
});

/** The audit entry of one agent's status change, before and after. */
const auditStatusChange = userAuditOf("agent");

/**
 * Suspends an agent and every delegate downstream of it, since a delegate acts on the suspended
 * agent's authority. Agents already suspended keep their own reason; each change is audited.
 */
export async function suspendAgent({ ctx, input }: Action<z.infer<typeof suspendAgentInput>>) {
  const { organizationId } = ctx.session;
  return ctx.db.transaction(async (tx) => {
    const now = new Date();
    const agent = await agentOf(tx, organizationId, input.agentId);
    const delegates = await downstreamDelegates(tx, organizationId, agent.id, now);
    const reasonFor = (id: string) => (id === agent.id ? (input.reason ?? null) : `delegate of ${agent.name}${input.reason ? `: ${input.reason}` : ""}`);
    const changed: AgentRef[] = [];
    for (const target of [agent, ...delegates].filter((candidate) => candidate.status === "active")) {
      const after = { status: "suspended" as const, suspendedAt: now.toISOString(), suspendedReason: reasonFor(target.id) };
      // Only while active: a concurrent suspension that got there first keeps its reason and its audit entry.
      const [updated] = await tx
        .update(agents)
        .set({ status: "suspended", suspendedAt: now, suspendedReason: after.suspendedReason, updatedAt: now })
        .where(and(eq(agents.organizationId, organizationId), eq(agents.id, target.id), eq(agents.status, "active")))
        .returning({ id: agents.id });
      if (!updated) continue;
      await auditStatusChange(tx, ctx.session, "agent.suspend", target.id, { status: "active", suspendedAt: null, suspendedReason: null }, after, now);
      changed.push({ ...target, status: "suspended" });
    }
    if (changed.length === 0) throw new Conflict(`Agent ${agent.name} and its delegates are already suspended.`);
    return { changed, snapshotVersion: await publishChange(tx, organizationId, "agent.suspend") };
  });
}

/**
 * Resumes one agent. Its delegates stay suspended until each is resumed: the admin decides
 * which of them to trust again, rather than one click re-enabling a whole chain.
 */
export async function resumeAgent({ ctx, input }: Action<z.infer<typeof agentIdInput>>) {
  const { organizationId } = ctx.session;
  return ctx.db.transaction(async (tx) => {
    const now = new Date();
    const [agent] = await tx
      .select({ id: agents.id, name: agents.name, status: agents.status, suspendedAt: agents.suspendedAt, suspendedReason: agents.suspendedReason })
      .from(agents)
      .where(and(eq(agents.organizationId, organizationId), eq(agents.id, input.agentId)));
    if (!agent) throw new NotFound("agent", input.agentId);
    const [updated] = await tx
      .update(agents)
      .set({ status: "active", suspendedAt: null, suspendedReason: null, updatedAt: now })
      .where(and(eq(agents.organizationId, organizationId), eq(agents.id, agent.id), eq(agents.status, "suspended")))
      .returning({ id: agents.id });
    if (!updated) throw new Conflict(`Agent ${agent.name} is not suspended.`);
    const before = { status: agent.status, suspendedAt: agent.suspendedAt?.toISOString() ?? null, suspendedReason: agent.suspendedReason };
    await auditStatusChange(tx, ctx.session, "agent.resume", agent.id, before, { status: "active", suspendedAt: null, suspendedReason: null }, now);
    return { changed: [{ id: agent.id, name: agent.name, status: "active" as const }], snapshotVersion: await publishChange(tx, organizationId, "agent.resume") };
  });
}
