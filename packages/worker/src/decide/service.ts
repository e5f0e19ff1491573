import { randomUUID } from "node:crypto";
import { approvals, reservations, type Db } from "@tollgate/db";
import { evaluate, findKeyByHash, type Decision, type LoadedSnapshot } from "@tollgate/policy";
import { and, eq } from "drizzle-orm";
import { isUuid } from "../budget/types";
import { errorResponse, type WorkerRequest, type WorkerResponse } from "../core";
import type { SnapshotStore } from "../snapshots/store";
import { approvedCap } from "./approval-cap";
import { drawStandingGrant } from "./approval-grants";
import { toHold } from "./holds";
import type { ApprovalWaiters } from "./approval-waiters";
import { createApprovalDesk } from "./approvals";
import type { MerchantHistory } from "./merchant-history";
import { nativeKeyHash } from "./key-hash";
import type { SessionBreaker } from "./breaker";
import type { StandingGrants } from "./standing-grants";
import type { DecisionBudget, DecisionEntry, DecisionLog, LogResult } from "./decision-log";
import { createReceiptSigner } from "./receipts";
import { responseOfLogged, wireReason, type DecisionResponse, type WireReason } from "./responses";
import type { WorkerUsage } from "./usage";
import { commitBodySchema, decisionBodySchema, parseBody, type DecisionBody } from "./wire";

export interface DecisionServiceConfig {
  db: Db;
  store: SnapshotStore;
  budget: DecisionBudget;
  log: DecisionLog;
  usage: WorkerUsage;
  merchants: Pick<MerchantHistory, "note">;
  approvalWaiters: ApprovalWaiters;
  standingGrants: Pick<StandingGrants, "mayCover">;
  breaker: SessionBreaker;
  workerId: string;
  now: () => Date;
  /** An allow's hold lapses (and its money returns) if not committed or released in time. */
  holdTtlMs: number;
  /** How long a pending decision waits for a human. */
  approvalTtlMs: number;
  /** Past this without reaching the database, the worker refuses rather than decide on old rules. */
  maxStalenessMs: number;
  /** How many recent request ids answer from memory; older retries are answered from the log. */
  idempotencyCacheSize?: number;
}

type Authenticated = { snapshot: LoadedSnapshot; agentId: string; organizationId: string };

const BEARER = /^Bearer ([^\s]+)$/;

const ok = (body: unknown): WorkerResponse => ({ status: 200, body });

/**
 * The decision worker's API behind the adapters: authenticate the key against the snapshot,
 * validate, evaluate in memory, hold on the budget, log durably, answer.
 */
export function createDecisionService(config: DecisionServiceConfig) {
  const { store, budget, log, usage, now } = config;
  const recent = new Map<string, Promise<WorkerResponse>>();
  const receiptFor = createReceiptSigner(store, config.holdTtlMs);
  const desk = createApprovalDesk({ db: config.db, budget, waiters: config.approvalWaiters, receiptFor, now });
  const cacheSize = config.idempotencyCacheSize ?? 100_000;

  function authenticate(request: WorkerRequest): Authenticated | { refusal: WorkerResponse } {
    const match = BEARER.exec(request.headers.authorization ?? "");
    if (!match) return { refusal: errorResponse(401, "missing_key", "authorization: expected `Bearer <agent key>`") };
    const keyHash = nativeKeyHash(match[1]!);
    const snapshot = store.forKeyHash(keyHash);
    if (!snapshot) return { refusal: errorResponse(401, "key_unknown", "authorization: no agent has this key") };
    const found = findKeyByHash(snapshot, keyHash, now());
    if (!found.ok) return { refusal: errorResponse(401, found.code, `authorization: ${found.message}`) };
    const agent = snapshot.agents.get(found.key.agentId);
    if (agent?.status !== "active") {
      return { refusal: errorResponse(403, "agent_suspended", `agent ${agent?.name ?? found.key.agentId} is suspended`) };
    }
    return { snapshot, agentId: found.key.agentId, organizationId: snapshot.organization.id };
  }

  function stale(): WorkerResponse | null {
    const age = now().getTime() - store.lastContactMs;
    if (age <= config.maxStalenessMs) return null;
    // Fail closed: old rules may allow what a newer publish or suspension forbids.
    return {
      status: 503,
      body: {
        decision: "deny",
        reasons: [{ code: "snapshot_stale", message: `no contact with the control plane for ${Math.round(age / 1000)} s`, rule: null, policyVersion: null }],
        error: { code: "snapshot_stale", message: "the worker cannot confirm its rules are current; nothing was held" },
      },
    };
  }

  /** What the worker concludes before logging: the policy's decision, narrowed by the budget and the breaker. */
  interface Verdict {
    outcome: Decision["outcome"];
    reasons: WireReason[];
    reservationId?: string;
    chain: readonly string[];
    shadowOutcome: Decision["outcome"] | null;
    retryAfterMs: number | null;
    /** Set when the decision was written with its hold (see decisionRider). */
    logged?: LogResult;
  }

  async function judge(
    caller: Authenticated,
    body: DecisionBody,
    decisionId: string,
    at: Date,
    entryOf: (verdict: Verdict) => DecisionEntry,
  ): Promise<Verdict> {
    if (config.breaker.isTripped(caller.agentId, body.sessionId)) {
      const message = `session ${body.sessionId} tripped its circuit breaker; a person must reset it in the console`;
      const reasons = [{ code: "session_tripped", message, rule: null, policyVersion: caller.snapshot.version }];
      return { outcome: "deny", reasons, chain: [caller.agentId], shadowOutcome: null, retryAfterMs: null };
    }
    const decision: Decision = evaluate(caller.snapshot, { ...body, agentId: caller.agentId }, usage, at);
    usage.record(decision);
    const verdict: Verdict = {
      outcome: decision.outcome,
      reasons: decision.reasons.map(wireReason),
      chain: decision.chain.agents,
      shadowOutcome: decision.shadow?.outcome ?? null,
      retryAfterMs: decision.retryAfterMs,
    };
    if (
      verdict.outcome === "pending" &&
      body.amount &&
      verdict.reasons.every((r) => r.code.startsWith("approval_required_")) &&
      config.standingGrants.mayCover(caller.agentId)
    ) {
      // A reviewer may have approved "and up to X more in this session": drawn atomically, it stands in for a new approval.
      const grant = await drawStandingGrant(config.db, { organizationId: caller.organizationId, agentId: caller.agentId, sessionId: body.sessionId, action: body.action, amount: body.amount, at });
      if (grant) verdict.outcome = "allow";
    }
    if (verdict.outcome === "deny" || !body.amount || body.amount.amount === 0 || decision.holds.length === 0) return verdict;

    const reservationId = randomUUID();
    const held = await budget.hold(
      {
      organizationId: caller.organizationId,
      reservationId,
      agentId: caller.agentId,
      decisionId,
      envelopes: decision.holds.map(toHold),
      amount: body.amount,
      expiresAt: new Date(at.getTime() + (verdict.outcome === "pending" ? config.approvalTtlMs : config.holdTtlMs)),
      },
      () => entryOf({ ...verdict, reservationId }),
    );
    if (held.outcome === "held") return { ...verdict, reservationId, ...(held.rider ? { logged: held.rider } : {}) };
    const envelope = decision.holds.find((candidate) => candidate.key === held.envelopeKey);
    const reason = {
      code: held.code === "envelope_exceeded" ? "envelope_exhausted" : held.code,
      message: held.message,
      rule: envelope?.rule ? `${envelope.policyId}/${envelope.rule}` : null,
      policyVersion: caller.snapshot.version,
    };
    return { ...verdict, outcome: "deny", reasons: [reason] };
  }

  async function decide(caller: Authenticated, body: DecisionBody): Promise<WorkerResponse> {
    const started = process.hrtime.bigint();
    const at = now();
    const decisionId = randomUUID();
    // A pending decision opens its approval with its log entry (with a hold, in the hold's transaction).
    let approvalId: string | undefined;
    const approvalOf = ({ outcome, reservationId }: Verdict) =>
      outcome === "pending" ? { id: (approvalId ??= randomUUID()), reservationId: reservationId ?? null, expiresAt: new Date(at.getTime() + config.approvalTtlMs) } : undefined;
    const entryOf = (verdict: Verdict): DecisionEntry => {
      const approval = approvalOf(verdict);
      return {
        id: decisionId,
        organizationId: caller.organizationId,
        agentId: caller.agentId,
        sessionExternalId: body.sessionId,
        requestId: body.requestId,
        action: body.action,
        amount: body.amount?.amount ?? null,
        currency: body.amount?.currency ?? null,
        merchant: body.merchant ?? null,
        category: body.category ?? null,
        onBehalfOf: body.onBehalfOf ?? null,
        chain: [...verdict.chain],
        outcome: verdict.outcome,
        reasons: verdict.reasons,
        shadowOutcome: verdict.shadowOutcome,
        snapshotVersion: caller.snapshot.version,
        workerId: config.workerId,
        latencyUs: Number((process.hrtime.bigint() - started) / 1000n),
        metadata: body.metadata ?? null,
        createdAt: at,
        ...(approval ? { approval } : {}),
      };
    };
    const verdict = await judge(caller, body, decisionId, at, entryOf);
    const { outcome, reasons, reservationId, retryAfterMs } = verdict;
    // A hold's decision was written in the hold's transaction; every other decision is logged here.
    const logged = verdict.logged ?? (await log.record(entryOf(verdict)));
    if (logged.kind !== "logged") {
      // Never answer a decision that is not durable, and never hold twice for one request id.
      if (reservationId) await budget.release({ organizationId: caller.organizationId, reservationId });
      if (logged.kind === "failed") {
        return errorResponse(503, "decision_log_unavailable", "the decision could not be recorded; nothing was held");
      }
      return ok(await loggedResponse(logged.first));
    }

    await config.breaker.record(caller.organizationId, caller.agentId, body.sessionId, outcome);
    const response: DecisionResponse = { decision: outcome, decisionId, reasons, policyVersion: caller.snapshot.version };
    if (outcome === "allow") {
      if (reservationId) response.reservationId = reservationId;
      response.receipt = receiptFor(
        {
          organizationId: caller.organizationId,
          agentId: caller.agentId,
          action: body.action,
          cap: body.amount ?? null,
          merchant: body.merchant ?? null,
          decisionId,
          reservationId: reservationId ?? null,
        },
        at,
      );
    }
    // Every agent on the chain has now used the merchant: a first-merchant rule asks about the agent whose policy it is.
    if (outcome === "allow" && body.merchant) config.merchants.note(caller.organizationId, verdict.chain, body.merchant);
    if (outcome === "pending") {
      response.approvalId = approvalOf(verdict)!.id;
      if (reservationId) response.reservationId = reservationId;
    }
    if (retryAfterMs !== null && outcome === "deny") response.retryAfterMs = retryAfterMs;
    return ok(response);
  }

  async function loggedResponse(row: Parameters<typeof responseOfLogged>[0]): Promise<DecisionResponse> {
    const [reservation] = await config.db
      .select({ id: reservations.id })
      .from(reservations)
      .where(and(eq(reservations.organizationId, row.organizationId), eq(reservations.decisionId, row.id)));
    const [approval] = await config.db
      .select({ id: approvals.id })
      .from(approvals)
      .where(and(eq(approvals.organizationId, row.organizationId), eq(approvals.decisionId, row.id)));
    return responseOfLogged(row, { reservationId: reservation?.id, approvalId: approval?.id });
  }

  /** The same request id from the same agent answers with the first decision, never a second hold. */
  function once(caller: Authenticated, body: DecisionBody): Promise<WorkerResponse> {
    const key = `${caller.agentId}\u0000${body.requestId}`;
    const known = recent.get(key);
    if (known) return known;
    const answer = decide(caller, body);
    recent.set(key, answer);
    if (recent.size > cacheSize) recent.delete(recent.keys().next().value!);
    // A failure must not stick: the retry deserves a fresh attempt.
    answer.then((response) => response.status >= 500 && recent.delete(key), () => recent.delete(key));
    return answer;
  }

  return {
    async decisions(request: WorkerRequest): Promise<WorkerResponse> {
      const caller = authenticate(request);
      if ("refusal" in caller) return caller.refusal;
      const staleness = stale();
      if (staleness) return staleness;
      const parsed = parseBody(decisionBodySchema, request.body);
      if ("refusal" in parsed) return parsed.refusal;
      return once(caller, parsed.value);
    },

    async commit(request: WorkerRequest, reservationId: string): Promise<WorkerResponse> {
      const caller = authenticate(request);
      if ("refusal" in caller) return caller.refusal;
      const parsed = parseBody(commitBodySchema, request.body);
      if ("refusal" in parsed) return parsed.refusal;
      // A reviewer who approved less than was asked capped the spend below the hold.
      const cap = isUuid(reservationId) ? await approvedCap(config.db, caller.organizationId, reservationId) : null;
      if (cap !== null && parsed.value.amount.amount > cap) {
        return errorResponse(400, "commit_exceeds_approval", `amount: must be at most ${cap}, the amount a reviewer approved`);
      }
      const result = await budget.commit({ organizationId: caller.organizationId, reservationId, amount: parsed.value.amount });
      if (result.outcome === "refused") return budgetRefusal(result.code, result.message);
      return ok({ reservationId, status: "committed", amount: result.amount });
    },

    /** `GET /v1/approvals/{id}?waitMs=`: long-polls until a human decides, the approval expires, or the wait ends. */
    async approval(request: WorkerRequest, approvalId: string, waitMs: string | null): Promise<WorkerResponse> {
      const caller = authenticate(request);
      if ("refusal" in caller) return caller.refusal;
      return desk.answer(caller, approvalId, waitMs);
    },

    /**
     * `GET /v1/organizations/{id}/receipt-keys`: the public half of the key this worker signs the
     * organization's receipts with. Public by nature, so asked without a key: a merchant has none.
     */
    receiptKeys(organizationId: string): WorkerResponse {
      const key = store.receiptKey(organizationId);
      if (!key) return errorResponse(404, "organization_not_found", `organization ${organizationId}: this worker signs no receipts for it`);
      return ok({ organizationId, keys: { [key.keyId]: key.publicKey } });
    },

    async release(request: WorkerRequest, reservationId: string): Promise<WorkerResponse> {
      const caller = authenticate(request);
      if ("refusal" in caller) return caller.refusal;
      const result = await budget.release({ organizationId: caller.organizationId, reservationId });
      if (result.outcome === "refused") return budgetRefusal(result.code, result.message);
      return ok({ reservationId, status: "released" });
    },
  };
}

/** Budget refusals of commit and release as HTTP: the client's mistake is 4xx, ours is 503. */
function budgetRefusal(code: string, message: string): WorkerResponse {
  const status = code === "reservation_not_found" ? 404 : code === "budget_unavailable" ? 503 : code === "reservation_settled" ? 409 : 400;
  return errorResponse(status, code, message);
}

export type DecisionService = ReturnType<typeof createDecisionService>;
