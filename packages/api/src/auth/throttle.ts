/** How many failed sign-ins a key may collect in a window before it is locked, and for how long. */
export interface ThrottleLimit {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

/** One key's failures (a `sign_in_throttles` row). */
export interface ThrottleState {
  failures: number;
  windowStartedAt: Date;
  lockedUntil: Date | null;
}

const minutes = (n: number) => n * 60_000;

/**
 * Per email address: 5 failures within 15 minutes lock it for 15 minutes. Per client address a
 * larger allowance, since many people may share one address, still stops one client guessing
 * across many emails.
 */
export const signInLimits = {
  email: { maxFailures: 5, windowMs: minutes(15), lockMs: minutes(15) },
  client: { maxFailures: 20, windowMs: minutes(15), lockMs: minutes(15) },
} as const satisfies Record<string, ThrottleLimit>;

/** When the key's lock ends, or null if it is not locked at `now`. */
export function lockedUntil(state: ThrottleState | null | undefined, now: Date): Date | null {
  return state?.lockedUntil && state.lockedUntil > now ? state.lockedUntil : null;
}

/**
 * The key's state after one more failure at `now`. A window that ran out, or a lock that ended,
 * starts counting afresh; reaching the limit locks the key for `lockMs` from this failure.
 */
export function afterFailure(state: ThrottleState | null | undefined, now: Date, limit: ThrottleLimit): ThrottleState {
  const fresh =
    !state ||
    now.getTime() - state.windowStartedAt.getTime() >= limit.windowMs ||
    (state.lockedUntil !== null && state.lockedUntil <= now);
  const failures = fresh ? 1 : state.failures + 1;
  return {
    failures,
    windowStartedAt: fresh ? now : state.windowStartedAt,
    lockedUntil: failures >= limit.maxFailures ? new Date(now.getTime() + limit.lockMs) : null,
  };
}
