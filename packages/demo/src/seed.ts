import { readFileSync } from "node:fs";
import { hashPassword, issueAgentKey, publishSnapshot, recomputeTrustScores, recordAudit } from "@tollgate/api";
import {
  agentSessions,
  agents,
  apiKeys,
  policies,
  policyVersions,
  approvals,
  decisions,
  delegations,
  organizations,
  reservations,
  trustScoreHistory,
  users,
  type Db,
} from "@tollgate/db";
import { eq } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import { parsePolicyDocument } from "@tollgate/policy";
import { stringify } from "yaml";
import { demoAgents, demoDelegations, demoOrganization, demoPassword, demoUsers } from "./cast";
import { synthesizeHistory } from "./history";
import { Random } from "@tollgate/simulator";

const DAY = 24 * 60 * 60 * 1000;
/** The same seed on every machine: the demo history is identical everywhere. */
export const DEMO_SEED = 20_261_124;
const HISTORY_DAYS = 30;
const APPROVAL_THRESHOLD = 25_000;

/** The agent whose key the start banner prints, so a newcomer can call the worker at once. */
const KEY_SHOWN_FOR = "checkout-bot";

export interface SeedResult {
  /** False when the demo organization was already there: seeding twice changes nothing. */
  created: boolean;
  organizationId: string;
  credentials: { email: string; password: string; role: string }[];
  /** A demo agent's API key. Demo keys are derived from a fixed seed: never use them beyond a laptop. */
  demoKey: { agent: string; key: string };
}

/** The demo policies, validated: a broken file is a bug in this package, so it throws. */
function demoPolicies() {
  const parsed = parsePolicyDocument(readFileSync(new URL("./policies.yaml", import.meta.url), "utf8"));
  if (!parsed.ok) throw new Error(`demo policies do not parse: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`);
  return parsed.document.policies;
}

async function insertInBatches<T extends PgTable>(db: Db, table: T, rows: T["$inferInsert"][]): Promise<void> {
  for (let index = 0; index < rows.length; index += 500) {
    await db.insert(table).values(rows.slice(index, index + 500));
  }
}

/**
 * Creates the demo organization with its people, agents, delegations and 30 days of history,
 * in one transaction. Does nothing if the organization exists.
 */
export async function seedDemo(db: Db, options: { now?: Date } = {}): Promise<SeedResult> {
  const now = options.now ?? new Date();
  const credentials = demoUsers.map((user) => ({ email: user.email, password: demoPassword, role: user.role }));
  const policySet = demoPolicies();
  // Keys come from their own fixed seed, so the key printed at start is the same on every machine.
  const keyRandom = new Random(DEMO_SEED + 1);
  const keys = demoAgents.map(() => issueAgentKey((n) => Math.floor(keyRandom.next() * n)));
  const demoKey = { agent: KEY_SHOWN_FOR, key: keys[demoAgents.findIndex((agent) => agent.name === KEY_SHOWN_FOR)]!.key };
  const passwordHashes = await Promise.all(demoUsers.map(() => hashPassword(demoPassword)));

  return db.transaction(async (tx) => {
    const [existing] = await tx
      .select({ id: organizations.id })
      .from(organizations)
      .where(eq(organizations.slug, demoOrganization.slug));
    if (existing) return { created: false, organizationId: existing.id, credentials, demoKey };

    const random = new Random(DEMO_SEED);
    const founded = new Date(now.getTime() - 45 * DAY);
    const [organization] = await tx
      .insert(organizations)
      .values({ ...demoOrganization, createdAt: founded })
      .returning();
    const organizationId = organization!.id;

    const people = await tx
      .insert(users)
      .values(
        demoUsers.map(({ key: _key, ...user }, index) => ({
          ...user,
          organizationId,
          passwordHash: passwordHashes[index]!,
          createdAt: founded,
        })),
      )
      .returning();
    const userId = Object.fromEntries(demoUsers.map((user, index) => [user.key, people[index]!.id]));

    const createdAgents = await tx
      .insert(agents)
      .values(
        demoAgents.map((agent) => ({
          organizationId,
          name: agent.name,
          description: agent.description,
          ownerUserId: userId[agent.owner]!,
          tags: [...agent.tags],
          status: agent.suspended ? ("suspended" as const) : ("active" as const),
          suspendedAt: agent.suspended ? new Date(now.getTime() - 22 * DAY) : null,
          suspendedReason: agent.suspended ?? null,
          createdAt: founded,
          updatedAt: founded,
        })),
      )
      .returning();
    const agentId = Object.fromEntries(createdAgents.map((agent) => [agent.name, agent.id]));
    await tx.insert(apiKeys).values(
      createdAgents.map((agent, index) => ({
        organizationId,
        agentId: agent.id,
        name: "demo",
        prefix: keys[index]!.prefix,
        hash: keys[index]!.hash,
        createdByUserId: userId.admin!,
        createdAt: founded,
      })),
    );

    for (const policy of policySet) {
      const [row] = await tx
        .insert(policies)
        .values({ organizationId, name: policy.name, description: policy.description ?? "", createdAt: founded })
        .returning();
      await tx.insert(policyVersions).values({
        organizationId,
        policyId: row!.id,
        version: 1,
        source: stringify(policy),
        document: policy,
        status: "published",
        mode: policy.mode,
        createdByUserId: userId.admin!,
        createdAt: founded,
        publishedAt: founded,
      });
    }

    const delegationIds = new Map<string, string>();
    const delegationIn = new Map<string, { id: string; chain: string[] }>();
    for (const grant of demoDelegations) {
      const parentId = "parent" in grant ? delegationIds.get(grant.parent) : undefined;
      const [row] = await tx
        .insert(delegations)
        .values({
          id: grant.id,
          organizationId,
          delegatorAgentId: agentId[grant.delegator]!,
          delegateAgentId: agentId[grant.delegate]!,
          parentDelegationId: parentId ?? null,
          scope: grant.scope,
          budgetAmount: grant.budget.amount,
          budgetCurrency: grant.budget.currency,
          maxDepth: grant.maxDepth,
          expiresAt: new Date(now.getTime() + grant.expiresInDays * DAY),
          createdByUserId: userId.admin!,
          createdAt: new Date(now.getTime() - 20 * DAY),
        })
        .returning();
      delegationIds.set(`${grant.delegator}>${grant.delegate}`, row!.id);
      const upstream = delegationIn.get(grant.delegator)?.chain ?? [agentId[grant.delegator]!];
      delegationIn.set(grant.delegate, { id: row!.id, chain: [agentId[grant.delegate]!, ...upstream] });
    }

    const history = synthesizeHistory({
      random,
      organizationId,
      now,
      days: HISTORY_DAYS,
      agents: demoAgents.map((cast) => ({ id: agentId[cast.name]!, cast, delegationIn: delegationIn.get(cast.name) })),
      reviewerIds: [userId.reviewer!, userId.admin!],
      approvalThreshold: APPROVAL_THRESHOLD,
    });
    await insertInBatches(tx, agentSessions, history.sessions);
    await insertInBatches(tx, decisions, history.decisions);
    await insertInBatches(tx, reservations, history.reservations);
    await insertInBatches(tx, approvals, history.approvals);
    await insertInBatches(tx, trustScoreHistory, history.trust);
    // Today's scores come from the trust model applied to the history just written.
    await recomputeTrustScores(tx, organizationId, now);

    await recordAudit(tx, {
      organizationId,
      actorKind: "system",
      actorUserId: null,
      action: "organization.seed",
      targetType: "organization",
      targetId: organizationId,
      before: null,
      after: { ...demoOrganization, agents: demoAgents.length, delegations: demoDelegations.length, policies: policySet.map((p) => p.name) },
      createdAt: founded,
    });
    const published = await publishSnapshot({ db: tx, organizationId, cause: "demo.seed", now });
    if (!published.ok) {
      throw new Error(`demo snapshot does not compile: ${published.errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`);
    }
    return { created: true, organizationId, credentials, demoKey };
  });
}
