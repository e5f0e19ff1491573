import { policies, policyVersions, type Db } from "@tollgate/db";
import {
  compileSnapshot,
  generateSigningKey,
  loadSnapshot,
  parsePolicyDocument,
  type LintWarning,
  type LoadedSnapshot,
  type Policy,
  type ValidationError,
} from "@tollgate/policy";
import { and, eq, max } from "drizzle-orm";
import { z } from "zod";
import { Invalid } from "../errors";
import { readOrganizationState } from "../snapshots/organization-state";

/** Policy source text as an admin writes it (YAML or JSON), one policy. */
export const policySource = z
  .string()
  .min(1, { error: "the policy must not be empty" })
  .max(200_000, { error: "the policy must be at most 200,000 characters" });

export type DraftParse = { ok: true; policy: Policy } | { ok: false; errors: ValidationError[] };

/**
 * Parses the source of ONE policy: a lone policy, or a `policies:` list holding exactly one.
 * Errors keep the parser's paths (`grants[0].actions`), which the editor maps to lines.
 */
export function parseDraft(source: string): DraftParse {
  const parsed = parsePolicyDocument(source);
  if (!parsed.ok) return { ok: false, errors: [...parsed.errors] };
  const [policy, ...others] = parsed.document.policies;
  if (others.length > 0) return { ok: false, errors: [{ path: "policies", message: "must hold exactly one policy: the editor and replay work on one policy at a time" }] };
  return { ok: true, policy: policy! };
}

/** Validation errors as tRPC field errors keyed by their path, so the editor can place each at its line. */
export function refusal(message: string, errors: readonly ValidationError[]): Invalid {
  const fieldErrors: Record<string, string[]> = {};
  for (const error of errors) (fieldErrors[error.path] ??= []).push(error.message);
  return new Invalid(`${message}: ${errors.map((error) => `${error.path}: ${error.message}`).join("; ")}`, fieldErrors);
}

/** Parses a draft or throws its errors as a BAD_REQUEST naming each path. */
export function requireDraft(source: string): Policy {
  const parsed = parseDraft(source);
  if (!parsed.ok) throw refusal("The policy is not valid", parsed.errors);
  return parsed.policy;
}

export type DraftSnapshot =
  | { ok: true; policy: Policy; snapshot: LoadedSnapshot; policyId: string; version: number; warnings: readonly LintWarning[] }
  | { ok: false; errors: ValidationError[] };

/**
 * Compiles the organization's published state with `source` in place of the policy of the same
 * name (or added, when no such policy is published), into an in-memory snapshot that nothing
 * stores or serves. It is signed with a throwaway key: only this process ever loads it.
 * Compiler errors and warnings about the draft are given the draft's own paths (`grants[0]`, not
 * `policies[3].document.grants[0]`); errors elsewhere keep their full path.
 */
export async function compileDraft(db: Db, organizationId: string, source: string, now: Date): Promise<DraftSnapshot> {
  const parsed = parseDraft(source);
  if (!parsed.ok) return parsed;
  const { policy } = parsed;
  const state = await readOrganizationState(db, organizationId, now);
  const [existing] = await db
    .select({ id: policies.id, latest: max(policyVersions.version) })
    .from(policies)
    .leftJoin(policyVersions, eq(policyVersions.policyId, policies.id))
    .where(and(eq(policies.organizationId, organizationId), eq(policies.name, policy.name)))
    .groupBy(policies.id);
  const policyId = existing?.id ?? `draft:${policy.name}`;
  const version = (existing?.latest ?? 0) + 1;
  const others = state.policies.filter((entry) => entry.policyId !== policyId && entry.name !== policy.name);
  const draftEntry = { policyId, name: policy.name, version, mode: policy.mode, document: policy };
  const key = generateSigningKey();
  const compiled = compileSnapshot(
    { ...state, policies: [...others, draftEntry] },
    { version: 0, issuedAt: now.toISOString(), signingKey: { keyId: key.keyId, privateKey: key.privateKey } },
  );
  if (!compiled.ok) return { ok: false, errors: compiled.errors.map((error) => relativeTo(error, others.length)) };
  const loaded = loadSnapshot(compiled.snapshot, { [key.keyId]: key.publicKey });
  if (!loaded.ok) throw new Error(`a snapshot compiled here failed to load: ${loaded.error.message}`);
  return { ok: true, policy, snapshot: loaded.snapshot, policyId, version, warnings: compiled.warnings.map((warning) => relativeTo(warning, others.length)) };
}

function relativeTo<T extends { path: string }>(error: T, draftIndex: number): T {
  const prefix = `policies[${draftIndex}].document`;
  if (error.path === prefix) return { ...error, path: "(document)" };
  if (error.path.startsWith(`${prefix}.`)) return { ...error, path: error.path.slice(prefix.length + 1) };
  return error;
}
