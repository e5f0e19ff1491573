// Generates the benchmark's organization: 10,000 agents, 1,000 policies, 5,000 delegations in
// chains up to four deep. A seeded generator keeps runs comparable.
import type { DecisionRequest, OrganizationState } from "../src/index";
import { agent, delegation, organization, policy, usd } from "../src/testing/fixtures";

export const AGENTS = 10_000;
export const POLICIES = 1_000;
export const DELEGATIONS = 5_000;
const TEAMS = 200;

/** Mulberry32: small, fast, good enough to spread synthetic data. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ROLES = [
  { tag: "payments", actions: ["stripe.charges.*", "stripe.customers.*", "stripe.payouts.*"], sample: "stripe.charges.create" },
  { tag: "research", actions: ["openai.*", "anthropic.*", "serpapi.*"], sample: "openai.chat.completions" },
  { tag: "ops", actions: ["aws.ec2.*", "aws.s3.*", "pagerduty.*"], sample: "aws.ec2.run-instances" },
  { tag: "support", actions: ["zendesk.*", "twilio.sms.*"], sample: "twilio.sms.send" },
] as const;

export function roleOf(index: number) {
  return ROLES[index % ROLES.length]!;
}

export function agentId(index: number): string {
  return `agt_${String(index).padStart(5, "0")}`;
}

export interface Chain {
  readonly delegationIds: string[];
  readonly agents: number[];
}

export function generateOrganization(): { state: OrganizationState; chains: Chain[] } {
  const next = random(42);
  const pick = (n: number) => Math.floor(next() * n);

  const agents = Array.from({ length: AGENTS }, (_, index) =>
    agent(agentId(index), {
      tags: [roleOf(index).tag, `team-${index % TEAMS}`],
      status: index % 97 === 0 ? "suspended" : "active",
    }),
  );

  const policies: OrganizationState["policies"] = [
    policy("pol_0000", {
      selector: { all: true },
      denies: [
        { id: "no-refunds", actions: ["*.refunds.*"] },
        { id: "no-gambling", actions: ["*"], categories: ["gambling"] },
      ],
    }),
  ];
  ROLES.forEach((role, index) => {
    policies.push(
      policy(`pol_role_${index}`, {
        selector: { tags: [role.tag] },
        grants: [{ id: "role-actions", actions: [...role.actions] }],
        caps: [{ id: "per-call", amount: 100_000, currency: "USD" }],
        approvals: [{ id: "over-250", when: "amount_over", amount: 25_000, currency: "USD" }],
        velocity: [{ id: "burst", maxCalls: 100, windowSeconds: 60 }],
        loops: [{ id: "retries", maxRepeats: 5, windowSeconds: 300 }],
      }),
    );
  });
  for (let team = 0; team < TEAMS; team++) {
    policies.push(
      policy(`pol_team_${String(team).padStart(3, "0")}`, {
        selector: { tags: [`team-${team}`] },
        limits: [
          { id: "daily", period: "day", amount: 500_000, currency: "USD" },
          { id: "monthly", period: "month", amount: 5_000_000, currency: "USD" },
          { id: "session", period: "session", amount: 50_000, currency: "USD" },
        ],
        timeWindows: team % 10 === 0 ? [{ id: "office-hours", days: ["mon", "tue", "wed", "thu", "fri"], from: "07:00", to: "20:00" }] : [],
      }),
    );
  }
  // The rest pick out a few agents each: per-agent overrides, one in ten trialled in shadow mode.
  while (policies.length < POLICIES) {
    const index = policies.length;
    const selected = Array.from({ length: 1 + pick(5) }, () => agentId(pick(AGENTS)));
    policies.push(
      policy(
        `pol_agent_${String(index).padStart(4, "0")}`,
        {
          selector: { agents: [...new Set(selected)] },
          denies: [{ id: "no-deletes", actions: ["*.delete"] }],
          caps: [{ id: "tight-cap", amount: 50_000 + pick(50_000), currency: "USD" }],
          limits: [{ id: "weekly", period: "week", amount: 1_000_000, currency: "USD" }],
          approvals: [{ id: "new-merchant", when: "first_merchant", actions: ["stripe.payouts.*"] }],
        },
        { mode: index % 10 === 0 ? "shadow" : "enforce" },
      ),
    );
  }

  // Chains of one to four delegations; each delegate passes on the same scope with half the budget.
  const delegations: OrganizationState["delegations"] = [];
  const chains: Chain[] = [];
  let serial = 0;
  while (delegations.length < DELEGATIONS) {
    const length = Math.min(1 + pick(4), DELEGATIONS - delegations.length);
    const root = pick(AGENTS / ROLES.length) * ROLES.length; // a payments agent
    if (agents[root]!.status !== "active") continue;
    const members = [root];
    while (members.length <= length) {
      const candidate = pick(AGENTS);
      if (!members.includes(candidate)) members.push(candidate);
    }
    const ids: string[] = [];
    let budget = 10_000;
    for (let link = 0; link < length; link++) {
      const id = `del_${String(serial++).padStart(5, "0")}`;
      delegations.push(
        delegation(id, agentId(members[link]!), agentId(members[link + 1]!), {
          parentDelegationId: link === 0 ? null : ids[link - 1]!,
          scope: { actions: ["stripe.charges.*"] },
          budget: usd(budget),
          maxDepth: 4 - link,
        }),
      );
      ids.push(id);
      budget = Math.floor(budget / 2);
    }
    chains.push({ delegationIds: ids, agents: members });
  }

  const trustScores: Record<string, number> = {};
  agents.forEach((entry, index) => {
    trustScores[entry.id] = 300 + ((index * 7919) % 551);
  });

  return { state: organization({ agents, policies, delegations, trustScores }), chains };
}

export type RequestKind = "allow" | "deny" | "no_grant" | "delegated" | "over_limit" | "approval" | "suspended";

const MIX: readonly [RequestKind, number][] = [
  ["allow", 50],
  ["deny", 10],
  ["no_grant", 8],
  ["delegated", 15],
  ["over_limit", 7],
  ["approval", 7],
  ["suspended", 3],
];

/** Samples ranks 0…n-1 with probability proportional to 1 / (rank + 1)^exponent. */
function zipf(n: number, exponent: number, next: () => number): () => number {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let rank = 0; rank < n; rank++) cumulative[rank] = total += 1 / (rank + 1) ** exponent;
  return () => {
    const target = next() * total;
    let low = 0;
    let high = n - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (cumulative[middle]! < target) low = middle + 1;
      else high = middle;
    }
    return low;
  };
}

function shuffled(n: number, next: () => number): number[] {
  const order = Array.from({ length: n }, (_, index) => index);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

export interface Workload {
  /** Active agents drawn by popularity, or uniformly from all 10,000 (the cache-hostile extreme). */
  readonly popularity: "zipf" | "uniform";
}

/**
 * The request stream: sessions of one to eight calls by one agent (an agent works a task in a
 * burst), sixteen sessions interleaved at a time, agents drawn by a Zipf popularity (s = 1) over
 * all 10,000 agents. The mix by session: half allows, then denials, delegated calls, exhausted
 * envelopes and approvals.
 */
export function generateRequests(chains: readonly Chain[], count: number, { popularity }: Workload): { kind: RequestKind; request: DecisionRequest }[] {
  const next = random(7);
  const pick = (n: number) => Math.floor(next() * n);
  const agentOrder = shuffled(AGENTS, next);
  const chainOrder = shuffled(chains.length, next);
  const agentRank = zipf(AGENTS, 1, next);
  const chainRank = zipf(chains.length, 1, next);
  const drawAgent = () => (popularity === "zipf" ? agentOrder[agentRank()]! : pick(AGENTS));
  const drawChain = () => chains[popularity === "zipf" ? chainOrder[chainRank()]! : pick(chains.length)]!;
  const total = MIX.reduce((sum, [, weight]) => sum + weight, 0);
  const drawKind = (): RequestKind => {
    let roll = pick(total);
    for (const [kind, weight] of MIX) {
      if (roll < weight) return kind;
      roll -= weight;
    }
    return "allow";
  };
  // Suspended agents (every 97th) and agents that spent their day (every 50th, from one) sit out
  // the sessions of other kinds.
  const agentWhere = (keep: (index: number) => boolean) => {
    for (;;) {
      const index = drawAgent();
      if (keep(index)) return index;
    }
  };
  const activeAgent = () => agentWhere((index) => index % 97 !== 0 && index % 50 !== 1);

  const session = (serial: number): { kind: RequestKind; request: () => DecisionRequest }[] => {
    const kind = drawKind();
    const length = 1 + pick(8);
    const index =
      kind === "suspended" ? agentWhere((candidate) => candidate % 97 === 0) : kind === "over_limit" ? agentWhere((candidate) => candidate % 50 === 1 && candidate % 97 !== 0) : activeAgent();
    const agent = agentId(index);
    const role = roleOf(index);
    const sessionId = `ses_${serial}`;
    let make: () => DecisionRequest;
    switch (kind) {
      case "allow":
      case "over_limit":
        make = () => ({ agentId: agent, action: role.sample, amount: usd(100 + pick(5_000)), merchant: `merchant-${pick(50)}`, sessionId });
        break;
      case "approval":
        make = () => ({ agentId: agent, action: role.sample, amount: usd(30_000 + pick(20_000)), sessionId });
        break;
      case "deny":
        make = () => ({ agentId: agent, action: "stripe.refunds.create", amount: usd(1_000), sessionId });
        break;
      case "no_grant":
        make = () => ({ agentId: agent, action: "github.repos.delete", sessionId });
        break;
      case "suspended":
        make = () => ({ agentId: agent, action: role.sample, amount: usd(100), sessionId });
        break;
      case "delegated": {
        const chain = drawChain();
        const last = chain.delegationIds.length - 1;
        const delegate = agentId(chain.agents[last + 1]!);
        make = () => ({ agentId: delegate, action: "stripe.charges.create", amount: usd(100 + pick(500)), sessionId, onBehalfOf: chain.delegationIds[last]! });
        break;
      }
    }
    return Array.from({ length }, () => ({ kind, request: make }));
  };

  const requests: { kind: RequestKind; request: DecisionRequest }[] = [];
  const open: { kind: RequestKind; request: () => DecisionRequest }[][] = [];
  let serial = 0;
  while (requests.length < count) {
    while (open.length < 16) open.push(session(serial++));
    const slot = pick(open.length);
    const call = open[slot]!.shift()!;
    requests.push({ kind: call.kind, request: call.request() });
    if (open[slot]!.length === 0) open.splice(slot, 1);
  }
  return requests;
}
