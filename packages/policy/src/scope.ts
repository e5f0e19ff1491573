import type { RuleScope } from "./document/schema";
import { patternsCover } from "./match";

/**
 * Whether every call `inner` concerns is also one `outer` concerns. Absent actions mean every
 * action; absent merchants or categories mean any value, including none, so a constrained outer
 * never covers an unconstrained inner. Each inner pattern must fit inside a single outer pattern,
 * which may refuse a scope that only a union of patterns would cover: the safe direction.
 */
export function scopeCovers(outer: RuleScope, inner: RuleScope): boolean {
  return (
    valuesCover(outer.actions, inner.actions ?? ["*"]) &&
    valuesCover(outer.merchants, inner.merchants) &&
    valuesCover(outer.categories, inner.categories)
  );
}

/** One dimension of scopeCovers: merchants, categories or actions. */
export function valuesCover(outer: readonly string[] | undefined, inner: readonly string[] | undefined): boolean {
  if (outer === undefined) return true;
  if (inner === undefined) return false;
  return patternsCover(outer, inner);
}
