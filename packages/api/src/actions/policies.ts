import { and, asc, count, eq, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { policies, policyMode, policyVersions } from "@tollgate/db";
import { z } from "zod";
import type { Action } from "../context";
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
