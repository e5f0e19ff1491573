// Small factories shared by the tests and the benchmark; not part of the package's surface.
import { compileSnapshot, type CompileOptions } from "../compile/compile";
import type { OrganizationState } from "../compile/state";
import type { DecisionRequest, Usage } from "../evaluate/decision";
import { loadSnapshot, type LoadedSnapshot } from "../snapshot/load";
import { generateSigningKey, hashApiKey } from "../snapshot/sign";

type Agent = OrganizationState["agents"][number];
type PublishedPolicy = OrganizationState["policies"][number];
type Delegation = OrganizationState["delegations"][number];

export const SIGNING_KEY = generateSigningKey(new Uint8Array(32).fill(7));
export const TRUSTED_KEYS = { [SIGNING_KEY.keyId]: SIGNING_KEY.publicKey };
export const ISSUED_AT = "2026-11-24T09:00:00Z";
/** A Tuesday, 10:00 in Berlin. */
export const NOW = new Date("2026-11-24T09:00:00Z");

export function options(overrides: Partial<CompileOptions> = {}): CompileOptions {
  return { version: 1, issuedAt: ISSUED_AT, signingKey: { keyId: SIGNING_KEY.keyId, privateKey: SIGNING_KEY.privateKey }, ...overrides };
}

export function agent(id: string, overrides: Partial<Agent> = {}): Agent {
  return {
    id,
    name: `${id} bot`,
    ownerUserId: "usr_owner",
    tags: [],
    status: "active",
    keys: [{ id: `key_${id}`, prefix: "tg_live_", hash: hashApiKey(`secret-${id}`), expiresAt: null, revokedAt: null }],
    ...overrides,
  };
}

/** A published policy; the document's name and mode follow the entry unless given. */
export function policy(policyId: string, document: Record<string, unknown>, overrides: Partial<PublishedPolicy> = {}): PublishedPolicy {
  const mode = overrides.mode ?? "enforce";
  return { policyId, name: policyId, version: 1, mode, document: { name: policyId, mode, ...document }, ...overrides };
}

export function delegation(id: string, from: string, to: string, overrides: Partial<Delegation> = {}): Delegation {
  return {
    id,
    delegatorAgentId: from,
    delegateAgentId: to,
    parentDelegationId: null,
    scope: { actions: ["*"] },
    budget: null,
    maxDepth: 3,
    expiresAt: "2027-01-01T00:00:00Z",
    revokedAt: null,
    ...overrides,
  };
}

export function organization(parts: Partial<OrganizationState> = {}): OrganizationState {
  return {
    organization: { id: "org_demo", timeZone: "Europe/Berlin" },
    agents: [],
    policies: [],
    delegations: [],
    trustScores: {},
    ...parts,
  };
}

/** Compiles and loads, failing loudly: tests that expect refusals call compileSnapshot themselves. */
export function load(state: OrganizationState, overrides: Partial<CompileOptions> = {}): LoadedSnapshot {
  const compiled = compileSnapshot(state, options(overrides));
  if (!compiled.ok) throw new Error(`compile failed:\n${compiled.errors.map((e) => `${e.path}: ${e.message}`).join("\n")}`);
  const loaded = loadSnapshot(compiled.snapshot, TRUSTED_KEYS);
  if (!loaded.ok) throw new Error(`load failed: ${loaded.error.message}`);
  return loaded.snapshot;
}

export interface UsageFacts {
  spent?: Record<string, number>;
  calls?: Record<string, number>;
  repeats?: number;
  usedMerchants?: string[];
}

/** A worker's usage state, frozen at the given facts. Merchants are `agentId/merchant`. */
export function usage(facts: UsageFacts = {}): Usage {
  return {
    spent: (key) => facts.spent?.[key] ?? 0,
    calls: (key) => facts.calls?.[key] ?? 0,
    repeats: () => facts.repeats ?? 0,
    hasUsedMerchant: (agentId, merchant) => facts.usedMerchants?.includes(`${agentId}/${merchant}`) ?? false,
  };
}

export function request(agentId: string, action: string, overrides: Partial<DecisionRequest> = {}): DecisionRequest {
  return { agentId, action, sessionId: "ses_1", ...overrides };
}

export function usd(amount: number) {
  return { amount, currency: "USD" };
}

/** The same JSON value with every object's keys in an order shuffled by `seed`. */
export function shuffleKeys(value: unknown, seed: number): unknown {
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
  const shuffle = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(shuffle);
    if (typeof node !== "object" || node === null) return node;
    const entries = Object.entries(node).map(([key, item]) => [key, shuffle(item)] as const);
    for (let i = entries.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [entries[i], entries[j]] = [entries[j]!, entries[i]!];
    }
    return Object.fromEntries(entries);
  };
  return shuffle(value);
}
