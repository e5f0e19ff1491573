import { auditEvents, decisionOutcome, decisions, policyMode, policyVersions } from "@tollgate/db";
import { and, count, desc, eq, gte, inArray, isNotNull, ne } from "drizzle-orm";
import { z } from "zod";
import { recordUserAudit } from "../audit/chain";
import type { Action } from "../context";
import { Conflict } from "../errors";
import { publishChange } from "../snapshots/publish";
import { policyIdInput, policyOf } from "./policies";
import { publishedVersionOf } from "./policy-publish";
import { isoTime, moneyOrNull, money, pageInput, pageOf, rowsOf } from "./wire";

export const setModeInput = policyIdInput.extend({ mode: z.enum(policyMode.enumValues) });
export const modeChange = z.object({ version: z.number().int(), mode: z.enum(policyMode.enumValues), snapshotVersion: z.number().int() });

/**
 * Moves a policy's published version between shadow and enforce and publishes the snapshot that
 * carries the move, so workers apply it within a second. The version's rules stay as written.
 */
export async function setPolicyMode({ ctx, input }: Action<z.infer<typeof setModeInput>>) {
  const { organizationId } = ctx.session;
  return ctx.db.transaction(async (tx) => {
    const now = new Date();
    const policy = await policyOf(tx, organizationId, input.policyId);
    const published = await publishedVersionOf(tx, policy.id);
    if (!published) throw new Conflict(`Policy ${policy.name} has no published version to move; publish one first.`);
    if (published.mode === input.mode) throw new Conflict(`Policy ${policy.name} v${published.version} is already in ${input.mode} mode.`);
    await tx.update(policyVersions).set({ mode: input.mode }).where(eq(policyVersions.id, published.id));
    const snapshotVersion = await publishChange(tx, organizationId, "policy.mode");
    await recordUserAudit(tx, ctx.session, {
      action: "policy.mode",
      targetType: "policy",
      targetId: policy.id,
      before: { version: published.version, mode: published.mode },
      after: { version: published.version, mode: input.mode },
      createdAt: now,
    });
    return { version: published.version, mode: input.mode, snapshotVersion };
  });
}

const outcome = z.enum(decisionOutcome.enumValues);

export const shadowReportInput = policyIdInput.extend(pageInput.shape);

export const shadowReport = z.object({
  /** When the published version entered shadow mode; null when the policy is not in shadow. */
  since: isoTime.nullable(),
  /** Decisions since then by enforced outcome and shadow outcome. */
  outcomes: z.array(z.object({ enforced: outcome, shadow: outcome, count: z.number().int() })),
  /** The decisions where shadow mode would have decided otherwise, newest first. */
  differing: pageOf(
    z.object({ id: z.uuid(), createdAt: isoTime, agentId: z.uuid(), action: z.string(), amount: money.nullable(), enforced: outcome, shadow: outcome }),
  ),
});

/**
 * What shadow mode would have decided since the policy's published version entered it: the
 * decision log keeps each decision's shadow outcome beside the enforced one. The shadow outcome
 * is that of every shadow policy the caller's profile holds, evaluated together.
 */
export async function readShadowReport({ ctx, input }: Action<z.infer<typeof shadowReportInput>>) {
  const { organizationId } = ctx.session;
  const policy = await policyOf(ctx.db, organizationId, input.policyId);
  const empty = { since: null, outcomes: [], differing: { items: [], page: input.page, pageSize: input.pageSize, total: 0 } };
  const [published] = await ctx.db
    .select({ mode: policyVersions.mode, publishedAt: policyVersions.publishedAt })
    .from(policyVersions)
    .where(and(eq(policyVersions.policyId, policy.id), eq(policyVersions.status, "published")));
  if (!published || published.mode !== "shadow") return empty;
  // Publishing and moving both set the mode, so the newest of either is when shadow mode began.
  const [moved] = await ctx.db
    .select({ at: auditEvents.createdAt })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.organizationId, organizationId),
        eq(auditEvents.targetType, "policy"),
        eq(auditEvents.targetId, policy.id),
        inArray(auditEvents.action, ["policy.publish", "policy.mode"]),
      ),
    )
    .orderBy(desc(auditEvents.createdAt))
    .limit(1);
  const since = moved?.at ?? published.publishedAt!;
  const window = and(eq(decisions.organizationId, organizationId), gte(decisions.createdAt, since), isNotNull(decisions.shadowOutcome));
  const outcomes = await ctx.db
    .select({ enforced: decisions.outcome, shadow: decisions.shadowOutcome, count: count() })
    .from(decisions)
    .where(window)
    .groupBy(decisions.outcome, decisions.shadowOutcome);
  const differs = and(window, ne(decisions.outcome, decisions.shadowOutcome));
  const { limit, offset } = rowsOf(input);
  const rows = await ctx.db
    .select({
      id: decisions.id,
      createdAt: decisions.createdAt,
      agentId: decisions.agentId,
      action: decisions.action,
      amount: decisions.amount,
      currency: decisions.currency,
      enforced: decisions.outcome,
      shadow: decisions.shadowOutcome,
    })
    .from(decisions)
    .where(differs)
    .orderBy(desc(decisions.createdAt), desc(decisions.id))
    .limit(limit)
    .offset(offset);
  const [{ total } = { total: 0 }] = await ctx.db.select({ total: count() }).from(decisions).where(differs);
  return {
    since,
    outcomes: outcomes
      .map((row) => ({ enforced: row.enforced, shadow: row.shadow!, count: row.count }))
      .sort((a, b) => b.count - a.count || a.enforced.localeCompare(b.enforced) || a.shadow.localeCompare(b.shadow)),
    differing: {
      items: rows.map(({ amount, currency, shadow, ...row }) => ({ ...row, shadow: shadow!, amount: moneyOrNull(amount, currency) })),
      page: input.page,
      pageSize: input.pageSize,
      total,
    },
  };
}
