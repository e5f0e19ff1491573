import { decisionOutcome, decisions, type Db } from "@tollgate/db";
import { decisionRequestSchema, evaluate, type Decision, type Outcome, type ValidationError } from "@tollgate/policy";
import { and, asc, count, eq, gte, lte, sql } from "drizzle-orm";
import { z } from "zod";
import type { Action } from "../context";
import { compileDraft, policySource, refusal, type DraftSnapshot } from "./policy-draft";
import { ReplayUsage } from "./policy-usage";
import { isoTime, money } from "./wire";

const outcome = z.enum(decisionOutcome.enumValues);

export const replayInput = z.object({
  source: policySource,
  days: z.number().int().min(1, { error: "must be at least 1 day" }).max(90, { error: "must be at most 90 days" }).default(7),
  limit: z.number().int().min(0).max(100, { error: "must be at most 100 examples" }).default(20),
});

/** A decision whose outcome the draft changes, with the reasons the draft gives. */
const flip = z.object({
  decisionId: z.uuid(),
  createdAt: isoTime,
  agentId: z.uuid(),
  action: z.string(),
  amount: money.nullable(),
  merchant: z.string().nullable(),
  before: outcome,
  after: outcome,
  reasons: z.array(z.object({ code: z.string(), message: z.string(), rule: z.string().nullable() })),
});

export const replayReport = z.object({
  /** The draft's policy and the version it would be published as. */
  policy: z.object({ name: z.string(), version: z.number().int() }),
  from: isoTime,
  to: isoTime,
  replayed: z.number().int(),
  /** Logged decisions whose stored request no longer validates (they cannot be asked again). */
  skipped: z.number().int(),
  /** How many decisions went from each outcome to each, the unchanged ones included. */
  transitions: z.array(z.object({ before: outcome, after: outcome, count: z.number().int() })),
  flipped: z.number().int(),
  /** Per currency, the money allowed as logged and as the draft would have allowed it. */
  money: z.array(z.object({ currency: z.string(), allowedBefore: z.number().int(), allowedAfter: z.number().int() })),
  examples: z.array(flip),
});
export type ReplayReport = z.input<typeof replayReport>;

export type ReplayResult = ({ ok: true } & ReplayReport) | { ok: false; errors: ValidationError[] };

/** How far a replay has got: `replayed` of `total` decisions. */
export interface ReplayProgress {
  replayed: number;
  total: number;
}

const replayEvent = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("progress"), replayed: z.number().int(), total: z.number().int() }),
  z.object({ kind: z.literal("done"), report: replayReport }),
]);

const BATCH = 500;

interface ReplayOptions {
  days: number;
  now: Date;
  /** At most this many example decisions that flip. */
  limit: number;
}

/**
 * What the past would have looked like under a compiled draft: re-evaluates the decisions of the
 * last `days` days (their stored requests, oldest first) against the draft's snapshot, and counts
 * outcomes before and after, the money that changes and up to `limit` decisions that flip.
 * Yields progress after each batch and returns the report.
 *
 * Replay starts with empty counters and envelopes and fills them with the decisions it allows,
 * so envelopes and rate limits see the replayed traffic, not what was spent before the window.
 */
async function* replay(
  db: Db,
  organizationId: string,
  compiled: Extract<DraftSnapshot, { ok: true }>,
  { days, now, limit }: ReplayOptions,
): AsyncGenerator<ReplayProgress, ReplayReport> {
  const from = new Date(now.getTime() - days * 86_400_000);
  const inWindow = and(eq(decisions.organizationId, organizationId), gte(decisions.createdAt, from), lte(decisions.createdAt, now));
  const [{ total } = { total: 0 }] = await db.select({ total: count() }).from(decisions).where(inWindow);
  yield { replayed: 0, total };

  const usage = new ReplayUsage();
  const transitions = new Map<string, number>();
  const moneyByCurrency = new Map<string, { allowedBefore: number; allowedAfter: number }>();
  const examples: z.input<typeof flip>[] = [];
  let replayed = 0;
  let skipped = 0;
  let flipped = 0;
  let lastId: string | null = null;
  for (;;) {
    // Keyset on (created_at, id) read back from the row itself: a JS Date would drop the microseconds.
    const rows: (typeof decisions.$inferSelect)[] = await db
      .select()
      .from(decisions)
      .where(
        lastId === null
          ? inWindow
          : and(inWindow, sql`(${decisions.createdAt}, ${decisions.id}) > (select ${decisions.createdAt}, ${decisions.id} from ${decisions} where ${decisions.id} = ${lastId})`),
      )
      .orderBy(asc(decisions.createdAt), asc(decisions.id))
      .limit(BATCH);
    for (const row of rows) {
      const request = decisionRequestSchema.safeParse({
        agentId: row.agentId,
        action: row.action,
        amount: row.amount === null || row.currency === null ? undefined : { amount: row.amount, currency: row.currency },
        merchant: row.merchant ?? undefined,
        category: row.category ?? undefined,
        sessionId: row.sessionId ?? `decision:${row.id}`,
        onBehalfOf: row.onBehalfOf ?? undefined,
      });
      if (!request.success) {
        skipped += 1;
        continue;
      }
      usage.at = row.createdAt.getTime();
      const decision = evaluate(compiled.snapshot, request.data, usage, row.createdAt);
      usage.record(decision, request.data);
      replayed += 1;
      const key = `${row.outcome}>${decision.outcome}`;
      transitions.set(key, (transitions.get(key) ?? 0) + 1);
      if (request.data.amount) {
        const totals = moneyByCurrency.get(request.data.amount.currency) ?? { allowedBefore: 0, allowedAfter: 0 };
        if (row.outcome === "allow") totals.allowedBefore += request.data.amount.amount;
        if (decision.outcome === "allow") totals.allowedAfter += request.data.amount.amount;
        moneyByCurrency.set(request.data.amount.currency, totals);
      }
      if (row.outcome !== decision.outcome) {
        flipped += 1;
        if (examples.length < limit) examples.push(exampleOf(row, decision));
      }
    }
    if (rows.length < BATCH) break;
    lastId = rows[rows.length - 1]!.id;
    yield { replayed: replayed + skipped, total };
  }
  return {
    policy: { name: compiled.policy.name, version: compiled.version },
    from,
    to: now,
    replayed,
    skipped,
    transitions: [...transitions].map(([key, count]) => {
      const [before, after] = key.split(">") as [Outcome, Outcome];
      return { before, after, count };
    }).sort((a, b) => b.count - a.count || a.before.localeCompare(b.before) || a.after.localeCompare(b.after)),
    flipped,
    money: [...moneyByCurrency].map(([currency, totals]) => ({ currency, ...totals })).sort((a, b) => a.currency.localeCompare(b.currency)),
    examples,
  };
}

/**
 * Replays the last `days` days of decisions against the published state with `draft` — the
 * source (YAML or JSON) of ONE policy, replacing the policy of that name or added to the
 * others. Returns the report, or the draft's errors (parse or compiler) with their paths.
 *
 * @example await replayPolicyDraft(db, organizationId, yamlText, { days: 7, now: new Date(), limit: 20 })
 */
export async function replayPolicyDraft(db: Db, organizationId: string, draft: string, options: ReplayOptions): Promise<ReplayResult> {
  const compiled = await compileDraft(db, organizationId, draft, options.now);
  if (!compiled.ok) return compiled;
  const steps = replay(db, organizationId, compiled, options);
  for (;;) {
    const step = await steps.next();
    if (step.done) return { ok: true, ...step.value };
  }
}

/**
 * The console's replay: refuses a draft that does not compile (BAD_REQUEST naming each path)
 * before streaming, then streams progress events and, last, the report, each in its wire form
 * (subscriptions have no output schema of their own).
 */
export async function streamReplay({ ctx, input }: Action<z.infer<typeof replayInput>>) {
  const now = new Date();
  const compiled = await compileDraft(ctx.db, ctx.session.organizationId, input.source, now);
  if (!compiled.ok) throw refusal("The draft does not compile", compiled.errors);
  const steps = replay(ctx.db, ctx.session.organizationId, compiled, { days: input.days, now, limit: input.limit });
  return (async function* () {
    for (;;) {
      const step = await steps.next();
      if (step.done) {
        yield replayEvent.parse({ kind: "done", report: step.value });
        return;
      }
      yield replayEvent.parse({ kind: "progress", ...step.value });
    }
  })();
}

function exampleOf(row: typeof decisions.$inferSelect, decision: Decision): z.input<typeof flip> {
  return {
    decisionId: row.id,
    createdAt: row.createdAt,
    agentId: row.agentId,
    action: row.action,
    amount: row.amount === null || row.currency === null ? null : { amount: row.amount, currency: row.currency },
    merchant: row.merchant,
    before: row.outcome,
    after: decision.outcome,
    reasons: decision.reasons.map((reason) => ({ code: reason.code, message: reason.message, rule: reason.rule })),
  };
}
