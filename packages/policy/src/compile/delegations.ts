import type { AccessRule, DelegationScope, Limit, RuleScope } from "../document/schema";
import type { ValidationError } from "../document/issues";
import { formatMoney } from "../money";
import { patternCovers } from "../match";
import { valuesCover } from "../scope";
import type { DelegationState } from "./state";

/** What an agent may do and spend on its own, from its enforced policies. */
export interface Authority {
  readonly grants: readonly AccessRule[];
  readonly limits: readonly Limit[];
}

interface CarveOut {
  readonly ceiling: number;
  readonly currency: string;
  /** Where to report the overdraft. */
  readonly path: string;
  readonly what: string;
  readonly parts: { id: string; amount: number }[];
}

export interface DelegationCheck {
  /** Delegation id → ids from the root of its chain down to itself; missing where no chain exists. */
  readonly chains: ReadonlyMap<string, readonly string[]>;
  readonly errors: readonly ValidationError[];
}

/**
 * Refuses delegations that would let a delegate exceed its delegator: scopes wider than the
 * delegator's, budgets carved past the parent's, cycles, and chains deeper than allowed.
 * Revoked or expired delegations keep their chain (so decisions can say why they fail) but are
 * not held to scope and budget rules any more.
 */
export function checkDelegations(
  delegations: readonly DelegationState[],
  agentIds: ReadonlySet<string>,
  authorityOf: (agentId: string) => Authority,
  issuedAtMs: number,
): DelegationCheck {
  const errors: ValidationError[] = [];
  const at = (index: number, field: string, message: string) => errors.push({ path: `delegations[${index}].${field}`, message });
  const byId = new Map(delegations.map((delegation, index) => [delegation.id, { delegation, index }]));

  delegations.forEach((delegation, index) => {
    for (const field of ["delegatorAgentId", "delegateAgentId"] as const) {
      if (!agentIds.has(delegation[field])) at(index, field, `names ${delegation[field]}, which is no agent of this organization`);
    }
    if (delegation.delegatorAgentId === delegation.delegateAgentId) at(index, "delegateAgentId", "must differ from delegatorAgentId");
    const parentId = delegation.parentDelegationId;
    if (parentId === null) return;
    const parent = byId.get(parentId)?.delegation;
    if (parent === undefined) at(index, "parentDelegationId", `names ${parentId}, which is no delegation of this organization`);
    else if (parent.delegateAgentId !== delegation.delegatorAgentId) {
      at(index, "parentDelegationId", `delegation ${parentId} was granted to ${parent.delegateAgentId}, not to this delegation's delegator ${delegation.delegatorAgentId}`);
    }
  });

  const chains = linkChains(delegations, byId, at);
  const live = (delegation: DelegationState) =>
    Date.parse(delegation.expiresAt) > issuedAtMs && (delegation.revokedAt === null || Date.parse(delegation.revokedAt) > issuedAtMs);

  // Budgets carved from one source, by the source: a parent delegation id, or delegator + currency.
  const carveOuts = new Map<string, CarveOut>();
  const carveOutOf = (source: string, details: Omit<CarveOut, "parts">) => {
    let entry = carveOuts.get(source);
    if (entry === undefined) {
      entry = { ...details, parts: [] };
      carveOuts.set(source, entry);
    }
    return entry.parts;
  };

  delegations.forEach((delegation, index) => {
    const chain = chains.get(delegation.id);
    if (chain === undefined) return;
    const parent = delegation.parentDelegationId === null ? undefined : byId.get(delegation.parentDelegationId);
    if (parent !== undefined) {
      const above = chain.slice(0, -1).map((id) => byId.get(id)!.delegation);
      const agentsAbove = [above[0]!.delegatorAgentId, ...above.map((link) => link.delegateAgentId)];
      if (agentsAbove.includes(delegation.delegateAgentId)) {
        at(index, "delegateAgentId", `${delegation.delegateAgentId} is already on the chain ${chain.join(" → ")}: a delegation loop`);
      }
      if (parent.delegation.maxDepth < 1) {
        at(index, "parentDelegationId", `delegation ${parent.delegation.id} allows no re-delegation (maxDepth 0)`);
      } else if (delegation.maxDepth > parent.delegation.maxDepth - 1) {
        at(index, "maxDepth", `must be at most ${parent.delegation.maxDepth - 1}, one less than parent delegation ${parent.delegation.id}'s`);
      }
    }
    if (!live(delegation)) return;

    if (parent !== undefined) {
      checkWithin(delegation.scope, [parent.delegation.scope], `parent delegation ${parent.delegation.id}'s scope`, (field, message) => at(index, field, message));
    } else {
      const { grants } = authorityOf(delegation.delegatorAgentId);
      checkWithin(delegation.scope, grants, `what delegator ${delegation.delegatorAgentId} is granted`, (field, message) => at(index, field, message));
    }

    const budget = delegation.budget;
    if (budget === null) return;
    if (parent !== undefined) {
      const parentBudget = parent.delegation.budget;
      // Under an unbudgeted parent the spend still counts against every envelope up the chain.
      if (parentBudget === null) return;
      if (parentBudget.currency !== budget.currency) {
        at(index, "budget.currency", `must be ${parentBudget.currency}, the currency of parent delegation ${parent.delegation.id}'s budget`);
        return;
      }
      carveOutOf(parent.delegation.id, {
        ceiling: parentBudget.amount,
        currency: budget.currency,
        path: `delegations[${parent.index}].budget.amount`,
        what: "this budget",
      }).push({ id: delegation.id, amount: budget.amount });
      return;
    }
    const envelopes = authorityOf(delegation.delegatorAgentId).limits.filter((limit) => limit.actions === undefined && limit.merchants === undefined && limit.categories === undefined);
    if (envelopes.length === 0) return;
    const inCurrency = envelopes.filter((limit) => limit.currency === budget.currency);
    if (inCurrency.length === 0) {
      const currencies = [...new Set(envelopes.map((limit) => limit.currency))].join(", ");
      at(index, "budget.currency", `must match an envelope of delegator ${delegation.delegatorAgentId}, whose envelopes are in ${currencies}`);
      return;
    }
    // The largest envelope is the most the delegator could ever spend in one window.
    const largest = inCurrency.reduce((best, limit) => (limit.amount > best.amount ? limit : best));
    carveOutOf(`${delegation.delegatorAgentId}/${budget.currency}`, {
      ceiling: largest.amount,
      currency: budget.currency,
      path: `delegations[${index}].budget.amount`,
      what: `delegator ${delegation.delegatorAgentId}'s largest ${budget.currency} envelope ("${largest.id}", ${largest.period})`,
    }).push({ id: delegation.id, amount: budget.amount });
  });

  for (const { ceiling, currency, path, what, parts } of carveOuts.values()) {
    const total = parts.reduce((sum, part) => sum + part.amount, 0);
    if (total > ceiling) {
      errors.push({
        path,
        message: `budgets of delegations ${parts.map((part) => part.id).join(", ")} sum to ${formatMoney(total, currency)}, past ${what} of ${formatMoney(ceiling, currency)}`,
      });
    }
  }

  return { chains, errors };
}

/**
 * Walks parent links to give every delegation its chain, root first. Cycles are reported on
 * each delegation in them; delegations above a cycle or a missing parent get no chain.
 */
function linkChains(
  delegations: readonly DelegationState[],
  byId: ReadonlyMap<string, { delegation: DelegationState; index: number }>,
  at: (index: number, field: string, message: string) => void,
): Map<string, readonly string[]> {
  const chains = new Map<string, readonly string[] | null>();
  for (const start of delegations) {
    const path: string[] = [];
    let base: readonly string[] | null = null;
    let current: string | null = start.id;
    while (current !== null) {
      const known = chains.get(current);
      if (known !== undefined) {
        base = known;
        break;
      }
      const seenAt = path.indexOf(current);
      if (seenAt !== -1) {
        const cycle = path.slice(seenAt);
        const loop = [...cycle].reverse().concat(cycle[cycle.length - 1]!).join(" → ");
        for (const id of cycle) at(byId.get(id)!.index, "parentDelegationId", `forms a cycle: ${loop}`);
        break;
      }
      path.push(current);
      const parentId: string | null = byId.get(current)!.delegation.parentDelegationId;
      if (parentId === null) base = [];
      else if (!byId.has(parentId)) break;
      current = parentId;
    }
    for (let position = path.length - 1; position >= 0; position--) {
      base = base === null ? null : [...base, path[position]!];
      chains.set(path[position]!, base);
    }
  }
  const linked = new Map<string, readonly string[]>();
  for (const [id, chain] of chains) if (chain !== null) linked.set(id, chain);
  return linked;
}

/**
 * Reports where `scope` reaches past the scopes that grant it (the parent's scope, or the
 * delegator's grants): each action must fit one granting scope that also covers the merchants
 * and categories asked for.
 */
function checkWithin(
  scope: DelegationScope,
  granting: readonly RuleScope[],
  what: string,
  report: (field: string, message: string) => void,
): void {
  scope.actions.forEach((action, position) => {
    const byAction = granting.filter((candidate) => (candidate.actions ?? ["*"]).some((outer) => patternCovers(outer, action)));
    if (byAction.length === 0) {
      report(`scope.actions[${position}]`, `"${action}" is wider than ${what}`);
      return;
    }
    const byMerchant = byAction.filter((candidate) => valuesCover(candidate.merchants, scope.merchants));
    if (byMerchant.length === 0) {
      report("scope.merchants", `${describeValues(scope.merchants)} for "${action}" is wider than ${what} (${describeValues(byAction[0]!.merchants)})`);
      return;
    }
    if (!byMerchant.some((candidate) => valuesCover(candidate.categories, scope.categories))) {
      report("scope.categories", `${describeValues(scope.categories)} for "${action}" is wider than ${what} (${describeValues(byMerchant[0]!.categories)})`);
    }
  });
}

function describeValues(values: readonly string[] | undefined): string {
  return values === undefined ? "any" : values.join(", ");
}
