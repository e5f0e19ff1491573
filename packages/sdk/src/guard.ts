import { moneySchema, type Money } from "@tollgate/policy";
import { z } from "zod";
import type { TollgateCalls } from "./client";
import { TollgateDeniedError, TollgateUnavailableError } from "./errors";
import { parseOptions, sleep, type Logger } from "./options";
import type { DecisionRequest, DecisionResult, Reason } from "./wire";

const guardOptionsSchema = z.strictObject({
  sessionId: z.string({ error: "is required: the agent's session (run, conversation) this call belongs to" }).min(1, { error: "must not be empty" }),
  /** What the call may cost: held until it is committed or released. Omit for a free action. */
  amount: moneySchema.optional(),
  merchant: z.string().min(1, { error: "must not be empty" }).optional(),
  category: z.string().min(1, { error: "must not be empty" }).optional(),
  /** Idempotency key of this invocation; a random one by default. Throttle retries append `.retry-N`. */
  requestId: z.string().min(1, { error: "must not be empty" }).max(180, { error: "must be at most 180 characters" }).optional(),
  /** The delegation this agent acts under. */
  onBehalfOf: z.string().min(1, { error: "must not be empty" }).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  /** How long a pending decision waits for a human before `guard` gives up (`approval_pending`). */
  approvalTimeoutMs: z.number().int().min(0).default(60_000),
  /** How many times a throttled deny (one with `retryAfterMs`) is asked again after waiting. */
  throttleRetries: z.number().int().min(0).max(10).default(0),
  /** A throttle asking for a longer wait than this is thrown at once instead. */
  maxRetryAfterMs: z.number().int().min(0).default(10_000),
  /** Overrides the client's `failOpen` for this call. */
  failOpen: z.boolean().optional(),
  /** Told when the call waits for a human, e.g. to show the user which approval to look at. */
  onPending: z.custom<(pending: PendingApproval) => void>((value) => typeof value === "function", { error: "must be a function" }).optional(),
});

/** A decision waiting for a human: what `onPending` is told. */
export interface PendingApproval {
  approvalId: string;
  decisionId: string;
  reasons: Reason[];
}

export type GuardOptions = z.input<typeof guardOptionsSchema>;

/** What the guarded function learns about the go-ahead, and how it reports the actual cost. */
export interface GuardContext {
  readonly requestId: string;
  /** Absent when the call runs failed-open, without a decision. */
  readonly decisionId?: string;
  /** The signed receipt to hand to the tool or merchant, which can verify it offline. */
  readonly receipt?: string;
  readonly reservationId?: string;
  /** What is held for this call; `charge` may commit less, never more. */
  readonly held?: Money;
  /** True when the worker was unreachable and the client is configured to fail open. */
  readonly failedOpen: boolean;
  /** Reports what the call actually cost, in minor units of the held currency; default: all of `held`. */
  charge(amount: number): void;
}

/** A go-ahead: from an allow, or from a human's approval of a pending decision. */
interface Admission {
  requestId: string;
  decisionId: string;
  receipt?: string;
  reservationId?: string;
  held?: Money;
}

export function createGuard(calls: TollgateCalls, defaults: { failOpen: boolean; logger: Logger }) {
  const { logger } = defaults;

  /** Turns a pending decision into a go-ahead, or the deny a reviewer, the clock or the timeout gave it. */
  async function awaitApproval(action: string, pending: DecisionResult, requestId: string, timeoutMs: number, requested?: Money): Promise<Admission> {
    const approvalId = pending.approvalId!;
    const answer = await calls.waitForApproval(approvalId, { timeoutMs });
    if (answer.status === "approved") {
      return { requestId, decisionId: answer.decisionId, receipt: answer.receipt, reservationId: answer.reservationId, held: answer.approvedAmount ?? requested };
    }
    const reason: Reason =
      answer.status === "pending"
        ? { code: "approval_pending", message: `no one decided approval ${approvalId} within ${timeoutMs} ms`, rule: null, policyVersion: null }
        : { code: `approval_${answer.status}`, message: answer.note ?? `the approval was ${answer.status}`, rule: null, policyVersion: null };
    throw new TollgateDeniedError(action, pending.decisionId, [...pending.reasons, reason], undefined, approvalId);
  }

  /** Runs `fn` under an admission: commits what it charged, or releases the hold if it throws. */
  async function runAdmitted<T>(action: string, admission: Admission, fn: (ctx: GuardContext) => T | Promise<T>): Promise<T> {
    const { reservationId, held } = admission;
    let charged: number | undefined;
    const ctx: GuardContext = {
      ...admission,
      failedOpen: false,
      charge(amount) {
        const limit = held?.amount ?? 0;
        if (!Number.isSafeInteger(amount) || amount < 0 || amount > limit) {
          throw new RangeError(`charge: must be a whole number of minor units from 0 to the ${limit} held, got ${amount}`);
        }
        charged = amount;
      },
    };
    let result: T;
    try {
      result = await fn(ctx);
    } catch (error) {
      if (reservationId) {
        await calls.release(reservationId).catch((releaseError: unknown) => {
          logger.error(`tollgate: ${action} threw and its hold ${reservationId} could not be released (it will expire): ${String(releaseError)}`);
        });
      }
      throw error;
    }
    if (reservationId && held) {
      // The paid call already happened: losing its result would invite a second one, so a commit
      // that does not land is reported, not thrown.
      await calls.commit(reservationId, { amount: charged ?? held.amount, currency: held.currency }).catch((commitError: unknown) => {
        logger.error(`tollgate: ${action} ran but committing reservation ${reservationId} failed; the hold will expire uncounted: ${String(commitError)}`);
      });
    }
    return result;
  }

  /**
   * Asks Tollgate before `fn` runs, and settles the hold after: allow → run and commit what
   * `ctx.charge` reported (default: the held amount); a throw → release and rethrow; pending →
   * wait for a human, then as allow; deny → `TollgateDeniedError`; worker unavailable →
   * `TollgateUnavailableError`, unless failing open.
   *
   * @example
   * await gate.guard("openai.chat.completions", async (ctx) => {
   *   const reply = await openai.chat.completions.create(…);
   *   ctx.charge(costOf(reply.usage));
   *   return reply;
   * }, { amount: { amount: 200, currency: "USD" }, merchant: "openai", sessionId });
   */
  return async function guard<T>(action: string, fn: (ctx: GuardContext) => T | Promise<T>, input: GuardOptions): Promise<T> {
    if (typeof action !== "string" || action.length === 0) throw new TypeError("guard action: must be an action name, e.g. stripe.charges.create");
    const { approvalTimeoutMs, throttleRetries, maxRetryAfterMs, failOpen = defaults.failOpen, onPending, requestId: givenId, ...call } = parseOptions(
      guardOptionsSchema,
      input,
      "guard options",
    );
    // One id per invocation: transport retries resend it, so the worker never holds twice; only a
    // throttle retry, which is a new question after waiting, gets a derived one.
    const baseId = givenId ?? globalThis.crypto.randomUUID();
    for (let attempt = 0; ; attempt++) {
      const requestId = attempt === 0 ? baseId : `${baseId}.retry-${attempt}`;
      const request: DecisionRequest = { action, ...call, requestId };
      let answer: DecisionResult;
      try {
        answer = await calls.decide(request);
      } catch (error) {
        if (!(error instanceof TollgateUnavailableError) || !failOpen) throw error;
        logger.warn(`tollgate: FAILING OPEN — ${action} (request ${requestId}, session ${call.sessionId}) runs without a decision: ${error.message}`);
        return fn({ requestId, failedOpen: true, charge: () => {} });
      }
      if (answer.decision === "allow") {
        return runAdmitted(action, { requestId, decisionId: answer.decisionId, receipt: answer.receipt, reservationId: answer.reservationId, held: call.amount }, fn);
      }
      if (answer.decision === "pending") {
        onPending?.({ approvalId: answer.approvalId!, decisionId: answer.decisionId, reasons: answer.reasons });
        return runAdmitted(action, await awaitApproval(action, answer, requestId, approvalTimeoutMs, call.amount), fn);
      }
      const wait = answer.retryAfterMs;
      if (wait === undefined || attempt >= throttleRetries || wait > maxRetryAfterMs) {
        throw new TollgateDeniedError(action, answer.decisionId, answer.reasons, wait);
      }
      await sleep(wait);
    }
  };
}
