import type { Reason } from "./wire";

/** The worker refused the request itself (bad key, malformed body): no decision was made. */
export class TollgateError extends Error {
  override name = "TollgateError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${code}: ${message}`, options);
  }
}

/**
 * The worker could not be reached or answered 5xx, after the client's retries. Fail-closed:
 * `guard` throws this rather than running the paid call unasked.
 */
export class TollgateUnavailableError extends TollgateError {
  override name = "TollgateUnavailableError";
}

/** Tollgate said no: a deny, a reviewer's deny or expiry, or an approval still pending at the timeout. */
export class TollgateDeniedError extends Error {
  override name = "TollgateDeniedError";
  /** The reason codes, e.g. `["envelope_exceeded"]`. */
  readonly codes: readonly string[];
  constructor(
    readonly action: string,
    readonly decisionId: string,
    readonly reasons: readonly Reason[],
    /** Set when the deny is a throttle: asking again sooner is pointless. */
    readonly retryAfterMs?: number,
    /** Set when a human approval was involved, so the caller can follow it up. */
    readonly approvalId?: string,
  ) {
    const why = reasons.map((reason) => `${reason.code} (${reason.message})`).join("; ") || "no reason given";
    super(`${action} denied: ${why}${retryAfterMs === undefined ? "" : `; retry after ${retryAfterMs} ms`}`);
    this.codes = reasons.map((reason) => reason.code);
  }
}
