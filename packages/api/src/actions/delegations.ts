import { and, count, desc, eq } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { agents, delegations } from "@tollgate/db";
import { z } from "zod";
import type { Action } from "../context";
import { isoTime, money, moneyOrNull, pageInput, pageOf, rowsOf } from "./wire";

export const listDelegationsInput = pageInput;

const agentRef = z.object({ id: z.uuid(), name: z.string() });

export const delegationSummary = z.object({
  id: z.uuid(),
  delegator: agentRef,
  delegate: agentRef,
  parentDelegationId: z.uuid().nullable(),
  /** The actions granted (wildcards allowed), as the scope names them. */
  actions: z.array(z.string()),
  budget: money.nullable(),
  maxDepth: z.number().int(),
  status: z.enum(["active", "expired", "revoked"]),
  expiresAt: isoTime,
  revokedAt: isoTime.nullable(),
  createdAt: isoTime,
});
export const delegationPage = pageOf(delegationSummary);

const delegator = alias(agents, "delegator");
const delegate = alias(agents, "delegate");
const scopeActions = z.object({ actions: z.array(z.string()) });

/** The organization's delegations, newest first, with whether each is active, expired or revoked now. */
export async function listDelegations({ ctx, input }: Action<z.infer<typeof listDelegationsInput>>) {
  const where = eq(delegations.organizationId, ctx.session.organizationId);
  const { limit, offset } = rowsOf(input);
  const rows = await ctx.db
    .select({
      id: delegations.id,
      delegator: { id: delegator.id, name: delegator.name },
      delegate: { id: delegate.id, name: delegate.name },
      parentDelegationId: delegations.parentDelegationId,
      scope: delegations.scope,
      budgetAmount: delegations.budgetAmount,
      budgetCurrency: delegations.budgetCurrency,
      maxDepth: delegations.maxDepth,
      expiresAt: delegations.expiresAt,
      revokedAt: delegations.revokedAt,
      createdAt: delegations.createdAt,
    })
    .from(delegations)
    .innerJoin(delegator, and(eq(delegator.organizationId, delegations.organizationId), eq(delegator.id, delegations.delegatorAgentId)))
    .innerJoin(delegate, and(eq(delegate.organizationId, delegations.organizationId), eq(delegate.id, delegations.delegateAgentId)))
    .where(where)
    .orderBy(desc(delegations.createdAt), desc(delegations.id))
    .limit(limit)
    .offset(offset);
  const [{ total } = { total: 0 }] = await ctx.db.select({ total: count() }).from(delegations).where(where);
  const now = Date.now();
  const items = rows.map(({ scope, budgetAmount, budgetCurrency, ...delegation }) => ({
    ...delegation,
    actions: scopeActions.safeParse(scope).data?.actions ?? [],
    budget: moneyOrNull(budgetAmount, budgetCurrency),
    status: delegation.revokedAt ? ("revoked" as const) : delegation.expiresAt.getTime() <= now ? ("expired" as const) : ("active" as const),
  }));
  return { items, page: input.page, pageSize: input.pageSize, total };
}
