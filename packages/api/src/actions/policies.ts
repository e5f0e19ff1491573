import { and, asc, count, desc, eq, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { policies, policyMode, policyVersions, policyVersionStatus, users, type Db } from "@tollgate/db";
import { z } from "zod";
import type { Action } from "../context";
import { NotFound } from "../errors";
import { isoTime, pageInput, pageOf, rowsOf } from "./wire";

export const listPoliciesInput = pageInput;

export const policySummary = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string(),
  /** The newest version written, published or not. */
  latestVersion: z.number().int().nullable(),
  /** The version workers enforce (or shadow), if any is published. */
  published: z.object({ version: z.number().int(), mode: z.enum(policyMode.enumValues), publishedAt: isoTime }).nullable(),
  createdAt: isoTime,
  archivedAt: isoTime.nullable(),
});
export const policyPage = pageOf(policySummary);

const published = alias(policyVersions, "published");

/** The organization's policies, live ones first, each with its latest and its published version. */
export async function listPolicies({ ctx, input }: Action<z.infer<typeof listPoliciesInput>>) {
  const where = eq(policies.organizationId, ctx.session.organizationId);
  const { limit, offset } = rowsOf(input);
  const rows = await ctx.db
    .select({
      id: policies.id,
      name: policies.name,
      description: policies.description,
      latestVersion: sql<number | null>`(select max(${policyVersions.version}) from ${policyVersions} where ${policyVersions.policyId} = ${policies.id})`,
      publishedVersion: published.version,
      publishedMode: published.mode,
      publishedAt: published.publishedAt,
      createdAt: policies.createdAt,
      archivedAt: policies.archivedAt,
    })
    .from(policies)
    .leftJoin(
      published,
      and(eq(published.organizationId, policies.organizationId), eq(published.policyId, policies.id), eq(published.status, "published")),
    )
    .where(where)
    .orderBy(sql`${policies.archivedAt} is not null`, asc(policies.name))
    .limit(limit)
    .offset(offset);
  const [{ total } = { total: 0 }] = await ctx.db.select({ total: count() }).from(policies).where(where);
  const items = rows.map(({ publishedVersion, publishedMode, publishedAt, latestVersion, ...policy }) => ({
    ...policy,
    latestVersion: latestVersion === null ? null : Number(latestVersion),
    published:
      publishedVersion !== null && publishedMode !== null && publishedAt !== null
        ? { version: publishedVersion, mode: publishedMode, publishedAt }
        : null,
  }));
  return { items, page: input.page, pageSize: input.pageSize, total };
}

/** The policy `id` of the organization, or NotFound (another organization's is the same as none). */
export async function policyOf(db: Db, organizationId: string, id: string) {
  const [policy] = await db.select().from(policies).where(and(eq(policies.organizationId, organizationId), eq(policies.id, id)));
  if (!policy) throw new NotFound("policy", id);
  return policy;
}

export const policyIdInput = z.object({ policyId: z.uuid({ error: "must be a policy id" }) });

const versionSummary = z.object({
  version: z.number().int(),
  status: z.enum(policyVersionStatus.enumValues),
  mode: z.enum(policyMode.enumValues),
  author: z.string().nullable(),
  createdAt: isoTime,
  publishedAt: isoTime.nullable(),
});

export const policyDetail = policySummary.omit({ latestVersion: true }).extend({
  /** The newest version's source: what the editor opens. */
  latest: versionSummary.extend({ source: z.string() }).nullable(),
});

const versionColumns = {
  version: policyVersions.version,
  status: policyVersions.status,
  mode: policyVersions.mode,
  author: users.name,
  createdAt: policyVersions.createdAt,
  publishedAt: policyVersions.publishedAt,
};

/** One policy with its published version and its newest version's source. */
export async function policyById({ ctx, input }: Action<z.infer<typeof policyIdInput>>) {
  const policy = await policyOf(ctx.db, ctx.session.organizationId, input.policyId);
  const versions = await ctx.db
    .select({ ...versionColumns, source: policyVersions.source })
    .from(policyVersions)
    .leftJoin(users, eq(users.id, policyVersions.createdByUserId))
    .where(and(eq(policyVersions.organizationId, policy.organizationId), eq(policyVersions.policyId, policy.id)))
    .orderBy(sql`${policyVersions.status} = 'published' desc`, desc(policyVersions.version))
    .limit(2);
  const published = versions.find((version) => version.status === "published");
  const latest = [...versions].sort((a, b) => b.version - a.version)[0] ?? null;
  return {
    id: policy.id,
    name: policy.name,
    description: policy.description,
    createdAt: policy.createdAt,
    archivedAt: policy.archivedAt,
    published: published ? { version: published.version, mode: published.mode, publishedAt: published.publishedAt! } : null,
    latest,
  };
}

export const listVersionsInput = policyIdInput.extend(pageInput.shape);
export const versionPage = pageOf(versionSummary);

/** A policy's versions, newest first. */
export async function listPolicyVersions({ ctx, input }: Action<z.infer<typeof listVersionsInput>>) {
  const policy = await policyOf(ctx.db, ctx.session.organizationId, input.policyId);
  const where = and(eq(policyVersions.organizationId, policy.organizationId), eq(policyVersions.policyId, policy.id));
  const { limit, offset } = rowsOf(input);
  const items = await ctx.db
    .select(versionColumns)
    .from(policyVersions)
    .leftJoin(users, eq(users.id, policyVersions.createdByUserId))
    .where(where)
    .orderBy(desc(policyVersions.version))
    .limit(limit)
    .offset(offset);
  const [{ total } = { total: 0 }] = await ctx.db.select({ total: count() }).from(policyVersions).where(where);
  return { items, page: input.page, pageSize: input.pageSize, total };
}

export const versionInput = policyIdInput.extend({ version: z.number().int().min(1, { error: "must be a version number from 1" }) });
export const policyVersionDetail = versionSummary.extend({ source: z.string(), document: z.unknown() });

/** One version of a policy, as written and as validated. */
export async function policyVersionOf(db: Db, organizationId: string, policyId: string, version: number) {
  const [row] = await db
    .select({ ...versionColumns, source: policyVersions.source, document: policyVersions.document })
    .from(policyVersions)
    .leftJoin(users, eq(users.id, policyVersions.createdByUserId))
    .where(and(eq(policyVersions.organizationId, organizationId), eq(policyVersions.policyId, policyId), eq(policyVersions.version, version)));
  if (!row) throw new NotFound("policy version", `${policyId} v${version}`);
  return row;
}

export async function getPolicyVersion({ ctx, input }: Action<z.infer<typeof versionInput>>) {
  return policyVersionOf(ctx.db, ctx.session.organizationId, input.policyId, input.version);
}
