import { organizations } from "@tollgate/db";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { recordUserAudit } from "../audit/chain";
import type { Action } from "../context";
import { moneyOrNull } from "./wire";

/** How the organization's approvals are decided: separation of duties and the dual-approval amount. */
export const approvalSettings = z.object({
  /** Whether an agent's owner may approve its spend; by default another reviewer must. */
  ownerMayApprove: z.boolean(),
  /** Above this amount two distinct reviewers must approve; null: one always suffices. */
  dualApprovalAbove: z
    .object({
      amount: z.int({ error: "the amount must be a whole number of minor units" }).positive({ error: "the amount must be positive" }),
      currency: z.string().regex(/^[A-Z]{3}$/, { error: "the currency must be a three-letter ISO 4217 code, like EUR" }),
    })
    .nullable(),
});

type ApprovalSettings = z.infer<typeof approvalSettings>;

/** The rules and where new and expired approvals are announced (the secret is never shown again). */
export const approvalSettingsView = approvalSettings.extend({ webhookUrl: z.string().nullable() });

const settingsOf = (row: typeof organizations.$inferSelect) => ({
  ownerMayApprove: row.ownerMayApprove,
  dualApprovalAbove: moneyOrNull(row.dualApprovalAbove, row.dualApprovalCurrency),
  webhookUrl: row.approvalWebhookUrl,
});

export async function readApprovalSettings({ ctx }: Action) {
  const [row] = await ctx.db.select().from(organizations).where(eq(organizations.id, ctx.session.organizationId));
  return settingsOf(row!);
}

/** Where to POST approval webhooks and the secret that signs them; null turns them off. */
export const approvalWebhookInput = z.object({
  webhook: z
    .object({
      url: z.url({ protocol: /^https?$/, error: "the URL must be an http or https URL" }),
      secret: z.string().min(16, { error: "the signing secret must be at least 16 characters" }).max(200, { error: "the signing secret must be at most 200 characters" }),
    })
    .nullable(),
});

/** Applies `change` to the organization, auditing the settings before and after (never the secret). */
async function changeSettings({ ctx }: Action, action: string, change: Partial<typeof organizations.$inferInsert>) {
  const { organizationId, userId } = ctx.session;
  return ctx.db.transaction(async (tx) => {
    const before = await readApprovalSettings({ ctx: { ...ctx, db: tx }, input: undefined });
    const [row] = await tx.update(organizations).set(change).where(eq(organizations.id, organizationId)).returning();
    const after = settingsOf(row!);
    await recordUserAudit(tx, { organizationId, userId }, { action, targetType: "organization", targetId: organizationId, before, after, createdAt: new Date() });
    return after;
  });
}

/** An admin changes how approvals are decided; pending approvals follow the new rules from their next vote. */
export function updateApprovalSettings({ ctx, input }: Action<ApprovalSettings>) {
  return changeSettings({ ctx, input: undefined }, "organization.approval_settings", {
    ownerMayApprove: input.ownerMayApprove,
    dualApprovalAbove: input.dualApprovalAbove?.amount ?? null,
    dualApprovalCurrency: input.dualApprovalAbove?.currency ?? null,
  });
}

/** An admin points the approval webhook somewhere (or turns it off); workers send to it from then on. */
export function setApprovalWebhook({ ctx, input }: Action<z.infer<typeof approvalWebhookInput>>) {
  return changeSettings({ ctx, input: undefined }, "organization.approval_webhook", {
    approvalWebhookUrl: input.webhook?.url ?? null,
    approvalWebhookSecret: input.webhook?.secret ?? null,
  });
}
