import { adminApiTokens, users, type Db } from "@tollgate/db";
import { hashApiKey } from "@tollgate/policy";
import { and, eq } from "drizzle-orm";
import type { Session } from "../context";
import { agentKeyPrefix } from "./agent-keys";

export type TokenCheck = { ok: true; session: Session } | { ok: false; message: string };

// `last used` is for an admin spotting a forgotten token, so a minute's precision is plenty and
// a burst of CLI calls writes the row once.
const LAST_USED_PRECISION_MS = 60_000;

/**
 * Who a presented admin API token acts as: its admin, with the role they hold now, in their own
 * organization. Unknown, revoked and expired tokens are refused with a message saying which.
 */
export async function authenticateAdminToken(db: Db, presented: string, now: Date): Promise<TokenCheck> {
  if (agentKeyPrefix(presented) === null) return { ok: false, message: "The API token is malformed: expected tg_ followed by 8 and 40 letters or digits." };
  const [token] = await db
    .select({
      id: adminApiTokens.id,
      prefix: adminApiTokens.prefix,
      expiresAt: adminApiTokens.expiresAt,
      revokedAt: adminApiTokens.revokedAt,
      lastUsedAt: adminApiTokens.lastUsedAt,
      userId: users.id,
      organizationId: users.organizationId,
      role: users.role,
    })
    .from(adminApiTokens)
    .innerJoin(users, and(eq(users.organizationId, adminApiTokens.organizationId), eq(users.id, adminApiTokens.userId)))
    .where(eq(adminApiTokens.hash, hashApiKey(presented)));
  if (!token) return { ok: false, message: "The API token is not known: create one in the console under Settings → API tokens." };
  if (token.revokedAt) return { ok: false, message: `The API token ${token.prefix} was revoked at ${token.revokedAt.toISOString()}.` };
  if (token.expiresAt && token.expiresAt <= now) return { ok: false, message: `The API token ${token.prefix} expired at ${token.expiresAt.toISOString()}.` };
  if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() >= LAST_USED_PRECISION_MS) {
    await db.update(adminApiTokens).set({ lastUsedAt: now }).where(eq(adminApiTokens.id, token.id));
  }
  return { ok: true, session: { userId: token.userId, organizationId: token.organizationId, role: token.role } };
}
