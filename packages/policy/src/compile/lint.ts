import type { AccessRule, Cap, Limit, Policy } from "../document/schema";
import type { Selection } from "./profiles";
import { scopeCovers } from "../scope";

/** Something legal but probably not what the admin meant. Never blocks a publish. */
export interface LintWarning {
  readonly code: "selects_no_agent" | "unknown_agent" | "shadowed_rule" | "unreachable_rule";
  readonly path: string;
  readonly message: string;
}

export interface LintedPolicy {
  /** Position in the organization state, for paths. */
  readonly index: number;
  readonly name: string;
  readonly mode: "enforce" | "shadow";
  readonly document: Policy;
}

type Shadows<T> = (outer: T, inner: T) => boolean;

const coversAccess: Shadows<AccessRule> = (outer, inner) => scopeCovers(outer, inner);
const coversCap: Shadows<Cap> = (outer, inner) => outer.currency === inner.currency && outer.amount <= inner.amount && scopeCovers(outer, inner);
const coversLimit: Shadows<Limit> = (outer, inner) => outer.period === inner.period && coversCap(outer, inner);

/**
 * Warns about selectors that select nobody, rules another rule of the same policy makes
 * redundant, and grants that a deny selecting the same agents makes unreachable.
 * `policies` are in snapshot order, matching the positions in `selection`.
 */
export function lintPolicies(policies: readonly LintedPolicy[], selection: Selection, agentIds: ReadonlySet<string>): LintWarning[] {
  const warnings: LintWarning[] = [];
  policies.forEach((policy, position) => {
    const where = `policies[${policy.index}].document`;
    const { selector } = policy.document;
    selector.agents?.forEach((id, index) => {
      if (!agentIds.has(id)) warnings.push({ code: "unknown_agent", path: `${where}.selector.agents[${index}]`, message: `names ${id}, which is no agent of this organization` });
    });
    if (selection.selectedCount[position] === 0) {
      warnings.push({ code: "selects_no_agent", path: `${where}.selector`, message: `policy "${policy.name}" selects no agent, so none of its rules apply` });
    }
    reportShadowed(warnings, where, "grants", policy.document.grants, coversAccess);
    reportShadowed(warnings, where, "denies", policy.document.denies, coversAccess);
    reportShadowed(warnings, where, "caps", policy.document.caps, coversCap);
    reportShadowed(warnings, where, "limits", policy.document.limits, coversLimit);
  });
  reportUnreachableGrants(warnings, policies, selection);
  return warnings;
}

function reportShadowed<T extends { id: string }>(warnings: LintWarning[], where: string, section: string, rules: readonly T[], shadows: Shadows<T>): void {
  rules.forEach((inner, innerIndex) => {
    const outerIndex = rules.findIndex(
      (outer, index) => index !== innerIndex && shadows(outer, inner) && !(index > innerIndex && shadows(inner, outer)),
    );
    if (outerIndex === -1) return;
    warnings.push({
      code: "shadowed_rule",
      path: `${where}.${section}[${innerIndex}]`,
      message: `rule "${inner.id}" never decides anything: ${section}[${outerIndex}] ("${rules[outerIndex]!.id}") already covers every call it does, at least as strictly`,
    });
  });
}

// Checked per profile, since a deny only shadows a grant for agents both policies select.
function reportUnreachableGrants(warnings: LintWarning[], policies: readonly LintedPolicy[], selection: Selection): void {
  const reported = new Set<string>();
  for (const profile of selection.profiles) {
    const enforced = profile.map((position) => policies[position]!).filter((policy) => policy.mode === "enforce");
    const denies = enforced.flatMap((policy) => policy.document.denies.map((deny) => ({ policy, deny })));
    if (denies.length === 0) continue;
    for (const policy of enforced) {
      policy.document.grants.forEach((grant, index) => {
        const path = `policies[${policy.index}].document.grants[${index}]`;
        if (reported.has(path)) return;
        const blocker = denies.find(({ deny }) => scopeCovers(deny, grant));
        if (blocker === undefined) return;
        reported.add(path);
        warnings.push({
          code: "unreachable_rule",
          path,
          message: `grant "${grant.id}" is unreachable for agents policy "${blocker.policy.name}" also selects: its deny "${blocker.deny.id}" covers every call the grant allows`,
        });
      });
    }
  }
}
