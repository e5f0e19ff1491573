import type { Envelope } from "../evaluate/decision";
import { Calendar } from "../period";
import type { Money } from "../money";
import type { DelegationScope } from "../document/schema";
import { scopeCovers } from "../scope";
import { Matchers } from "../match";
import { chainRules, type ChainRules } from "./chain-rules";
import { loadRules, mergeRules, NONE, targetOf, type RuleLists, type Target } from "./rules";
import type { SignedSnapshot } from "./schema";
import { verifySnapshot, type SnapshotError, type TrustedKeys } from "./verify";

/** The rules of one distinct set of policies, shared by every agent those policies select. */
interface Profile {
  /** Rules of enforce-mode policies: these decide. */
  readonly enforced: RuleLists;
  /** Enforced and shadow rules together; null when no shadow policy selects the agents. */
  readonly withShadow: RuleLists | null;
}

export interface LoadedAgent {
  readonly id: string;
  readonly name: string;
  readonly status: "active" | "suspended";
  readonly trustScore: number | null;
  /** The agent acting for itself. */
  readonly solo: Chain;
}

/** Who a call is made for: the authority (root delegator, or the caller itself) first, the caller last. */
export interface Chain {
  readonly agents: readonly LoadedAgent[];
  /** Root first; empty when the caller acts for itself. */
  readonly delegations: readonly LoadedDelegation[];
  /** As decisions report it. */
  readonly ids: { readonly agents: readonly string[]; readonly delegations: readonly string[] };
  /** Lowest trust score along the chain; null when some agent on it has none yet. */
  readonly minTrust: number | null;
  /** Until when every delegation on the chain is live (neither expired nor revoked). */
  readonly liveUntilMs: number;
  /** Whether a delegator on the chain is suspended (the caller's own status is checked apart). */
  readonly suspendedDelegator: boolean;
  /**
   * The scope of the last delegation, when every scope on the chain lies within the one above it
   * (as the compiler requires of live chains): then the call need only fit this one. Null otherwise.
   */
  readonly narrowest: Target | null;
  /** The rules a call through the chain is checked against: every agent's, each rule once. */
  readonly enforced: ChainRules;
  /** The same with shadow rules deciding too; null when no shadow policy selects an agent on it. */
  readonly withShadow: ChainRules | null;
}

export interface LoadedDelegation {
  readonly id: string;
  readonly delegatorAgentId: string;
  readonly delegateAgentId: string;
  /** The delegate itself, so a delegated call finds its caller without a second lookup. */
  readonly delegate: LoadedAgent;
  /** The delegated scope; its actions are never null. */
  readonly target: Target;
  /** The budget as one all-time envelope; null when the delegation has no budget. */
  readonly budgetEnvelope: Envelope | null;
  readonly expiresAtMs: number;
  /** +Infinity when not revoked. */
  readonly revokedAtMs: number;
  readonly chain: Chain;
}

export interface LoadedKey {
  readonly keyId: string;
  readonly agentId: string;
  readonly prefix: string;
  /** +Infinity when the key never expires or is not revoked. */
  readonly expiresAtMs: number;
  readonly revokedAtMs: number;
}

/**
 * A verified snapshot in its fast in-memory form: every lookup a decision needs is a Map get. It
 * keeps none of the JSON (that would double the memory a worker's caches compete with): keep the
 * text if you need to forward it.
 */
export interface LoadedSnapshot {
  readonly version: number;
  readonly hash: string;
  readonly issuedAt: string;
  readonly signingKeyId: string;
  readonly organization: { readonly id: string; readonly timeZone: string };
  readonly agents: ReadonlyMap<string, LoadedAgent>;
  readonly keys: ReadonlyMap<string, LoadedKey>;
  readonly delegations: ReadonlyMap<string, LoadedDelegation>;
  readonly calendar: Calendar;
}

export type LoadResult = { readonly ok: true; readonly snapshot: LoadedSnapshot } | { readonly ok: false; readonly error: SnapshotError };

/**
 * Verifies a snapshot (JSON text or decoded value) against the trusted keys and builds its
 * in-memory form. A worker swaps to the result only when `ok`, keeping its last good snapshot.
 */
export function loadSnapshot(input: unknown, trustedKeys: TrustedKeys): LoadResult {
  const verified = verifySnapshot(input, trustedKeys);
  if (!verified.ok) return verified;
  const problem = findDanglingReference(verified.snapshot);
  if (problem !== null) return { ok: false, error: { code: "malformed", message: problem } };
  return { ok: true, snapshot: index(verified.snapshot) };
}

// The signer is trusted, but a reference that points nowhere must fail the load, not a decision.
function findDanglingReference({ body }: SignedSnapshot): string | null {
  for (const [position, profile] of body.profiles.entries()) {
    const missing = profile.policies.find((policy) => policy >= body.policies.length);
    if (missing !== undefined) return `profiles[${position}] refers to policy ${missing}, which does not exist`;
  }
  for (const [id, agent] of Object.entries(body.agents)) {
    if (agent.profile >= body.profiles.length) return `agents.${id} refers to profile ${agent.profile}, which does not exist`;
  }
  for (const [hash, key] of Object.entries(body.keys)) {
    if (!Object.hasOwn(body.agents, key.agentId)) return `keys.${hash} belongs to unknown agent ${key.agentId}`;
  }
  for (const [id, delegation] of Object.entries(body.delegations)) {
    if (delegation.chain[delegation.chain.length - 1] !== id) return `delegations.${id}.chain must end with ${id}`;
    for (const link of delegation.chain) {
      const linked = body.delegations[link];
      if (linked === undefined) return `delegations.${id}.chain names unknown delegation ${link}`;
      for (const agentId of [linked.delegatorAgentId, linked.delegateAgentId]) {
        if (!Object.hasOwn(body.agents, agentId)) return `delegations.${link} names unknown agent ${agentId}`;
      }
    }
  }
  return null;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function instantMs(iso: string | null): number {
  return iso === null ? Number.POSITIVE_INFINITY : Date.parse(iso);
}

function budgetEnvelope(id: string, budget: Money): Envelope {
  return {
    key: `env/delegation:${id}/budget/${budget.currency}/all_time`,
    owner: `delegation:${id}`,
    limit: budget.amount,
    currency: budget.currency,
    period: "all_time",
    windowStart: null,
    windowEnd: null,
    policyId: null,
    rule: null,
  };
}

function index(signed: SignedSnapshot): LoadedSnapshot {
  const { body } = signed;
  const matchers = new Matchers();
  const policyRules = body.policies.map((policy) => ({ shadow: policy.mode === "shadow", rules: loadRules(policy, matchers) }));
  const profiles = body.profiles.map((profile): Profile => {
    const members = profile.policies.map((position) => policyRules[position]!);
    const enforced = mergeRules(members.filter((member) => !member.shadow).map((member) => member.rules));
    return { enforced, withShadow: members.some((member) => member.shadow) ? mergeRules(members.map((member) => member.rules)) : null };
  });
  // Chains are compiled here, once, so that no decision ever pays to assemble one.
  const scopes = new Map<LoadedDelegation, DelegationScope>();
  const profileOf = new Map<LoadedAgent, Profile>();
  const chainOf = (agents: LoadedAgent[], delegations: LoadedDelegation[]): Chain => {
    const memberProfiles = agents.map((agent) => profileOf.get(agent)!);
    const withShadow = memberProfiles.some((profile) => profile.withShadow !== null)
      ? chainRules(agents, delegations, memberProfiles.map((profile) => profile.withShadow ?? profile.enforced))
      : null;
    return summarize(agents, delegations, scopes, chainRules(agents, delegations, memberProfiles.map((profile) => profile.enforced)), withShadow);
  };

  // INVARIANT (findDanglingReference): every position and id below resolves.
  const agents = new Map<string, LoadedAgent>();
  for (const [id, agent] of Object.entries(body.agents)) {
    // The solo chain holds the agent itself, so it is attached right after the agent exists.
    const loaded = { id, name: agent.name, status: agent.status, trustScore: agent.trustScore } as Omit<LoadedAgent, "solo"> as Mutable<LoadedAgent>;
    profileOf.set(loaded, profiles[agent.profile]!);
    loaded.solo = chainOf([loaded], []);
    agents.set(id, loaded);
  }

  const delegations = new Map<string, Mutable<LoadedDelegation>>();
  for (const [id, delegation] of Object.entries(body.delegations)) {
    const loaded = {
      id,
      delegatorAgentId: delegation.delegatorAgentId,
      delegateAgentId: delegation.delegateAgentId,
      delegate: agents.get(delegation.delegateAgentId)!,
      target: targetOf(delegation.scope, matchers),
      budgetEnvelope: delegation.budget === null ? null : budgetEnvelope(id, delegation.budget),
      expiresAtMs: instantMs(delegation.expiresAt),
      revokedAtMs: instantMs(delegation.revokedAt),
    } as Omit<LoadedDelegation, "chain"> as Mutable<LoadedDelegation>;
    delegations.set(id, loaded);
    scopes.set(loaded, delegation.scope);
  }
  // Chains refer to delegations, so they are linked once every delegation exists.
  for (const [id, delegation] of Object.entries(body.delegations)) {
    const links = delegation.chain.map((link) => delegations.get(link)!);
    const chainAgents = [agents.get(links[0]!.delegatorAgentId)!, ...links.map((link) => agents.get(link.delegateAgentId)!)];
    delegations.get(id)!.chain = chainOf(chainAgents, links);
  }

  const keys = new Map<string, LoadedKey>();
  for (const [hash, key] of Object.entries(body.keys)) {
    keys.set(hash, { keyId: key.keyId, agentId: key.agentId, prefix: key.prefix, expiresAtMs: instantMs(key.expiresAt), revokedAtMs: instantMs(key.revokedAt) });
  }

  return {
    version: body.version,
    hash: signed.hash,
    issuedAt: body.issuedAt,
    signingKeyId: body.signingKeyId,
    organization: body.organization,
    agents,
    keys,
    delegations,
    calendar: new Calendar(body.organization.timeZone),
  };
}

function summarize(
  agents: LoadedAgent[],
  delegations: LoadedDelegation[],
  scopes: ReadonlyMap<LoadedDelegation, DelegationScope>,
  enforced: ChainRules,
  withShadow: ChainRules | null,
): Chain {
  let minTrust: number | null = Number.POSITIVE_INFINITY;
  for (const agent of agents) minTrust = agent.trustScore === null || minTrust === null ? null : Math.min(minTrust, agent.trustScore);
  // Summaries of the chain so that a decision checks it in O(1) and walks it only to explain a refusal.
  const liveUntilMs = Math.min(...delegations.map((link) => Math.min(link.expiresAtMs, link.revokedAtMs)));
  const suspendedDelegator = agents.slice(0, -1).some((agent) => agent.status !== "active");
  const nested = delegations.every((link, position) => position === 0 || scopeCovers(scopes.get(delegations[position - 1]!)!, scopes.get(link)!));
  // Decisions hand `ids` out, so it is frozen rather than copied per call.
  const ids = Object.freeze({
    agents: Object.freeze(agents.map((agent) => agent.id)),
    delegations: delegations.length === 0 ? NONE : Object.freeze(delegations.map((delegation) => delegation.id)),
  });
  // Fields in the order a decision reads them: what most calls read sits together at the front.
  return {
    enforced,
    withShadow,
    ids,
    minTrust,
    liveUntilMs,
    suspendedDelegator,
    narrowest: nested ? (delegations[delegations.length - 1]?.target ?? null) : null,
    delegations: delegations.length === 0 ? NONE : delegations,
    agents,
  };
}
