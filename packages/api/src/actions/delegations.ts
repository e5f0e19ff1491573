import { and, count, desc, eq, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { agents, delegations, type Db } from "@tollgate/db";
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
  /** The merchants and categories the scope narrows to; null places no condition. */
  merchants: z.array(z.string()).nullable(),
  categories: z.array(z.string()).nullable(),
  budget: money.nullable(),
  maxDepth: z.number().int(),
  status: z.enum(["active", "expired", "revoked"]),
  expiresAt: isoTime,
  revokedAt: isoTime.nullable(),
  createdAt: isoTime,
});
export const delegationPage = pageOf(delegationSummary);
export type DelegationSummary = z.input<typeof delegationSummary>;

const delegator = alias(agents, "delegator");
const delegate = alias(agents, "delegate");
// The column holds what the compiler accepted; parsing keeps a hand-edited row from breaking the page.
const storedScope = z.object({ actions: z.array(z.string()), merchants: z.array(z.string()).optional(), categories: z.array(z.string()).optional() });

/** Delegations matching `where` with both agents' names, in the shape `delegationSummary` reads; the caller orders and limits. */
export function selectDelegations(db: Db, where: SQL | undefined) {
  return db
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
    .$dynamic();
}

type DelegationRow = Awaited<ReturnType<typeof selectDelegations>>[number];

/** Whether a delegation is active, expired or revoked at `now`. */
export function delegationStatus({ revokedAt, expiresAt }: { revokedAt: Date | null; expiresAt: Date }, now: Date) {
  if (revokedAt) return "revoked" as const;
  return expiresAt.getTime() <= now.getTime() ? ("expired" as const) : ("active" as const);
}

/** A selected row as the wire's summary, with its status at `now`. */
export function summaryOf({ scope, budgetAmount, budgetCurrency, ...delegation }: DelegationRow, now: Date): DelegationSummary {
  const parsed = storedScope.safeParse(scope).data;
  return {
    ...delegation,
    actions: parsed?.actions ?? [],
    merchants: parsed?.merchants ?? null,
    categories: parsed?.categories ?? null,
    budget: moneyOrNull(budgetAmount, budgetCurrency),
    status: delegationStatus(delegation, now),
  };
}

/** The organization's delegations, newest first, with whether each is active, expired or revoked now. */
export async function listDelegations({ ctx, input }: Action<z.infer<typeof listDelegationsInput>>) {
  const where = eq(delegations.organizationId, ctx.session.organizationId);
  const { limit, offset } = rowsOf(input);
  const rows = await selectDelegations(ctx.db, where).orderBy(desc(delegations.createdAt), desc(delegations.id)).limit(limit).offset(offset);
  const [{ total } = { total: 0 }] = await ctx.db.select({ total: count() }).from(delegations).where(where);
  const now = new Date();
  return { items: rows.map((row) => summaryOf(row, now)), page: input.page, pageSize: input.pageSize, total };
}
