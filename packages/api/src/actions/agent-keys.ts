import { apiKeys } from "@tollgate/db";
import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import { recordUserAudit } from "../audit/chain";
import { issueAgentKey } from "../auth/agent-keys";
import type { Action } from "../context";
import { Conflict, NotFound } from "../errors";
import { publishChange } from "../snapshots/publish";
import { agentOf } from "./agents";
import { isoTime } from "./wire";

export const createAgentKeyInput = z.object({
  agentId: z.uuid({ error: "must be an agent id" }),
  /** Tells an agent's keys apart, e.g. "production" or "ci". */
  name: z.string().trim().min(1, { error: "the name must not be empty" }).max(100, { error: "the name must be at most 100 characters" }).optional(),
  /** When the key stops working; never, when absent. */
  expiresAt: z.iso
    .datetime({ offset: true, error: "the expiry must be a date and time, like 2027-01-31T00:00:00Z" })
    .refine((value) => Date.parse(value) > Date.now(), { error: "the expiry must be in the future" })
    .optional(),
});

/** A key just issued: `key` is the plaintext, returned this once and never stored. */
export const createdAgentKey = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  expiresAt: isoTime.nullable(),
  key: z.string(),
  snapshotVersion: z.number().int(),
});

/** Issues a key for one of the organization's agents; only its prefix and SHA-256 are stored. */
export async function createAgentKey({ ctx, input }: Action<z.infer<typeof createAgentKeyInput>>) {
  const { organizationId, userId } = ctx.session;
  return ctx.db.transaction(async (tx) => {
    const agent = await agentOf(tx, organizationId, input.agentId);
    const issued = issueAgentKey();
    const [row] = await tx
      .insert(apiKeys)
      .values({
        organizationId,
        agentId: agent.id,
        name: input.name,
        prefix: issued.prefix,
        hash: issued.hash,
        createdByUserId: userId,
        expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
      })
      .returning({ id: apiKeys.id, name: apiKeys.name, prefix: apiKeys.prefix, expiresAt: apiKeys.expiresAt });
    const key = row!;
    await recordUserAudit(tx, { organizationId, userId }, {
      action: "api_key.create",
      targetType: "api_key",
      targetId: key.id,
      before: null,
      after: { agentId: agent.id, name: key.name, prefix: key.prefix, expiresAt: key.expiresAt?.toISOString() ?? null },
      createdAt: new Date(),
    });
    const snapshotVersion = await publishChange(tx, organizationId, "api_key.create");
    return { ...key, key: issued.key, snapshotVersion };
  });
}

export const revokeAgentKeyInput = z.object({ keyId: z.uuid({ error: "must be an API key id" }) });
export const revokedAgentKey = z.object({ id: z.uuid(), revokedAt: isoTime, snapshotVersion: z.number().int() });

/** Revokes a key for good; workers refuse it from the snapshot published here. */
export async function revokeAgentKey({ ctx, input }: Action<z.infer<typeof revokeAgentKeyInput>>) {
  const { organizationId, userId } = ctx.session;
  const ofOrganization = and(eq(apiKeys.organizationId, organizationId), eq(apiKeys.id, input.keyId));
  return ctx.db.transaction(async (tx) => {
    const [revoked] = await tx
      .update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(and(ofOrganization, isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id, prefix: apiKeys.prefix, revokedAt: apiKeys.revokedAt });
    if (!revoked) {
      const [existing] = await tx.select({ prefix: apiKeys.prefix }).from(apiKeys).where(ofOrganization);
      if (!existing) throw new NotFound("API key", input.keyId);
      throw new Conflict(`API key ${existing.prefix} is already revoked.`);
    }
    const revokedAt = revoked.revokedAt!;
    await recordUserAudit(tx, { organizationId, userId }, {
      action: "api_key.revoke",
      targetType: "api_key",
      targetId: revoked.id,
      before: { prefix: revoked.prefix, revokedAt: null },
      after: { prefix: revoked.prefix, revokedAt: revokedAt.toISOString() },
      createdAt: revokedAt,
    });
    const snapshotVersion = await publishChange(tx, organizationId, "api_key.revoke");
    return { id: revoked.id, revokedAt, snapshotVersion };
  });
}
