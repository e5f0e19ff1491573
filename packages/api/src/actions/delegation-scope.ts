import { delegations, type Db } from "@tollgate/db";
import { compileSnapshot, generateSigningKey } from "@tollgate/policy";
import { and, desc, eq, gt, gte, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Action } from "../context";
import { Conflict } from "../errors";
import { readOrganizationState } from "../snapshots/organization-state";
import type { agentIdInput } from "./agent-status";
import { agentOf } from "./agents";
import { delegationSummary, selectDelegations, summaryOf } from "./delegations";

/**
 * Compiles the organization's state as `db` sees it now (inside the caller's transaction, with
 * its uncommitted changes), storing and announcing nothing: the compiler's own reading of what
 * each agent is granted, and its verdict on a change before it is published.
 */
export async function compileOrganization(db: Db, organizationId: string, now: Date) {
  const state = await readOrganizationState(db, organizationId, now);
  // Nothing is stored, so a throwaway key signs it: the organization's keys stay with publishSnapshot.
  const { keyId, privateKey } = generateSigningKey();
  return { state, result: compileSnapshot(state, { version: 0, issuedAt: now.toISOString(), signingKey: { keyId, privateKey } }) };
}

const nullableList = z.array(z.string()).nullable();

/** What an agent may pass on: its own grants and envelopes, and the delegations it may re-delegate. */
export const delegableScope = z.object({
  agent: z.object({ id: z.uuid(), name: z.string(), status: z.enum(["active", "suspended"]) }),
  /** The grants of its enforced policies: a delegation on its own authority must fit inside one of them. */
  grants: z.array(z.object({ policy: z.string(), rule: z.string(), actions: z.array(z.string()), merchants: nullableList, categories: nullableList })),
  /** Its envelopes over all its spend: a budget is carved from the largest one in its currency. */
  envelopes: z.array(z.object({ policy: z.string(), rule: z.string(), amount: z.number().int(), currency: z.string(), period: z.string() })),
  /** Live delegations it received that allow re-delegation: a re-delegation must fit inside the one it extends. */
  received: z.array(delegationSummary),
});

export async function getDelegableScope({ ctx, input }: Action<z.infer<typeof agentIdInput>>) {
  const { organizationId } = ctx.session;
  const now = new Date();
  const agent = await agentOf(ctx.db, organizationId, input.agentId);
  const { result } = await compileOrganization(ctx.db, organizationId, now);
  if (!result.ok) {
    throw new Conflict(`The organization's policies do not compile, so no scope can be granted (${result.errors.map((error) => `${error.path}: ${error.message}`).join("; ")}).`);
  }
  const { body } = result.snapshot;
  // The compiler's authority: the enforced policies of the agent's profile (shadow policies grant nothing).
  const enforced = body.profiles[body.agents[agent.id]!.profile]!.policies.map((position) => body.policies[position]!).filter((policy) => policy.mode === "enforce");
  const grants = enforced.flatMap((policy) =>
    policy.rules.grants.map((grant) => ({ policy: policy.name, rule: grant.id, actions: grant.actions, merchants: grant.merchants ?? null, categories: grant.categories ?? null })),
  );
  const envelopes = enforced.flatMap((policy) =>
    policy.rules.limits
      .filter((limit) => limit.actions === undefined && limit.merchants === undefined && limit.categories === undefined)
      .map((limit) => ({ policy: policy.name, rule: limit.id, amount: limit.amount, currency: limit.currency, period: limit.period })),
  );
  const received = await selectDelegations(
    ctx.db,
    and(
      eq(delegations.organizationId, organizationId),
      eq(delegations.delegateAgentId, agent.id),
      isNull(delegations.revokedAt),
      gt(delegations.expiresAt, now),
      gte(delegations.maxDepth, 1),
    ),
  ).orderBy(desc(delegations.createdAt));
  return { agent, grants, envelopes, received: received.map((row) => summaryOf(row, now)) };
}
