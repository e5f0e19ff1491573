import { z } from "zod";
import { describeIssue, toValidationErrors, type ValidationError } from "../document/issues";
import { policySchema, type Policy, type RuleSet } from "../document/schema";
import { SNAPSHOT_FORMAT, type SignedSnapshot, type SnapshotBody } from "../snapshot/schema";
import { contentHash, signHash } from "../snapshot/sign";
import { checkDelegations, type Authority } from "./delegations";
import { lintPolicies, type LintWarning } from "./lint";
import { compare, selectProfiles } from "./profiles";
import { organizationStateSchema, type OrganizationState, type ValidatedState } from "./state";

const compileOptionsSchema = z.object({
  /** The snapshot version; the control plane makes it increase with every publish. */
  version: z.int().nonnegative(),
  /** When the snapshot is issued: the compiler's only clock, used to tell live delegations. */
  issuedAt: z.iso.datetime({ offset: true, error: "must be an ISO 8601 timestamp with an offset" }),
  signingKey: z.object({
    keyId: z.string().min(1),
    privateKey: z.string().regex(/^[0-9a-f]{64}$/, { error: "must be a 32-byte Ed25519 private key in lowercase hex" }),
  }),
});

export type CompileOptions = z.input<typeof compileOptionsSchema>;

export type CompileResult =
  | { readonly ok: true; readonly snapshot: SignedSnapshot; readonly warnings: readonly LintWarning[] }
  | { readonly ok: false; readonly errors: readonly ValidationError[]; readonly warnings: readonly LintWarning[] };

interface CompiledPolicy {
  readonly index: number;
  readonly entry: ValidatedState["policies"][number];
  readonly document: Policy;
}

/**
 * Compiles an organization's state into a signed snapshot, or refuses with path-named errors.
 * The result depends only on the state and options (never on list order or the clock), so the
 * same inputs give the same hash.
 *
 * @example compileSnapshot(state, { version: 42, issuedAt: "2026-11-24T09:00:00Z", signingKey })
 */
export function compileSnapshot(state: OrganizationState, options: CompileOptions): CompileResult {
  const parsedOptions = compileOptionsSchema.safeParse(options, { error: describeIssue });
  if (!parsedOptions.success) return refuse(toValidationErrors(parsedOptions.error, ["options"]));
  const parsedState = organizationStateSchema.safeParse(state, { error: describeIssue });
  if (!parsedState.success) return refuse(toValidationErrors(parsedState.error));
  const { version, issuedAt, signingKey } = parsedOptions.data;
  const valid = parsedState.data;

  const errors: ValidationError[] = [];
  const compiled: CompiledPolicy[] = [];
  valid.policies.forEach((entry, index) => {
    const document = policySchema.safeParse(entry.document, { error: describeIssue });
    if (document.success) compiled.push({ index, entry, document: document.data });
    else errors.push(...toValidationErrors(document.error, ["policies", index, "document"]));
  });
  errors.push(...findDuplicates(valid));
  if (errors.length > 0) return refuse(errors);

  const agents = [...valid.agents].sort((a, b) => compare(a.id, b.id));
  const policies = compiled.sort((a, b) => compare(a.entry.policyId, b.entry.policyId));
  const selection = selectProfiles(agents, policies);
  const agentIds = new Set(agents.map((agent) => agent.id));
  const warnings = lintPolicies(
    policies.map(({ index, entry, document }) => ({ index, name: entry.name, mode: entry.mode, document })),
    selection,
    agentIds,
  );

  // Delegators share profiles, so authority is worked out once per profile.
  const authorityByProfile = new Map<number, Authority>();
  const authorityOf = (agentId: string): Authority => {
    const position = selection.profileOf.get(agentId)!;
    let authority = authorityByProfile.get(position);
    if (authority === undefined) {
      const enforced = selection.profiles[position]!.map((index) => policies[index]!).filter((policy) => policy.entry.mode === "enforce");
      authority = { grants: enforced.flatMap((policy) => policy.document.grants), limits: enforced.flatMap((policy) => policy.document.limits) };
      authorityByProfile.set(position, authority);
    }
    return authority;
  };
  const delegationCheck = checkDelegations(valid.delegations, agentIds, authorityOf, Date.parse(issuedAt));
  if (delegationCheck.errors.length > 0) return refuse(delegationCheck.errors, warnings);

  const body: SnapshotBody = {
    format: SNAPSHOT_FORMAT,
    version,
    issuedAt,
    signingKeyId: signingKey.keyId,
    organization: valid.organization,
    policies: policies.map(({ entry, document }) => ({
      policyId: entry.policyId,
      name: entry.name,
      version: entry.version,
      // The published row's mode wins: the console can switch a version to shadow without editing it.
      mode: entry.mode,
      rules: ruleSetOf(document),
    })),
    profiles: selection.profiles.map((positions) => ({ policies: [...positions] })),
    agents: Object.fromEntries(
      agents.map((agent) => {
        const baselines = valid.spendBaselines[agent.id] ?? [];
        const entry = { name: agent.name, status: agent.status, profile: selection.profileOf.get(agent.id)!, trustScore: valid.trustScores[agent.id] ?? null };
        // Sorted, so that the content hash does not depend on the order the database listed them in.
        return [agent.id, baselines.length === 0 ? entry : { ...entry, spendBaselines: [...baselines].sort((a, b) => compare(a.currency, b.currency)) }];
      }),
    ),
    keys: Object.fromEntries(
      agents.flatMap((agent) =>
        agent.keys.map((key) => [key.hash, { keyId: key.id, agentId: agent.id, prefix: key.prefix, expiresAt: key.expiresAt, revokedAt: key.revokedAt }]),
      ),
    ),
    delegations: Object.fromEntries(
      [...valid.delegations]
        .sort((a, b) => compare(a.id, b.id))
        .map((delegation) => [
          delegation.id,
          {
            delegatorAgentId: delegation.delegatorAgentId,
            delegateAgentId: delegation.delegateAgentId,
            parentDelegationId: delegation.parentDelegationId,
            chain: [...delegationCheck.chains.get(delegation.id)!],
            scope: delegation.scope,
            budget: delegation.budget,
            maxDepth: delegation.maxDepth,
            expiresAt: delegation.expiresAt,
            revokedAt: delegation.revokedAt,
          },
        ]),
    ),
  };
  const hash = contentHash(body);
  return { ok: true, snapshot: { body, hash, signature: signHash(hash, signingKey.privateKey) }, warnings };
}

function ruleSetOf(document: Policy): RuleSet {
  const { grants, denies, caps, limits, approvals, velocity, loops, timeWindows, anomalies } = document;
  return { grants, denies, caps, limits, approvals, velocity, loops, timeWindows, anomalies };
}

function refuse(errors: readonly ValidationError[], warnings: readonly LintWarning[] = []): CompileResult {
  return { ok: false, errors, warnings };
}

/** Ids that must be unique across the organization: a repeat would make an index ambiguous. */
function findDuplicates(state: ValidatedState): ValidationError[] {
  const errors: ValidationError[] = [];
  const unique = (items: readonly { id: string; path: string }[], what: string) => {
    const firstSeen = new Map<string, string>();
    for (const { id, path } of items) {
      const earlier = firstSeen.get(id);
      if (earlier === undefined) firstSeen.set(id, path);
      else errors.push({ path, message: `${what} ${id} is also at ${earlier}` });
    }
  };
  unique(state.agents.map((agent, index) => ({ id: agent.id, path: `agents[${index}].id` })), "agent id");
  unique(
    state.agents.flatMap((agent, index) => agent.keys.map((key, keyIndex) => ({ id: key.hash, path: `agents[${index}].keys[${keyIndex}].hash` }))),
    "key hash",
  );
  unique(state.policies.map((policy, index) => ({ id: policy.policyId, path: `policies[${index}].policyId` })), "policy id");
  unique(state.delegations.map((delegation, index) => ({ id: delegation.id, path: `delegations[${index}].id` })), "delegation id");
  return errors;
}
