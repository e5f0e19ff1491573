// The organization `pnpm bench:worker` decides for, and the mix of requests its agents send.
import { issueAgentKey, publishSnapshot } from "@tollgate/api";
import { agents, apiKeys, organizations, users, type Db } from "@tollgate/db";
import { publishedPolicyFixture } from "@tollgate/db/testing";

export const AGENTS = 10_000;
/** Far more than a run spends on any agent (the hottest sends ~10 % of a run's calls). */
const DAILY = 1_000_000_000;
export const APPROVAL_OVER = 5_000;
export const LOOP_REPEATS = 5;

const shared = {
  limits: [{ id: "daily", period: "day", amount: DAILY, currency: "USD" }],
  approvals: [{ id: "over-50", when: "amount_over", amount: APPROVAL_OVER, currency: "USD" }],
  velocity: [{ id: "session-rate", maxCalls: 30, windowSeconds: 60, per: "session" }],
  loops: [{ id: "same-call", maxRepeats: LOOP_REPEATS, windowSeconds: 10 }],
};
const POLICIES = [
  { name: "payments", selector: { tags: ["payments"] }, grants: [{ id: "stripe", actions: ["stripe.*"] }], ...shared },
  { name: "research", selector: { tags: ["research"] }, grants: [{ id: "models", actions: ["openai.*", "anthropic.*"] }], ...shared },
  { name: "guardrails", selector: { all: true }, denies: [{ id: "no-refunds", actions: ["*.refunds.*"] }] },
];

/** Agent i is a research agent when i % 5 == 0, a payments agent otherwise. */
export const isResearch = (i: number) => i % 5 === 0;

export interface Seeded {
  organizationId: string;
  /** The plaintext key of agent i, for the load generator. */
  keys: string[];
  snapshotVersion: number;
}

async function insertChunked<T>(rows: T[], size: number, insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size));
}

/** One organization, one owner, 10,000 agents with a key each, three policies, one published snapshot. */
export async function seedOrganization(db: Db, now: Date, count = AGENTS): Promise<Seeded> {
  const [org] = await db.insert(organizations).values({ slug: "bench-worker", name: "Worker benchmark" }).returning();
  const organizationId = org!.id;
  const [owner] = await db
    .insert(users)
    .values({ organizationId, email: "owner@bench.test", name: "Owner", role: "admin", passwordHash: "scrypt$disabled" })
    .returning();

  const agentRows = Array.from({ length: count }, (_, i) => ({
    organizationId,
    ownerUserId: owner!.id,
    name: `agent-${String(i).padStart(5, "0")}`,
    tags: [isResearch(i) ? "research" : "payments"],
  }));
  const ids = new Map<string, string>();
  await insertChunked(agentRows, 1_000, async (chunk) => {
    for (const row of await db.insert(agents).values(chunk).returning({ id: agents.id, name: agents.name })) ids.set(row.name, row.id);
  });

  const keys: string[] = [];
  const keyRows = agentRows.map((row, i) => {
    const issued = issueAgentKey();
    keys[i] = issued.key;
    return { organizationId, agentId: ids.get(row.name)!, prefix: issued.prefix, hash: issued.hash };
  });
  await insertChunked(keyRows, 1_000, (chunk) => db.insert(apiKeys).values(chunk));

  for (const document of POLICIES) await publishedPolicyFixture(db, organizationId, document, now);
  const published = await publishSnapshot({ db, organizationId, cause: "bench:worker", now });
  if (!published.ok) throw new Error(`publishSnapshot failed: ${JSON.stringify(published.errors)}`);
  return { organizationId, keys, snapshotVersion: published.version };
}

/** mulberry32: a small deterministic PRNG, so every run sends the same mix. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Draws 0..n-1 with P(k) ∝ 1/(k+1)^s (the policy bench's popularity, s = 1). */
function zipf(n: number, s: number, random: () => number): () => number {
  const cdf = new Float64Array(n);
  let total = 0;
  for (let k = 0; k < n; k++) cdf[k] = total += 1 / (k + 1) ** s;
  return () => {
    const target = random() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

interface Session {
  agent: number;
  id: string;
  left: number;
  /** A retry loop: the same call over and over (the calls past LOOP_REPEATS are loop_detected). */
  loop: boolean;
  loopBody?: Omit<Call, "requestId">;
}

interface Call {
  action: string;
  amount: { amount: number; currency: "USD" };
  merchant: string;
  sessionId: string;
  requestId: string;
}

/**
 * The request stream: 64 sessions interleaved at a time, each by one agent (drawn by Zipf
 * popularity) making 1–8 calls; 1 % of sessions are retry loops of 8 identical calls. Per call:
 * 5 % a denied action (half a refund the guardrails deny, half an action no grant covers),
 * 3 % an amount over the approval threshold (pending), the rest small allowed amounts, with
 * merchants from a pool of 5,000 so that popular agents do not look like loops.
 * Each item is the full HTTP/1.1 request, the agent's key in its Authorization header.
 */
export function requestMix(keys: readonly string[], runId: string, seed: number) {
  const random = prng(seed);
  const pickAgent = zipf(keys.length, 1, random);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const active: Session[] = [];
  let sessions = 0;
  let requests = 0;
  const newSession = (): Session => {
    const loop = random() < 0.01;
    return { agent: pickAgent(), id: `s-${runId}-${++sessions}`, left: loop ? 8 : int(1, 8), loop };
  };
  for (let i = 0; i < 64; i++) active.push(newSession());

  const call = (session: Session): Omit<Call, "requestId"> => {
    const research = isResearch(session.agent);
    const merchant = `m-${int(1, 5_000)}`;
    const r = random();
    if (r < 0.025) return { action: research ? "openai.refunds.create" : "stripe.refunds.create", amount: { amount: int(100, 2_000), currency: "USD" }, merchant, sessionId: session.id };
    if (r < 0.05) return { action: "aws.ec2.run_instances", amount: { amount: int(100, 2_000), currency: "USD" }, merchant, sessionId: session.id };
    const action = research ? (random() < 0.5 ? "openai.chat.completions" : "anthropic.messages.create") : random() < 0.8 ? "stripe.charges.create" : "stripe.payouts.create";
    const amount = r < 0.08 ? int(APPROVAL_OVER + 1, 20_000) : int(50, 2_000);
    return { action, amount: { amount, currency: "USD" }, merchant, sessionId: session.id };
  };

  return (): string => {
    const slot = Math.floor(random() * active.length);
    const session = active[slot]!;
    let fields: Omit<Call, "requestId">;
    if (session.loop) fields = session.loopBody ??= { ...call(session), amount: { amount: 500, currency: "USD" }, action: isResearch(session.agent) ? "openai.chat.completions" : "stripe.charges.create" };
    else fields = call(session);
    if (--session.left === 0) active[slot] = newSession();
    const body = JSON.stringify({ ...fields, requestId: `r-${runId}-${++requests}` });
    return (
      `POST /v1/decisions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${keys[session.agent]}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
    );
  };
}
