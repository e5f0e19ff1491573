import { adminApiTokens } from "@tollgate/db";
import { and, count, desc, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import { recordUserAudit } from "../audit/chain";
import { issueAgentKey } from "../auth/agent-keys";
import type { Action } from "../context";
import { Conflict, NotFound } from "../errors";
import { credentialSummary, isoTime, pageInput, pageOf, rowsOf } from "./wire";

// An admin manages their own tokens only: a token acts as its admin, so nobody else may mint or see one.

export const listAdminTokensInput = pageInput;

export const adminTokenSummary = credentialSummary;
export const adminTokenPage = pageOf(adminTokenSummary);

/** The signed-in admin's API tokens, newest first, by prefix only. */
export async function listAdminTokens({ ctx, input }: Action<z.infer<typeof listAdminTokensInput>>) {
  const where = and(eq(adminApiTokens.organizationId, ctx.session.organizationId), eq(adminApiTokens.userId, ctx.session.userId));
  const { limit, offset } = rowsOf(input);
  const items = await ctx.db
    .select({
      id: adminApiTokens.id,
      name: adminApiTokens.name,
      prefix: adminApiTokens.prefix,
      createdAt: adminApiTokens.createdAt,
      expiresAt: adminApiTokens.expiresAt,
      revokedAt: adminApiTokens.revokedAt,
      lastUsedAt: adminApiTokens.lastUsedAt,
    })
    .from(adminApiTokens)
    .where(where)
    .orderBy(desc(adminApiTokens.createdAt), desc(adminApiTokens.id))
    .limit(limit)
    .offset(offset);
  const [{ total } = { total: 0 }] = await ctx.db.select({ total: count() }).from(adminApiTokens).where(where);
  return { items, page: input.page, pageSize: input.pageSize, total };
}

export const createAdminTokenInput = z.object({
  /** What the token is for, e.g. "ci" or "laptop". */
  name: z.string().trim().min(1, { error: "the name must not be empty" }).max(100, { error: "the name must be at most 100 characters" }),
  /** When the token stops working; never, when absent. */
  expiresAt: z.iso
    .datetime({ offset: true, error: "the expiry must be a date and time, like 2027-01-31T00:00:00Z" })
    .refine((value) => Date.parse(value) > Date.now(), { error: "the expiry must be in the future" })
    .optional(),
});

/** A token just issued: `token` is the plaintext, returned this once and never stored. */
export const createdAdminToken = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  expiresAt: isoTime.nullable(),
  token: z.string(),
});

/** Issues an API token acting as the signed-in admin; only its prefix and SHA-256 are stored. */
export async function createAdminToken({ ctx, input }: Action<z.infer<typeof createAdminTokenInput>>) {
  const { organizationId, userId } = ctx.session;
  return ctx.db.transaction(async (tx) => {
    // Same shape and strength as an agent key; the table it is found in says what it may do.
    const issued = issueAgentKey();
    const [row] = await tx
      .insert(adminApiTokens)
      .values({
        organizationId,
        userId,
        name: input.name,
        prefix: issued.prefix,
        hash: issued.hash,
        expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
      })
      .returning({ id: adminApiTokens.id, name: adminApiTokens.name, prefix: adminApiTokens.prefix, expiresAt: adminApiTokens.expiresAt });
    const token = row!;
    await recordUserAudit(tx, { organizationId, userId }, {
      action: "admin_token.create",
      targetType: "admin_token",
      targetId: token.id,
      before: null,
      after: { name: token.name, prefix: token.prefix, expiresAt: token.expiresAt?.toISOString() ?? null },
      createdAt: new Date(),
    });
    return { ...token, token: issued.key };
  });
}

export const revokeAdminTokenInput = z.object({ tokenId: z.uuid({ error: "must be an API token id" }) });
export const revokedAdminToken = z.object({ id: z.uuid(), revokedAt: isoTime });

/** Revokes one of the signed-in admin's tokens for good; the next request carrying it is refused. */
export async function revokeAdminToken({ ctx, input }: Action<z.infer<typeof revokeAdminTokenInput>>) {
  const { organizationId, userId } = ctx.session;
  const own = and(eq(adminApiTokens.organizationId, organizationId), eq(adminApiTokens.userId, userId), eq(adminApiTokens.id, input.tokenId));
  return ctx.db.transaction(async (tx) => {
    const [revoked] = await tx
      .update(adminApiTokens)
      .set({ revokedAt: new Date() })
      .where(and(own, isNull(adminApiTokens.revokedAt)))
      .returning({ id: adminApiTokens.id, prefix: adminApiTokens.prefix, revokedAt: adminApiTokens.revokedAt });
    if (!revoked) {
      const [existing] = await tx.select({ prefix: adminApiTokens.prefix }).from(adminApiTokens).where(own);
      if (!existing) throw new NotFound("API token", input.tokenId);
      throw new Conflict(`API token ${existing.prefix} is already revoked.`);
    }
    const revokedAt = revoked.revokedAt!;
    await recordUserAudit(tx, { organizationId, userId }, {
      action: "admin_token.revoke",
      targetType: "admin_token",
      targetId: revoked.id,
      before: { prefix: revoked.prefix, revokedAt: null },
      after: { prefix: revoked.prefix, revokedAt: revokedAt.toISOString() },
      createdAt: revokedAt,
    });
    return { id: revoked.id, revokedAt };
  });
}
