import { agents } from "@tollgate/db";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { recordUserAudit } from "../audit/chain";
import type { Action } from "../context";
import { Invalid } from "../errors";
import { publishChange } from "../snapshots/publish";
import { createAgentInput, ownerOf } from "./agent-create";
import { agentOf } from "./agents";

// The same rules as at creation; each field left out stays as it is.
export const updateAgentInput = z
  .object({ id: z.uuid({ error: "must be an agent id" }), owner: createAgentInput.shape.owner, description: createAgentInput.shape.description, tags: createAgentInput.shape.tags.unwrap().optional() })
  .refine((input) => input.owner !== undefined || input.description !== undefined || input.tags !== undefined, { error: "name an owner, a description or tags to change" });

export const updatedAgent = z.object({ id: z.uuid(), snapshotVersion: z.number().int() });

/**
 * Gives an agent another owner, description or tags. Tags decide which policies select it, so
 * the change is published like any other; one the compiler refuses (a delegation the agent made
 * would outgrow its new grants) is refused with the compiler's errors and changes nothing.
 */
export async function updateAgent({ ctx, input }: Action<z.infer<typeof updateAgentInput>>) {
  const { organizationId, userId } = ctx.session;
  return ctx.db.transaction(async (tx) => {
    await agentOf(tx, organizationId, input.id);
    const [before] = await tx
      .select({ ownerUserId: agents.ownerUserId, description: agents.description, tags: agents.tags })
      .from(agents)
      .where(and(eq(agents.organizationId, organizationId), eq(agents.id, input.id)))
      .for("update");
    const change = {
      ...(input.owner === undefined ? {} : { ownerUserId: (await ownerOf(tx, organizationId, input.owner)).id }),
      ...(input.description === undefined ? {} : { description: input.description }),
      ...(input.tags === undefined ? {} : { tags: [...new Set(input.tags)] }),
    };
    const after = { ...before!, ...change };
    if (JSON.stringify(after) === JSON.stringify(before)) throw new Invalid("Nothing would change.", { id: ["the agent already has this owner, description and tags"] });
    await tx.update(agents).set(change).where(and(eq(agents.organizationId, organizationId), eq(agents.id, input.id)));
    await recordUserAudit(tx, { organizationId, userId }, { action: "agent.update", targetType: "agent", targetId: input.id, before, after, createdAt: new Date() });
    return { id: input.id, snapshotVersion: await publishChange(tx, organizationId, "agent.update") };
  });
}
