import { organizations, policies, policyVersions, type Db } from "@tollgate/db";
import {
  compileSnapshot,
  generateSigningKey,
  parsePolicyDocument,
  policySchema,
  type Policy,
} from "@tollgate/policy";
import { and, asc, eq, isNull } from "drizzle-orm";
import { stringify } from "yaml";
import { z } from "zod";
import type { Action } from "../context";
import { readOrganizationState } from "../snapshots/organization-state";
import { publishChange } from "../snapshots/publish";
import { canonicalYaml, diffLine, diffLines } from "./policy-diff";
import { refusal } from "./policy-draft";
import { appendVersion, audited, auditPolicy, publishedVersionOf } from "./policy-publish";
import { replayPolicyDraft, replayReport } from "./policy-replay";

// Policy as code: `tollgate.yaml` holds the organization's policies as one `policies:` document.
// Plan shows what applying it would change, apply publishes it, export writes it back out.
// A policy published but missing from the file is left as it is: applying never deletes.

export const tollgateFileInput = z.object({
  /** The file's text, YAML or JSON. */
  source: z.string().min(1, { error: "the file must not be empty" }).max(1_000_000, { error: "the file must be at most 1,000,000 characters" }),
});

export const planInput = tollgateFileInput.extend({
  /** Replay each changed policy against this many days of real decisions. */
  days: z.number().int().min(1, { error: "must be at least 1 day" }).max(90, { error: "must be at most 90 days" }).default(7),
  /** At most this many example decisions that flip, per policy. */
  examples: z.number().int().min(0).max(100, { error: "must be at most 100 examples" }).default(5),
});

const change = z.enum(["create", "update", "unchanged", "not_in_file"]);

export const policyPlan = z.object({
  name: z.string(),
  change,
  /** The version published now, if any. */
  publishedVersion: z.number().int().nullable(),
  /** The published version against the file, line by line, as canonical YAML (as the console diffs versions). */
  diff: z.array(diffLine),
  /** What the change would have decided over the replayed days; null when nothing changes. */
  replay: z
    .discriminatedUnion("ok", [
      z.object({ ok: z.literal(true), report: replayReport }),
      // A policy that compiles only together with other changes in the file cannot be replayed alone.
      z.object({ ok: z.literal(false), reason: z.string() }),
    ])
    .nullable(),
});

export const tollgatePlan = z.object({ policies: z.array(policyPlan) });

export const appliedFile = z.object({
  policies: z.array(z.object({ name: z.string(), change, version: z.number().int().nullable() })),
  /** The snapshot that carries the change to the workers; null when nothing changed. */
  snapshotVersion: z.number().int().nullable(),
});

export const exportedFile = z.object({ source: z.string(), policies: z.number().int() });

/** A policy without its empty rule lists, as a person would write it. */
function withoutEmptyLists(policy: Policy): Record<string, unknown> {
  return Object.fromEntries(Object.entries(policy).filter(([, value]) => !(Array.isArray(value) && value.length === 0)));
}

const lines = (policy: Policy) => canonicalYaml(withoutEmptyLists(policy)).replace(/\n$/, "").split("\n");

/** Reads a stored policy document as the parser would give it, so stored and filed policies compare alike. */
function storedPolicy(document: unknown): Policy {
  return policySchema.parse(document);
}

/** Parses the file, or throws its errors (BAD_REQUEST) named by path, e.g. `policies[1].limits[0].amount`. */
function requireFile(source: string): Policy[] {
  const parsed = parsePolicyDocument(source);
  if (!parsed.ok) throw refusal("tollgate.yaml is not valid", parsed.errors);
  return parsed.document.policies;
}


/** The organization's policies by name, each with its published version (null when none, or archived). */
async function publishedPolicies(db: Db, organizationId: string) {
  const rows = await db
    .select({ id: policies.id, name: policies.name, archivedAt: policies.archivedAt, version: policyVersions.version, document: policyVersions.document })
    .from(policies)
    .leftJoin(policyVersions, and(eq(policyVersions.policyId, policies.id), eq(policyVersions.status, "published")))
    .where(eq(policies.organizationId, organizationId))
    .orderBy(asc(policies.name));
  return new Map(
    rows.map((row) => [
      row.name,
      // An archived policy is not published, whatever its versions say: applying it again revives it.
      { id: row.id, published: row.version === null || row.archivedAt !== null ? null : { version: row.version, policy: storedPolicy(row.document) } },
    ]),
  );
}

type Published = Awaited<ReturnType<typeof publishedPolicies>>;

/** Whether `policy` from the file differs from what is published under its name. */
function changeOf(policy: Policy, published: Published): "create" | "update" | "unchanged" {
  const current = published.get(policy.name)?.published;
  if (!current) return "create";
  return canonicalYaml(current.policy) === canonicalYaml(policy) ? "unchanged" : "update";
}

/**
 * Compiles the organization's state with the file's policies in place of the published ones of the
 * same names, in memory, so plan and apply refuse exactly what publishing would refuse (a
 * delegation left wider than its delegator's new scope, say), before anything is written.
 */
async function requireCompiles(db: Db, organizationId: string, filed: Policy[], now: Date): Promise<void> {
  const state = await readOrganizationState(db, organizationId, now);
  const names = new Set(filed.map((policy) => policy.name));
  const others = state.policies.filter((entry) => !names.has(entry.name));
  const entries = filed.map((policy) => ({ policyId: `file:${policy.name}`, name: policy.name, version: 1, mode: policy.mode, document: policy }));
  const key = generateSigningKey();
  const compiled = compileSnapshot(
    { ...state, policies: [...others, ...entries] },
    { version: 0, issuedAt: now.toISOString(), signingKey: { keyId: key.keyId, privateKey: key.privateKey } },
  );
  if (!compiled.ok) throw refusal("tollgate.yaml does not compile", compiled.errors);
}

/** What applying the file would change, policy by policy, with a replay of each change over real decisions. */
export async function planTollgateFile({ ctx, input }: Action<z.infer<typeof planInput>>) {
  const { organizationId } = ctx.session;
  const now = new Date();
  const filed = requireFile(input.source);
  await requireCompiles(ctx.db, organizationId, filed, now);
  const published = await publishedPolicies(ctx.db, organizationId);
  const plans: z.input<typeof policyPlan>[] = [];
  for (const policy of filed) {
    const current = published.get(policy.name)?.published ?? null;
    const kind = changeOf(policy, published);
    let replay: z.input<typeof policyPlan>["replay"] = null;
    if (kind !== "unchanged") {
      const replayed = await replayPolicyDraft(ctx.db, organizationId, canonicalYaml(policy), { days: input.days, now, limit: input.examples });
      replay = replayed.ok
        ? { ok: true, report: replayed }
        : { ok: false, reason: `it compiles only with the file's other changes (${replayed.errors.map((error) => `${error.path}: ${error.message}`).join("; ")})` };
    }
    plans.push({
      name: policy.name,
      change: kind,
      publishedVersion: current?.version ?? null,
      diff: diffLines(current ? lines(current.policy) : [], lines(policy)),
      replay,
    });
  }
  const names = new Set(filed.map((policy) => policy.name));
  for (const [name, entry] of published) {
    if (names.has(name) || !entry.published) continue;
    plans.push({ name, change: "not_in_file", publishedVersion: entry.published.version, diff: [], replay: null });
  }
  return { policies: plans };
}

/**
 * Publishes every policy of the file that differs from what is published, as each one's next
 * version, in one transaction with its audit entries and one snapshot. An invalid file, or one
 * that does not compile with the rest of the organization, changes nothing.
 */
export async function applyTollgateFile({ ctx, input }: Action<z.infer<typeof tollgateFileInput>>) {
  const { organizationId } = ctx.session;
  const filed = requireFile(input.source);
  return ctx.db.transaction(async (tx) => {
    // Applies of one organization take turns (as its snapshots do), so each compares against
    // what the previous one published and version numbers never collide.
    await tx.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, organizationId)).for("update");
    const now = new Date();
    await requireCompiles(tx, organizationId, filed, now);
    const published = await publishedPolicies(tx, organizationId);
    const applied: z.input<typeof appliedFile>["policies"] = [];
    for (const policy of filed) {
      const kind = changeOf(policy, published);
      const existing = published.get(policy.name);
      if (kind === "unchanged") {
        applied.push({ name: policy.name, change: kind, version: existing?.published?.version ?? null });
        continue;
      }
      let policyId = existing?.id;
      let previous: Awaited<ReturnType<typeof publishedVersionOf>> = null;
      if (policyId) {
        await tx.update(policies).set({ description: policy.description ?? "", archivedAt: null }).where(eq(policies.id, policyId));
        previous = await publishedVersionOf(tx, policyId);
        if (previous) await tx.update(policyVersions).set({ status: "superseded" }).where(eq(policyVersions.id, previous.id));
      } else {
        const [created] = await tx.insert(policies).values({ organizationId, name: policy.name, description: policy.description ?? "" }).returning({ id: policies.id });
        policyId = created!.id;
      }
      const row = await appendVersion(tx, ctx.session, policyId, canonicalYaml(policy), policy, now, true);
      // The same version row and audit entry as the console's publish, so the log reads the same either way.
      await auditPolicy(tx, ctx.session, "policy.publish", policyId, previous ? audited(previous) : null, audited(row), now);
      applied.push({ name: policy.name, change: kind, version: row.version });
    }
    const changed = applied.some((entry) => entry.change !== "unchanged");
    const snapshotVersion = changed ? await publishChange(tx, organizationId, "policy.publish") : null;
    return { policies: applied, snapshotVersion };
  });
}

/** The organization's published policies as one `tollgate.yaml` that `apply` accepts unchanged. */
export async function exportTollgateFile({ ctx }: Action) {
  const rows = await ctx.db
    .select({ document: policyVersions.document })
    .from(policyVersions)
    .innerJoin(policies, eq(policies.id, policyVersions.policyId))
    .where(and(eq(policyVersions.organizationId, ctx.session.organizationId), eq(policyVersions.status, "published"), isNull(policies.archivedAt)))
    .orderBy(asc(policies.name));
  const documents = rows.map((row) => withoutEmptyLists(storedPolicy(row.document)));
  const source = `# The organization's published policies: \`tollgate plan -f\` shows a change, \`tollgate apply -f\` publishes it.\n${stringify({ policies: documents }, { lineWidth: 0 })}`;
  return { source, policies: documents.length };
}
