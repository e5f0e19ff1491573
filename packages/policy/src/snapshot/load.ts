import type { SpendBaseline } from "../baseline";
import type { Counter, Envelope } from "../evaluate/decision";
import { Calendar } from "../period";
import type { Money } from "../money";
import type { Target } from "./rules";
import type { DelegationScope } from "../document/schema";
import { scopeCovers } from "../scope";
import { Matchers } from "../match";
import { primeState } from "./slots";
import { appendChainState, appendRuleTable, type Cells, type RuleTable } from "./rule-table";
import { CHAIN, type Chain, type ChainTables } from "./chain-record";
import { loadRules, mergeRules, NONE, targetOf, type RuleLists } from "./rules";
import type { SignedSnapshot } from "./schema";
import { verifySnapshot, type SnapshotError, type TrustedKeys } from "./verify";

/** The rules of one distinct set of policies, shared by every agent those policies select. */
interface Profile {
  /** Its position in the snapshot's profiles, which names combinations of profiles. */
  readonly position: number;
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
  /** What the agent usually spends, by currency; empty until it has committed spends. */
  readonly spendBaselines: ReadonlyMap<string, SpendBaseline>;
}

export interface LoadedDelegation {
  readonly id: string;
  readonly delegatorAgentId: string;
  readonly delegateAgentId: string;
  /** The delegated scope; its actions are never null. */
  readonly target: Target;
  /** The budget as one all-time envelope; null when the delegation has no budget. */
  readonly budgetEnvelope: Envelope | null;
  readonly expiresAtMs: number;
  /** +Infinity when not revoked. */
  readonly revokedAtMs: number;
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
  /** Every chain's record (chain-record.ts), rule tables and state (rule-table.ts). */
  readonly cells: Cells;
  /** By agent id: where the record of the agent acting for itself is in the cells. */
  readonly soloChains: ReadonlyMap<string, number>;
  /** By delegation id: where the record of its delegate acting through it is in the cells. */
  readonly delegatedChains: ReadonlyMap<string, number>;
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

/** Most agents have no baselines yet and share this one empty map. */
const NO_BASELINES: ReadonlyMap<string, SpendBaseline> = new Map();

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
  const profiles = body.profiles.map((profile, position): Profile => {
    const members = profile.policies.map((index) => policyRules[index]!);
    const enforced = mergeRules(members.filter((member) => !member.shadow).map((member) => member.rules));
    return { position, enforced, withShadow: members.some((member) => member.shadow) ? mergeRules(members.map((member) => member.rules)) : null };
  });
  // One table per combination of profiles along a chain, shared by every chain with it: agents
  // of one profile then read the same (warm) table, and only their own state is cold. A table
  // follows the record of the first chain to use it, so a chain with a table of its own (most
  // delegations) has it beside its state.
  const cells: Cells = [];
  const tables = new Map<string, RuleTable>();
  const tableFor = (memberProfiles: readonly Profile[], shadow: boolean): RuleTable => {
    const key = `${shadow ? "s" : "e"}${memberProfiles.map((profile) => profile.position).join(",")}`;
    let table = tables.get(key);
    if (table === undefined) {
      table = appendRuleTable(cells, memberProfiles.map((profile) => (shadow ? (profile.withShadow ?? profile.enforced) : profile.enforced)));
      tables.set(key, table);
    }
    return table;
  };
  // Chains are compiled here, once, so that no decision ever pays to assemble one; their
  // envelopes are built for the windows of the issue time, when a worker starts using them.
  const calendar = new Calendar(body.organization.timeZone);
  const issuedAtMs = Date.parse(body.issuedAt);
  const built = new Map<string, Envelope | Counter>();
  const scopes = new Map<LoadedDelegation, DelegationScope>();
  const profileOf = new Map<LoadedAgent, Profile>();
  const chainOf = (agents: LoadedAgent[], delegations: LoadedDelegation[]): number => {
    const record = cells.length;
    for (let cell = 0; cell < CHAIN.stride; cell++) cells.push(null);
    const memberProfiles = agents.map((agent) => profileOf.get(agent)!);
    const agentIds = agents.map((agent) => agent.id);
    const stateFor = (table: RuleTable) => {
      const state = appendChainState(cells, table, agentIds, delegations);
      primeState(cells, table, state, calendar, issuedAtMs, built);
      return state;
    };
    const enforced = tableFor(memberProfiles, false);
    const enforcedState = stateFor(enforced);
    const withShadow = memberProfiles.some((profile) => profile.withShadow !== null) ? tableFor(memberProfiles, true) : null;
    const shadowState = withShadow === null ? null : stateFor(withShadow);
    summarize(cells, record, agents, delegations, scopes, { enforced, enforcedState, withShadow, shadowState });
    return record;
  };

  // INVARIANT (findDanglingReference): every position and id below resolves.
  const agents = new Map<string, LoadedAgent>();
  const soloChains = new Map<string, number>();
  for (const [id, agent] of Object.entries(body.agents)) {
    const spendBaselines = agent.spendBaselines === undefined ? NO_BASELINES : new Map(agent.spendBaselines.map((baseline) => [baseline.currency, baseline]));
    const loaded: LoadedAgent = { id, name: agent.name, status: agent.status, trustScore: agent.trustScore, spendBaselines };
    profileOf.set(loaded, profiles[agent.profile]!);
    agents.set(id, loaded);
    soloChains.set(id, chainOf([loaded], []));
  }

  // Delegations in a snapshot share a few scopes; sharing their targets keeps them warm.
  const targets = new Map<string, Target>();
  const delegations = new Map<string, LoadedDelegation>();
  for (const [id, delegation] of Object.entries(body.delegations)) {
    const scopeKey = JSON.stringify(delegation.scope);
    let target = targets.get(scopeKey);
    if (target === undefined) targets.set(scopeKey, (target = targetOf(delegation.scope, matchers)));
    const loaded: LoadedDelegation = {
      id,
      delegatorAgentId: delegation.delegatorAgentId,
      delegateAgentId: delegation.delegateAgentId,
      target,
      budgetEnvelope: delegation.budget === null ? null : budgetEnvelope(id, delegation.budget),
      expiresAtMs: instantMs(delegation.expiresAt),
      revokedAtMs: instantMs(delegation.revokedAt),
    };
    delegations.set(id, loaded);
    scopes.set(loaded, delegation.scope);
  }
  // Chains refer to delegations, so they are linked once every delegation exists.
  const delegatedChains = new Map<string, number>();
  for (const [id, delegation] of Object.entries(body.delegations)) {
    const links = delegation.chain.map((link) => delegations.get(link)!);
    const chainAgents = [agents.get(links[0]!.delegatorAgentId)!, ...links.map((link) => agents.get(link.delegateAgentId)!)];
    delegatedChains.set(id, chainOf(chainAgents, links));
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
    cells,
    soloChains,
    delegatedChains,
    calendar,
  };
}

/** Writes the record of the chain through `agents` and `delegations` at `record` in the cells. */
function summarize(
  cells: Cells,
  record: number,
  agents: LoadedAgent[],
  delegations: LoadedDelegation[],
  scopes: ReadonlyMap<LoadedDelegation, DelegationScope>,
  tables: ChainTables,
): void {
  let minTrust: number | null = Number.POSITIVE_INFINITY;
  for (const agent of agents) minTrust = agent.trustScore === null || minTrust === null ? null : Math.min(minTrust, agent.trustScore);
  // Summaries of the chain so that a decision checks it in O(1) and walks it only to explain a refusal.
  const liveUntilMs = Math.min(...delegations.map((link) => Math.min(link.expiresAtMs, link.revokedAtMs)));
  const nested = delegations.every((link, position) => position === 0 || scopeCovers(scopes.get(delegations[position - 1]!)!, scopes.get(link)!));
  // Decisions hand `ids` out, so it is frozen rather than copied per call.
  const ids = Object.freeze({
    agents: Object.freeze(agents.map((agent) => agent.id)),
    delegations: delegations.length === 0 ? NONE : Object.freeze(delegations.map((delegation) => delegation.id)),
  });
  const chain: Chain = { agents, delegations: delegations.length === 0 ? NONE : delegations };
  const caller = agents[agents.length - 1]!;
  cells[record + CHAIN.callerId] = caller.id;
  cells[record + CHAIN.callerActive] = caller.status === "active";
  cells[record + CHAIN.liveUntilMs] = liveUntilMs;
  cells[record + CHAIN.suspendedDelegator] = agents.slice(0, -1).some((agent) => agent.status !== "active");
  cells[record + CHAIN.narrowest] = nested ? (delegations[delegations.length - 1]?.target ?? null) : null;
  cells[record + CHAIN.depth] = delegations.length;
  cells[record + CHAIN.enforced] = tables.enforced;
  cells[record + CHAIN.enforcedState] = tables.enforcedState;
  cells[record + CHAIN.withShadow] = tables.withShadow;
  cells[record + CHAIN.shadowState] = tables.shadowState;
  cells[record + CHAIN.minTrust] = minTrust;
  cells[record + CHAIN.ids] = ids;
  cells[record + CHAIN.chain] = chain;
}
