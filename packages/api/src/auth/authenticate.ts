import { eq, inArray, sql } from "drizzle-orm";
import { signInThrottles, users, type Db, type UserRole } from "@tollgate/db";
import { hashPassword, verifyPassword } from "./password";
import { afterFailure, lockedUntil, signInLimits, type ThrottleLimit } from "./throttle";

/** Who signed in: what the console keeps in its session. */
export interface AuthenticatedUser {
  id: string;
  organizationId: string;
  role: UserRole;
  name: string;
  email: string;
}

export type SignInResult =
  | { ok: true; user: AuthenticatedUser }
  /** Unknown email or wrong password: the two are never told apart. */
  | { ok: false; reason: "invalid_credentials" }
  /** Too many failures for this email or from this client; try again after `retryAt`. */
  | { ok: false; reason: "locked"; retryAt: Date };

export interface SignInAttempt {
  db: Db;
  email: string;
  password: string;
  /** Who is trying, e.g. the client's IP address: failures are also counted per client. */
  clientKey: string;
  now?: Date;
}

// Unknown emails are checked against this, so they take as long as a wrong password.
let dummyHash: Promise<string> | undefined;

/**
 * Checks an email and password, throttling failures per email and per client in
 * `sign_in_throttles` (so every replica sees them). A success clears the email's failures.
 *
 * @example
 * const result = await authenticate({ db, email, password, clientKey: ip });
 * if (!result.ok && result.reason === "locked") showRetryAfter(result.retryAt);
 */
export async function authenticate({ db, email, password, clientKey, now = new Date() }: SignInAttempt): Promise<SignInResult> {
  const normalized = email.trim().toLowerCase();
  const keys = [
    { key: `email:${normalized}`, limit: signInLimits.email },
    { key: `client:${clientKey}`, limit: signInLimits.client },
  ];

  const states = await db.select().from(signInThrottles).where(inArray(signInThrottles.key, keys.map((k) => k.key)));
  const locks = states.map((state) => lockedUntil(state, now)).filter((until): until is Date => until !== null);
  if (locks.length > 0) return { ok: false, reason: "locked", retryAt: latest(locks) };

  const [user] = await db
    .select({
      id: users.id,
      organizationId: users.organizationId,
      role: users.role,
      name: users.name,
      email: users.email,
      passwordHash: users.passwordHash,
    })
    .from(users)
    .where(eq(sql`lower(${users.email})`, normalized));
  const matches = await verifyPassword(password, user?.passwordHash ?? (await (dummyHash ??= hashPassword("no such user"))));

  if (user && matches) {
    await db.delete(signInThrottles).where(eq(signInThrottles.key, `email:${normalized}`));
    const { passwordHash: _hash, ...authenticated } = user;
    return { ok: true, user: authenticated };
  }

  const newLocks = await db.transaction(async (tx) => {
    const until: Date[] = [];
    for (const { key, limit } of keys) {
      const lock = await recordFailure(tx as unknown as Db, key, limit, now);
      if (lock) until.push(lock);
    }
    return until;
  });
  return newLocks.length > 0 ? { ok: false, reason: "locked", retryAt: latest(newLocks) } : { ok: false, reason: "invalid_credentials" };
}

/** Counts one failure against `key` under a row lock; returns when the key is now locked until, if it is. */
async function recordFailure(tx: Db, key: string, limit: ThrottleLimit, now: Date): Promise<Date | null> {
  await tx.insert(signInThrottles).values({ key, failures: 0, windowStartedAt: now }).onConflictDoNothing();
  const [state] = await tx.select().from(signInThrottles).where(eq(signInThrottles.key, key)).for("update");
  const next = afterFailure(state, now, limit);
  await tx.update(signInThrottles).set(next).where(eq(signInThrottles.key, key));
  return next.lockedUntil;
}

const latest = (dates: Date[]) => new Date(Math.max(...dates.map((date) => date.getTime())));
