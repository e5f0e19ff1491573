import type { Money } from "@tollgate/policy";

/** A reason as the worker gives it: a stable code, a message, and the rule that decided. */
export interface Reason {
  code: string;
  message: string;
  rule: string | null;
  policyVersion: number | null;
}

/** What the worker answered to `decide`. */
export interface DecisionResult {
  decision: "allow" | "deny" | "pending";
  decisionId: string;
  reasons: Reason[];
  policyVersion: number;
  reservationId?: string;
  approvalId?: string;
  retryAfterMs?: number;
  receipt?: string;
}

/** What a paid call is, as the agent asks about it. */
export interface DecisionRequest {
  action: string;
  amount?: Money;
  merchant?: string;
  category?: string;
  sessionId: string;
  /** Idempotency key: the same id always returns the first decision and never holds twice. */
  requestId: string;
  onBehalfOf?: string;
  metadata?: Record<string, unknown>;
}

export interface ApprovalResult {
  approvalId: string;
  decisionId: string;
  status: "pending" | "approved" | "denied" | "expired";
  decision: "allow" | "deny" | "pending";
  approvedAmount?: Money;
  reservationId?: string;
  receipt?: string;
  note: string | null;
}

/** The worker refused the request itself (bad key, malformed body, unavailable): no decision was made. */
export class TollgateError extends Error {
  override name = "TollgateError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

export interface TollgateOptions {
  /** The decision worker, e.g. `http://127.0.0.1:8787`. */
  url: string;
  /** The agent's API key (`tg_…`). */
  key: string;
  /** Any `fetch`: Node's, an edge runtime's, or a test's. */
  fetch?: typeof fetch;
}

/**
 * A client of the decision worker, for Node and edge runtimes alike (it only needs `fetch`).
 *
 * @example
 * const gate = createTollgate({ url: "http://127.0.0.1:8787", key: process.env.TOLLGATE_KEY! });
 * const answer = await gate.decide({ action: "stripe.charges.create", amount: { amount: 1250, currency: "USD" }, sessionId, requestId });
 */
export function createTollgate(options: TollgateOptions) {
  const send = options.fetch ?? fetch;
  const base = options.url.replace(/\/+$/, "");

  async function call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    const response = await send(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${options.key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const payload = (await response.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
    if (!response.ok) {
      const error = payload?.error ?? { code: "http_error", message: `the worker answered ${response.status}` };
      throw new TollgateError(response.status, error.code, error.message);
    }
    return payload as T;
  }

  return {
    /** Asks before a paid call. An allow holds the amount until `commit` or `release`. */
    decide: (request: DecisionRequest) => call<DecisionResult>("POST", "/v1/decisions", request),
    /** Commits what the call actually cost: at most what was held. */
    commit: (reservationId: string, amount: Money) =>
      call<{ reservationId: string; status: "committed"; amount: Money }>("POST", `/v1/reservations/${encodeURIComponent(reservationId)}/commit`, { amount }),
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

export type Tollgate = ReturnType<typeof createTollgate>;
