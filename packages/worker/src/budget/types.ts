/** Money in integer minor units of one ISO 4217 currency: `{ amount: 1250, currency: "USD" }` is $12.50. */
export interface Money {
  amount: number;
  currency: string;
}

export type EnvelopePeriod = "session" | "day" | "week" | "month" | "all_time";

/** One envelope a hold must fit in, as the policy evaluator computed it for this request. */
export interface EnvelopeToHold {
  /** The compiler's stable key: whose envelope, which rule, which scope. */
  key: string;
  period: EnvelopePeriod;
  /** Start of the calendar window in the organization's zone, computed by the policy engine. */
  periodStart: Date;
  limit: Money;
  agentId?: string;
}

/** A request to hold `amount` against every envelope on the chain, all or nothing. */
export interface HoldRequest {
  organizationId: string;
  /** Chosen by the caller; the same id never holds twice. */
  reservationId: string;
  agentId: string;
  envelopes: EnvelopeToHold[];
  amount: Money;
  /** When an unclaimed hold is expired by the sweep and its money returned. */
  expiresAt: Date;
  decisionId?: string;
}

/** Why the budget said no, as plain data the decision core turns into a deny reason. */
export type BudgetRefusalCode =
  /** The hold would take an envelope past its limit. */
  | "envelope_exceeded"
  /** The amount's currency is not the envelope's (or the reservation's); nothing is converted. */
  | "currency_mismatch"
  /** The amount is not a positive whole number of minor units, or the request is malformed. */
  | "invalid_request"
  /** The reservation id is already used by a different hold, or is unknown to this organization. */
  | "reservation_not_found"
  | "reservation_conflict"
  /** Commit or release of a reservation that is already settled the other way. */
  | "reservation_settled"
  /** Commit of more than was held. */
  | "commit_exceeds_hold"
  /** The database could not make the hold durable; fail closed. */
  | "budget_unavailable";

export interface BudgetRefusal {
  outcome: "refused";
  code: BudgetRefusalCode;
  message: string;
  /** The envelope that refused, when one did. */
  envelopeKey?: string;
}

/** A hold's answer; `rider` is what the budget's rider wrote with it (see BudgetOptions.rider). */
export type HoldResult<O = unknown> = { outcome: "held"; reservationId: string; rider?: O } | BudgetRefusal;
export type CommitResult = { outcome: "committed"; reservationId: string; amount: Money } | BudgetRefusal;
export type ReleaseResult = { outcome: "released"; reservationId: string } | BudgetRefusal;

export interface CommitRequest {
  organizationId: string;
  reservationId: string;
  /** What was actually spent: at most the held amount, in the held currency. */
  amount: Money;
}

export interface ReleaseRequest {
  organizationId: string;
  reservationId: string;
}

export interface SweepResult {
  /** Held reservations past their expiry that were expired and their money returned. */
  expired: number;
  /** Leases of workers that stopped renewing them, returned to their envelopes. */
  leasesReclaimed: number;
}

export const refuse = (code: BudgetRefusalCode, message: string, envelopeKey?: string): BudgetRefusal =>
  envelopeKey === undefined ? { outcome: "refused", code, message } : { outcome: "refused", code, message, envelopeKey };

const CURRENCY = /^[A-Z]{3}$/;

/** The problem with `money` as a hold or commit amount, or null when it is valid. */
export function moneyProblem(field: string, money: Money, { allowZero }: { allowZero: boolean }): string | null {
  if (typeof money !== "object" || money === null) return `${field} must be { amount, currency }`;
  if (typeof money.currency !== "string" || !CURRENCY.test(money.currency)) {
    return `${field}.currency must be an ISO 4217 code, got ${JSON.stringify(money.currency)}`;
  }
  const { amount } = money;
  if (!Number.isSafeInteger(amount)) return `${field}.amount must be a whole number of minor units, got ${amount}`;
  if (amount < 0 || (!allowZero && amount === 0)) {
    return `${field}.amount must be ${allowZero ? "zero or more" : "positive"}, got ${amount}`;
  }
  return null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a UUID, the shape of every id the worker hands out. */
export const isUuid = (value: unknown): value is string => typeof value === "string" && UUID.test(value);

/** The first of `ids` that is not a UUID, as a problem naming its field, or null. */
export function idProblem(ids: Record<string, unknown>): string | null {
  for (const [field, value] of Object.entries(ids)) {
    if (!isUuid(value)) return `${field} must be a UUID, got ${JSON.stringify(value)}`;
  }
  return null;
}
