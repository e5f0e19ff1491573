import type { Policy } from "../document/schema";
import type { AgentState } from "./state";

/** Which policies select which agents, grouped so agents with the same policies share one profile. */
export interface Selection {
  /** Each profile is a distinct ascending list of policy positions. */
  readonly profiles: readonly (readonly number[])[];
  readonly profileOf: ReadonlyMap<string, number>;
  /** How many agents each policy selects, by position. */
  readonly selectedCount: readonly number[];
}

/**
 * Resolves selectors through id and tag indexes, never agents × policies. Profiles are numbered
 * in order of first use over agents sorted by id, so the result does not depend on input order.
 */
export function selectProfiles(agents: readonly AgentState[], policies: readonly { readonly document: Policy }[]): Selection {
  const forAll: number[] = [];
  const byAgent = new Map<string, number[]>();
  const byTag = new Map<string, number[]>();
  const append = (index: Map<string, number[]>, key: string, position: number) => {
    const list = index.get(key);
    if (list === undefined) index.set(key, [position]);
    else list.push(position);
  };
  policies.forEach(({ document: { selector } }, position) => {
    if (selector.all === true) forAll.push(position);
    for (const id of selector.agents ?? []) append(byAgent, id, position);
    for (const tag of selector.tags ?? []) append(byTag, tag, position);
  });

  const profiles: number[][] = [];
  const profileByKey = new Map<string, number>();
  const profileOf = new Map<string, number>();
  const selectedCount = policies.map(() => 0);
  for (const agent of [...agents].sort((a, b) => compare(a.id, b.id))) {
    const selected = new Set(forAll);
    for (const position of byAgent.get(agent.id) ?? []) selected.add(position);
    for (const tag of agent.tags) for (const position of byTag.get(tag) ?? []) selected.add(position);
    const positions = [...selected].sort((a, b) => a - b);
    for (const position of positions) selectedCount[position]!++;
    const key = positions.join(",");
    let profile = profileByKey.get(key);
    if (profile === undefined) {
      profile = profiles.push(positions) - 1;
      profileByKey.set(key, profile);
    }
    profileOf.set(agent.id, profile);
  }
  return { profiles, profileOf, selectedCount };
}

/** Code-unit order, the order canonical JSON uses, independent of locale. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
