import { agents, users, type Db } from "@tollgate/db";
import { tagSchema } from "@tollgate/policy";
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { recordUserAudit } from "../audit/chain";
import type { Action } from "../context";
import { Invalid } from "../errors";
import { publishChange } from "../snapshots/publish";
import { agentSummary } from "./agents";

export const createAgentInput = z.object({
  // The database's own check (`agents_name_format`), worded for the form.
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, { error: "the name must be 1–63 lowercase letters, digits, . _ or -, starting with a letter or digit" }),
  description: z.string().trim().max(500, { error: "the description must be at most 500 characters" }).optional(),
  /** The owner's email, a user of the organization; the caller, when absent. */
  owner: z.email({ error: "the owner must be a user's email address" }).optional(),
  /** Policies select agents by tag; the same rule as a selector's tags. */
  tags: z.array(tagSchema).max(20, { error: "at most 20 tags" }).default([]),
});

export const createdAgent = agentSummary.extend({ snapshotVersion: z.number().int() });

/** The organization's user an agent is given to: by email (any case), or the caller; else a field error on `owner`. */
export async function ownerOf(db: Db, organizationId: string, owner: string | { userId: string }) {
  const [user] = await db
    .select({ id: users.id, name: users.name })
    .from(users)
    .where(and(eq(users.organizationId, organizationId), typeof owner === "string" ? sql`lower(${users.email}) = lower(${owner})` : eq(users.id, owner.userId)));
  if (!user) throw new Invalid(`No user of this organization has the email ${String(owner)}.`, { owner: [`no user of this organization has the email ${String(owner)}`] });
  return user;
}

/** Creates an active agent owned by a user of the organization, and publishes it to the workers. */
export async function createAgent({ ctx, input }: Action<z.infer<typeof createAgentInput>>) {
  const { organizationId, userId } = ctx.session;
  return ctx.db.transaction(async (tx) => {
    const owner = await ownerOf(tx, organizationId, input.owner ?? { userId });
    const tags = [...new Set(input.tags)];
    const [agent] = await tx
      .insert(agents)
      .values({ organizationId, name: input.name, description: input.description ?? "", ownerUserId: owner.id, tags })
      .onConflictDoNothing({ target: [agents.organizationId, agents.name] })
      .returning();
    if (!agent) throw new Invalid(`An agent named ${input.name} already exists.`, { name: [`an agent named ${input.name} already exists`] });
    await recordUserAudit(tx, { organizationId, userId }, {
      action: "agent.create",
      targetType: "agent",
      targetId: agent.id,
      before: null,
      after: { name: agent.name, description: agent.description, ownerUserId: owner.id, tags },
      createdAt: agent.createdAt,
    });
    const snapshotVersion = await publishChange(tx, organizationId, "agent.create");
    return { ...agent, owner, trustScore: null, snapshotVersion };
  });
}
