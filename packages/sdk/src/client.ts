import type { Money } from "@tollgate/policy";
import { z } from "zod";
import { TollgateError, TollgateUnavailableError } from "./errors";
import { createGuard } from "./guard";
import { parseOptions, sleep, type Logger } from "./options";
import type { ApprovalResult, DecisionRequest, DecisionResult } from "./wire";

const tollgateOptionsSchema = z.strictObject({
  /** The decision worker, e.g. `http://127.0.0.1:8787`. */
  url: z.url({ error: "must be the decision worker's URL, e.g. http://127.0.0.1:8787" }),
  /** The agent's API key (`tg_…`). */
  key: z.string({ error: "must be the agent's API key" }).min(1, { error: "must be the agent's API key" }),
  /** Any `fetch`: Node's, an edge runtime's, or a test's. */
  fetch: z.custom<typeof fetch>((value) => typeof value === "function", { error: "must be a fetch function" }).optional(),
  /** How often a request that did not reach the worker (network error, 5xx) is sent again. */
  retries: z.number().int().min(0).max(10).default(2),
  /** Run guarded calls even when the worker is unavailable. Off: Tollgate fails closed. */
  failOpen: z.boolean().default(false),
  /** Where fail-open runs and lost commits are reported; `console` by default. */
  logger: z.custom<Logger>((value) => typeof value === "object" && value !== null && "warn" in value && "error" in value, { error: "must have warn and error" }).default(console),
});

export type TollgateOptions = z.input<typeof tollgateOptionsSchema>;

const FIRST_BACKOFF_MS = 100;

/**
 * A client of the decision worker, for Node and edge runtimes alike (it only needs `fetch`).
 *
 * @example
 * const gate = createTollgate({ url: "http://127.0.0.1:8787", key: process.env.TOLLGATE_KEY! });
 * const charge = await gate.guard("stripe.charges.create", () => stripe.charges.create(…), { amount: { amount: 1250, currency: "USD" }, sessionId });
 */
export function createTollgate(input: TollgateOptions) {
  const options = parseOptions(tollgateOptionsSchema, input, "createTollgate options");
  const calls = createCalls(options);
  return { ...calls, guard: createGuard(calls, { failOpen: options.failOpen, logger: options.logger }) };
}

/** The worker's endpoints as functions: what `guard` is built from. */
function createCalls(options: z.output<typeof tollgateOptionsSchema>) {
  const send = options.fetch ?? fetch;
  const base = options.url.replace(/\/+$/, "");

  async function once<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await send(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${options.key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (cause) {
      throw new TollgateUnavailableError(0, "unreachable", `${base}: ${(cause as Error).message}`, { cause });
    }
    const payload = (await response.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
    if (!response.ok) {
      const error = payload?.error ?? { code: "http_error", message: `the worker answered ${response.status}` };
      const Refusal = response.status >= 500 ? TollgateUnavailableError : TollgateError;
      throw new Refusal(response.status, error.code, error.message);
    }
    return payload as T;
  }

  /** Sends again only what is safe to repeat: reads, releases, and decisions (their requestId makes them idempotent). */
  async function call<T>(method: "GET" | "POST", path: string, body?: unknown, { repeatable = true } = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await once<T>(method, path, body);
      } catch (error) {
        if (!repeatable || !(error instanceof TollgateUnavailableError) || attempt >= options.retries) throw error;
        await sleep(FIRST_BACKOFF_MS * 2 ** attempt);
      }
    }
  }

  return {
    /** Asks before a paid call. An allow holds the amount until `commit` or `release`. */
    decide: (request: DecisionRequest) => call<DecisionResult>("POST", "/v1/decisions", request),
    /**
     * Commits what the call actually cost: at most what was held. Never sent twice: a lost answer
     * to a commit that landed would make the second one fail as already settled.
     */
    commit: (reservationId: string, amount: Money) =>
      call<{ reservationId: string; status: "committed"; amount: Money }>(
        "POST",
        `/v1/reservations/${encodeURIComponent(reservationId)}/commit`,
        { amount },
        { repeatable: false },
      ),
    /** Returns the held amount: the call failed or was not made. Releasing twice is harmless. */
    release: (reservationId: string) =>
      call<{ reservationId: string; status: "released" }>("POST", `/v1/reservations/${encodeURIComponent(reservationId)}/release`, {}),
    /**
     * Waits until a human decides the approval or `timeoutMs` passes (the answer is then still
     * `pending`); each poll waits on the worker for up to 25 s.
     */
    async waitForApproval(approvalId: string, { timeoutMs }: { timeoutMs: number }): Promise<ApprovalResult> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const waitMs = Math.max(0, Math.min(25_000, deadline - Date.now()));
        const answer = await call<ApprovalResult>("GET", `/v1/approvals/${encodeURIComponent(approvalId)}?waitMs=${waitMs}`);
        if (answer.status !== "pending" || Date.now() >= deadline) return answer;
      }
    },
  };
}

export type TollgateCalls = ReturnType<typeof createCalls>;
export type Tollgate = ReturnType<typeof createTollgate>;
