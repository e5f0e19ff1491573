import { policies, policyMode, policyVersions, type Db } from "@tollgate/db";
import type { Policy } from "@tollgate/policy";
import { and, eq, max } from "drizzle-orm";
import { z } from "zod";
import { userAuditOf } from "../audit/chain";
import type { Action, Session } from "../context";
import { publishChange } from "../snapshots/publish";
import { policyOf } from "./policies";
import { compileDraft, policySource, refusal, requireDraft } from "./policy-draft";

export const writePolicyInput = z.object({
  /** The policy being edited; absent for a new policy, which takes the document's name. */
  policyId: z.uuid({ error: "must be a policy id" }).optional(),
  source: policySource,
});

export const writtenVersion = z.object({
  policyId: z.uuid(),
  version: z.number().int(),
  mode: z.enum(policyMode.enumValues),
  /** The snapshot that carries it; null for a draft, which workers never see. */
  snapshotVersion: z.number().int().nullable(),
  warnings: z.array(z.object({ code: z.string(), path: z.string(), message: z.string() })),
});

/**
 * The policy a draft belongs to: the one being edited, whose name the document must keep, or a
 * new one named by the document, whose name must be free.
 */
async function policyForDraft(tx: Db, organizationId: string, policy: Policy, policyId: string | undefined) {
  if (policyId !== undefined) {
    const existing = await policyOf(tx, organizationId, policyId);
    if (existing.name !== policy.name) throw refusal("The policy was not saved", [{ path: "name", message: `must stay "${existing.name}": a policy keeps its name` }]);
    return existing;
  }
  const [taken] = await tx.select({ id: policies.id }).from(policies).where(and(eq(policies.organizationId, organizationId), eq(policies.name, policy.name)));
  if (taken) throw refusal("The policy was not saved", [{ path: "name", message: `must be unique: a policy named "${policy.name}" exists already` }]);
  const [created] = await tx.insert(policies).values({ organizationId, name: policy.name, description: policy.description ?? "" }).returning();
  return created!;
}

/** Appends the next version of the policy, the version numbers serialized on the policy's row. */
/** Appends the policy's next version (a draft, or published at `now`), under a lock on the policy. */
export async function appendVersion(tx: Db, session: Session, policyId: string, source: string, policy: Policy, now: Date, published: boolean) {
  await tx.select({ id: policies.id }).from(policies).where(eq(policies.id, policyId)).for("update");
  const [{ latest } = { latest: 0 }] = await tx.select({ latest: max(policyVersions.version) }).from(policyVersions).where(eq(policyVersions.policyId, policyId));
  const [row] = await tx
    .insert(policyVersions)
    .values({
      organizationId: session.organizationId,
      policyId,
      version: (latest ?? 0) + 1,
      source,
      document: policy,
      status: published ? "published" : "draft",
      mode: policy.mode,
      createdByUserId: session.userId,
      createdAt: now,
      publishedAt: published ? now : null,
    })
    .returning();
  return row!;
}

/** What the audit log records of a policy version. */
export const audited = (row: typeof policyVersions.$inferSelect) => ({ version: row.version, status: row.status, mode: row.mode, source: row.source });

export const auditPolicy = userAuditOf("policy");

/** The published version of a policy, locked for the change about to replace or move it. */
export async function publishedVersionOf(tx: Db, policyId: string) {
  const [row] = await tx
    .select()
    .from(policyVersions)
    .where(and(eq(policyVersions.policyId, policyId), eq(policyVersions.status, "published")))
    .for("update");
  return row ?? null;
}

/**
 * Saves the source as the policy's next draft version (creating the policy when new). A draft
 * must parse and validate, but workers never see it, so it need not compile with the rest.
 */
export async function saveDraft({ ctx, input }: Action<z.infer<typeof writePolicyInput>>) {
  const policy = requireDraft(input.source);
  return ctx.db.transaction(async (tx) => {
    const now = new Date();
    const target = await policyForDraft(tx, ctx.session.organizationId, policy, input.policyId);
    const row = await appendVersion(tx, ctx.session, target.id, input.source, policy, now, false);
    const [previous] = await tx
      .select()
      .from(policyVersions)
      .where(and(eq(policyVersions.policyId, target.id), eq(policyVersions.version, row.version - 1)));
    await auditPolicy(tx, ctx.session, "policy.draft", target.id, previous ? audited(previous) : null, audited(row), now);
    return { policyId: target.id, version: row.version, mode: row.mode, snapshotVersion: null, warnings: [] };
  });
}

/**
 * Publishes the source as the policy's next version: the whole organization is compiled with it
 * first, and a parse error or a compiler refusal is a BAD_REQUEST naming each path, changing
 * nothing. Otherwise the previous published version is superseded, the signed snapshot stored
 * and the workers notified, all in one transaction with its audit entry.
 */
export async function publishPolicy({ ctx, input }: Action<z.infer<typeof writePolicyInput>>) {
  const { organizationId } = ctx.session;
  return ctx.db.transaction(async (tx) => {
    const now = new Date();
    const compiled = await compileDraft(tx, organizationId, input.source, now);
    if (!compiled.ok) throw refusal("The policy was not published", compiled.errors);
    const target = await policyForDraft(tx, organizationId, compiled.policy, input.policyId);
    const previous = await publishedVersionOf(tx, target.id);
    if (previous) {
      await tx.update(policyVersions).set({ status: "superseded" }).where(eq(policyVersions.id, previous.id));
    }
    const row = await appendVersion(tx, ctx.session, target.id, input.source, compiled.policy, now, true);
    if (compiled.policy.description !== undefined && compiled.policy.description !== target.description) {
      await tx.update(policies).set({ description: compiled.policy.description }).where(eq(policies.id, target.id));
    }
    const snapshotVersion = await publishChange(tx, organizationId, "policy.publish");
    await auditPolicy(tx, ctx.session, "policy.publish", target.id, previous ? audited(previous) : null, audited(row), now);
    return { policyId: target.id, version: row.version, mode: row.mode, snapshotVersion, warnings: [...compiled.warnings] };
  });
}
