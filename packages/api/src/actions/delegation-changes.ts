import { delegations, type Db } from "@tollgate/db";
import type { OrganizationState, ValidationError } from "@tollgate/policy";
import { and, eq, gt, inArray, isNull } from "drizzle-orm";
import { z } from "zod";
import { userAuditOf } from "../audit/chain";
import type { Action } from "../context";
import { Conflict, Invalid, NotFound } from "../errors";
import { publishChange } from "../snapshots/publish";
import { agentOf } from "./agents";
import { compileOrganization } from "./delegation-scope";
import { delegationStatus, delegationSummary, selectDelegations, summaryOf, type DelegationSummary } from "./delegations";

const labels = (what: string) =>
  z
    .array(z.string().trim().min(1, { error: `a ${what} must not be empty` }).max(100, { error: `a ${what} must be at most 100 characters` }))
    .min(1, { error: `name at least one ${what}, or leave the ${what}s out to allow any` })
    .max(50, { error: `name at most 50 ${what}s` })
    .optional();

/**
 * A delegation to create. Only the shape is checked here: whether the scope, budget and depth
 * fit the delegator (or the delegation it extends) is the compiler's call, made on the
 * organization with this delegation in it, so the console and the workers never disagree.
 */
export const createDelegationInput = z
  .object({
    delegatorAgentId: z.uuid({ error: "must be an agent id" }),
    delegateAgentId: z.uuid({ error: "must be an agent id" }),
    /** Re-delegates what the delegator was given by this delegation, instead of its own authority. */
    parentDelegationId: z.uuid({ error: "must be a delegation id" }).nullable().default(null),
    /** Action patterns (wildcards allowed), e.g. `search.*`. */
    actions: z.array(z.string().trim().min(1, { error: "an action must not be empty" })).min(1, { error: "name at least one action" }).max(50, { error: "name at most 50 actions" }),
    merchants: labels("merchant"),
    categories: labels("category"),
    /** Carved out of the delegator's envelope (or the parent's budget); all-time, in minor units. */
    budget: z
      .object({
        amount: z.int({ error: "the budget must be a whole number of minor units" }).positive({ error: "the budget must be more than zero" }),
        currency: z.string().regex(/^[A-Z]{3}$/, { error: "the currency must be an ISO 4217 code such as EUR" }),
      })
      .nullable()
      .default(null),
    /** How many further times the delegate may pass the scope on. */
    maxDepth: z.int({ error: "must be a whole number" }).min(0, { error: "must be 0 or more" }).max(8, { error: "must be at most 8" }).default(0),
    expiresAt: z.iso
      .datetime({ offset: true, error: "the expiry must be a date and time, like 2027-01-31T00:00:00Z" })
      .refine((value) => Date.parse(value) > Date.now(), { error: "the expiry must be in the future" }),
  })
  .refine((input) => input.delegatorAgentId !== input.delegateAgentId, { path: ["delegateAgentId"], error: "must be another agent than the delegator" });

/** The delegations a change touched, and the snapshot that carries it to the workers. */
export const delegationChange = z.object({ delegations: z.array(delegationSummary), snapshotVersion: z.number().int() });

/** A delegation as the audit log keeps it: plain JSON, so the hash chain reads back what it hashed. */
function audited(delegation: DelegationSummary) {
  const iso = (value: Date | string | null) => (value instanceof Date ? value.toISOString() : value);
  return {
    delegatorAgentId: delegation.delegator.id,
    delegateAgentId: delegation.delegate.id,
    parentDelegationId: delegation.parentDelegationId,
    scope: { actions: delegation.actions, merchants: delegation.merchants, categories: delegation.categories },
    budget: delegation.budget,
    maxDepth: delegation.maxDepth,
    expiresAt: iso(delegation.expiresAt),
    revokedAt: iso(delegation.revokedAt),
  };
}

const auditDelegation = userAuditOf("delegation");

async function summariesOf(tx: Db, organizationId: string, ids: string[], now: Date) {
  const rows = await selectDelegations(tx, and(eq(delegations.organizationId, organizationId), inArray(delegations.id, ids)));
  return ids.map((id) => summaryOf(rows.find((row) => row.id === id)!, now));
}

/**
 * The compiler's refusal of delegation `id` as field errors of the create form: a path under
 * that delegation (`delegations[3].scope.actions[0]`) names its input field (`actions`), and so
 * does an error elsewhere that names it (a sibling carve-out past the parent's budget). Agent
 * ids in the messages become names. Null when some error is about another part of the state.
 */
function fieldErrorsOf(errors: readonly ValidationError[], state: OrganizationState, id: string): Record<string, string[]> | null {
  const position = state.delegations.findIndex((delegation) => delegation.id === id);
  const names = new Map(state.agents.map((agent) => [agent.id, agent.name]));
  const readable = (message: string) =>
    message.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (uuid) => (uuid === id ? "this delegation" : (names.get(uuid) ?? uuid)));
  const fieldErrors: Record<string, string[]> = {};
  for (const error of errors) {
    const match = /^delegations\[(\d+)\]\.(?:scope\.)?([A-Za-z]+)/.exec(error.path);
    if (!match || (Number(match[1]) !== position && !error.message.includes(id))) return null;
    (fieldErrors[match[2]!] ??= []).push(readable(error.message));
  }
  return fieldErrors;
}

/**
 * Grants a delegation, if the compiler accepts the organization with it: a scope wider than the
 * delegator's, a budget past its envelope or its parent's, a loop or a chain too deep come back
 * as field errors and change nothing. Publishes the snapshot that carries it and audits it.
 */
export async function createDelegation({ ctx, input }: Action<z.infer<typeof createDelegationInput>>) {
  const { organizationId, userId } = ctx.session;
  return ctx.db.transaction(async (tx) => {
    const now = new Date();
    await agentOf(tx, organizationId, input.delegatorAgentId);
    await agentOf(tx, organizationId, input.delegateAgentId);
    if (input.parentDelegationId !== null) {
      const [parent] = await tx
        .select({ revokedAt: delegations.revokedAt, expiresAt: delegations.expiresAt })
        .from(delegations)
        .where(and(eq(delegations.organizationId, organizationId), eq(delegations.id, input.parentDelegationId)));
      if (!parent) throw new NotFound("delegation", input.parentDelegationId);
      const status = delegationStatus(parent, now);
      if (status !== "active") throw new Invalid(`Delegation ${input.parentDelegationId} is ${status}.`, { parentDelegationId: [`is ${status}: nothing can be re-delegated from it`] });
    }
    const [created] = await tx
      .insert(delegations)
      .values({
        organizationId,
        delegatorAgentId: input.delegatorAgentId,
        delegateAgentId: input.delegateAgentId,
        parentDelegationId: input.parentDelegationId,
        scope: { actions: input.actions, ...(input.merchants && { merchants: input.merchants }), ...(input.categories && { categories: input.categories }) },
        budgetAmount: input.budget?.amount ?? null,
        budgetCurrency: input.budget?.currency ?? null,
        maxDepth: input.maxDepth,
        expiresAt: new Date(input.expiresAt),
        createdByUserId: userId,
      })
      .returning({ id: delegations.id });
    const id = created!.id;
    const { state, result } = await compileOrganization(tx, organizationId, now);
    if (!result.ok) {
      const fieldErrors = fieldErrorsOf(result.errors, state, id);
      if (fieldErrors === null) {
        throw new Conflict(`The delegation was not granted: the organization's policies do not compile (${result.errors.map((error) => error.message).join("; ")}).`);
      }
      throw new Invalid(`The delegation was refused: ${Object.values(fieldErrors).flat().join("; ")}`, fieldErrors);
    }
    const [delegation] = await summariesOf(tx, organizationId, [id], now);
    await auditDelegation(tx, ctx.session, "delegation.create", id, null, audited(delegation!), now);
    return { delegations: [delegation!], snapshotVersion: await publishChange(tx, organizationId, "delegation.create") };
  });
}

export const revokeDelegationInput = z.object({ id: z.uuid({ error: "must be a delegation id" }) });

/**
 * Revokes a live delegation and every live delegation re-delegated from it, down the chain:
 * they act on its authority, which is gone. Each is audited; one snapshot carries them all.
 */
export async function revokeDelegation({ ctx, input }: Action<z.infer<typeof revokeDelegationInput>>) {
  const { organizationId } = ctx.session;
  return ctx.db.transaction(async (tx) => {
    const now = new Date();
    const [row] = await selectDelegations(tx, and(eq(delegations.organizationId, organizationId), eq(delegations.id, input.id)));
    if (!row) throw new NotFound("delegation", input.id);
    const status = delegationStatus(row, now);
    if (status !== "active") throw new Conflict(`Delegation from ${row.delegator.name} to ${row.delegate.name} is already ${status}.`);

    const live = and(eq(delegations.organizationId, organizationId), isNull(delegations.revokedAt), gt(delegations.expiresAt, now));
    const ids = [row.id];
    // The compiler refuses cyclic chains; the visited set keeps a corrupt table from looping here.
    for (let frontier = ids; frontier.length > 0; ) {
      const children = await tx.select({ id: delegations.id }).from(delegations).where(and(live, inArray(delegations.parentDelegationId, frontier)));
      frontier = children.map((child) => child.id).filter((id) => !ids.includes(id));
      ids.push(...frontier);
    }
    const before = await summariesOf(tx, organizationId, ids, now);
    // Only while unrevoked: a concurrent revocation that got there first keeps its audit entry.
    const revoked = await tx
      .update(delegations)
      .set({ revokedAt: now })
      .where(and(eq(delegations.organizationId, organizationId), inArray(delegations.id, ids), isNull(delegations.revokedAt)))
      .returning({ id: delegations.id });
    if (!revoked.some((changed) => changed.id === row.id)) throw new Conflict(`Delegation from ${row.delegator.name} to ${row.delegate.name} is already revoked.`);
    const changedIds = ids.filter((id) => revoked.some((changed) => changed.id === id));
    const after = await summariesOf(tx, organizationId, changedIds, now);
    for (const delegation of after) {
      await auditDelegation(tx, ctx.session, "delegation.revoke", delegation.id, audited(before.find((earlier) => earlier.id === delegation.id)!), audited(delegation), now);
    }
    return { delegations: after, snapshotVersion: await publishChange(tx, organizationId, "delegation.revoke") };
  });
}
