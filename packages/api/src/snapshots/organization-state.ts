import { agents, apiKeys, delegations, organizations, policies, policyVersions, trustScores, type Db } from "@tollgate/db";
import type { OrganizationState } from "@tollgate/policy";
import { NEUTRAL_SCORE } from "@tollgate/trust";
import { and, eq, gt, isNull } from "drizzle-orm";
import { readSpendBaselines } from "./spend-baselines";

const iso = (value: Date | null) => (value ? value.toISOString() : null);

// Recently expired delegations stay in the snapshot so a late call is told "expired", not "unknown".
const EXPIRED_DELEGATION_GRACE_MS = 7 * 24 * 60 * 60 * 1000;

/** Whether a stored policy document (validated at publish) has an anomaly rule. */
function hasAnomalyRules({ document }: { document: unknown }): boolean {
  const anomalies = (document as { anomalies?: unknown[] }).anomalies;
  return Array.isArray(anomalies) && anomalies.length > 0;
}

/** Reads everything a decision depends on for one organization, in the compiler's input shape. */
export async function readOrganizationState(db: Db, organizationId: string, now: Date): Promise<OrganizationState> {
  const [organization] = await db
    .select({ id: organizations.id, timeZone: organizations.timeZone })
    .from(organizations)
    .where(eq(organizations.id, organizationId));
  if (!organization) throw new Error(`organization ${organizationId} does not exist`);

  const [agentRows, keyRows, policyRows, delegationRows, scoreRows] = await Promise.all([
    db.select().from(agents).where(eq(agents.organizationId, organizationId)),
    db.select().from(apiKeys).where(eq(apiKeys.organizationId, organizationId)),
    db
      .select({ policyId: policies.id, name: policies.name, version: policyVersions.version, mode: policyVersions.mode, document: policyVersions.document })
      .from(policyVersions)
      .innerJoin(policies, eq(policies.id, policyVersions.policyId))
      .where(and(eq(policyVersions.organizationId, organizationId), eq(policyVersions.status, "published"), isNull(policies.archivedAt))),
    db
      .select()
      .from(delegations)
      .where(
        and(
          eq(delegations.organizationId, organizationId),
          gt(delegations.expiresAt, new Date(now.getTime() - EXPIRED_DELEGATION_GRACE_MS)),
        ),
      ),
    db.select({ agentId: trustScores.agentId, score: trustScores.score }).from(trustScores).where(eq(trustScores.organizationId, organizationId)),
  ]);

  const scores = new Map(scoreRows.map((row) => [row.agentId, row.score]));
  const keysByAgent = new Map<string, typeof keyRows>();
  for (const key of keyRows) keysByAgent.set(key.agentId, [...(keysByAgent.get(key.agentId) ?? []), key]);
  return {
    organization,
    agents: agentRows.map((agent) => ({
      id: agent.id,
      name: agent.name,
      ownerUserId: agent.ownerUserId,
      tags: agent.tags,
      status: agent.status,
      keys: (keysByAgent.get(agent.id) ?? []).map((key) => ({
        id: key.id,
        prefix: key.prefix,
        hash: key.hash,
        expiresAt: iso(key.expiresAt),
        revokedAt: iso(key.revokedAt),
      })),
    })),
    policies: policyRows,
    delegations: delegationRows.map((delegation) => ({
      id: delegation.id,
      delegatorAgentId: delegation.delegatorAgentId,
      delegateAgentId: delegation.delegateAgentId,
      parentDelegationId: delegation.parentDelegationId,
      scope: delegation.scope as OrganizationState["delegations"][number]["scope"],
      budget:
        delegation.budgetAmount === null || delegation.budgetCurrency === null
          ? null
          : { amount: delegation.budgetAmount, currency: delegation.budgetCurrency },
      maxDepth: delegation.maxDepth,
      expiresAt: delegation.expiresAt.toISOString(),
      revokedAt: iso(delegation.revokedAt),
    })),
    // An agent not scored yet starts at the model's neutral score, not as the least trusted.
    trustScores: Object.fromEntries(agentRows.map((agent) => [agent.id, scores.get(agent.id) ?? NEUTRAL_SCORE])),
    // Only an anomaly rule reads baselines, and they cost an aggregate over a month of spends.
    spendBaselines: policyRows.some(hasAnomalyRules) ? await readSpendBaselines(db, organizationId, now) : {},
  };
}
