import { eq } from "drizzle-orm";
import fc from "fast-check";
import { signInThrottles, type Database, type Db } from "@tollgate/db";
import { openTestDatabase, organizationFixture, testDrivers, userFixture, withRollback } from "@tollgate/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cheapPasswordHash } from "../testing";
import { authenticate, type SignInResult } from "./authenticate";
import { signInLimits } from "./throttle";

const password = "correct horse battery staple";
const minute = 60_000;
const start = new Date("2026-11-24T10:00:00Z");
const outcome = (result: SignInResult) => (result.ok ? "ok" : result.reason);

async function member(db: Db, email = `${crypto.randomUUID().slice(0, 8)}@example.test`) {
  const organization = await organizationFixture(db);
  return userFixture(db, organization.id, { email, role: "reviewer", passwordHash: cheapPasswordHash(password) });
}

/** The throttle as the product states it, for the email key alone (a unique client each run). */
function expectedOutcomes(attempts: { correct: boolean; at: number }[]): string[] {
  const { maxFailures, windowMs, lockMs } = signInLimits.email;
  let failures = 0;
  let windowStart = 0;
  let lockedUntil = -Infinity;
  return attempts.map(({ correct, at }) => {
    if (at < lockedUntil) return "locked";
    if (correct) {
      failures = 0;
      return "ok";
    }
    if (failures === 0 || at - windowStart >= windowMs || lockedUntil !== -Infinity) {
      failures = 0;
      windowStart = at;
      lockedUntil = -Infinity;
    }
    failures += 1;
    if (failures >= maxFailures) {
      lockedUntil = at + lockMs;
      return "locked";
    }
    return "invalid_credentials";
  });
}

describe.each(testDrivers)("authenticate on %s", (driver) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(async () => {
    await database?.close();
  });

  it("signs in with the right password, whatever the email's case and spacing", () =>
    withRollback(database.db, async (tx) => {
      const user = await member(tx, "Grace.Hopper@Example.test");
      const result = await authenticate({ db: tx, email: "  grace.hopper@EXAMPLE.test ", password, clientKey: "10.0.0.1", now: start });
      expect(result).toEqual({
        ok: true,
        user: { id: user.id, organizationId: user.organizationId, role: "reviewer", name: user.name, email: user.email },
      });
    }));

  it("refuses a wrong password and an unknown email alike", () =>
    withRollback(database.db, async (tx) => {
      const user = await member(tx);
      expect(await authenticate({ db: tx, email: user.email, password: "wrong", clientKey: "10.0.0.1", now: start })).toEqual({
        ok: false,
        reason: "invalid_credentials",
      });
      expect(await authenticate({ db: tx, email: "nobody@example.test", password, clientKey: "10.0.0.1", now: start })).toEqual({
        ok: false,
        reason: "invalid_credentials",
      });
    }));

  it("locks an email after five failures, refuses even the right password, and lets it in 15 minutes later", () =>
    withRollback(database.db, async (tx) => {
      const user = await member(tx);
      const attempt = (pw: string, minutes: number) =>
        authenticate({ db: tx, email: user.email, password: pw, clientKey: "10.0.0.2", now: new Date(start.getTime() + minutes * minute) });
      const failures = [];
      for (let i = 0; i < 5; i++) failures.push(outcome(await attempt("wrong", i)));
      expect(failures).toEqual(["invalid_credentials", "invalid_credentials", "invalid_credentials", "invalid_credentials", "locked"]);
      expect(await attempt(password, 5)).toEqual({ ok: false, reason: "locked", retryAt: new Date(start.getTime() + 19 * minute) });
      expect(outcome(await attempt(password, 19))).toBe("ok");
    }));

  it("locks unknown emails too, so a lockout tells nothing about who has an account", () =>
    withRollback(database.db, async (tx) => {
      const results = [];
      for (let i = 0; i < 5; i++) {
        results.push(outcome(await authenticate({ db: tx, email: "ghost@example.test", password: "guess", clientKey: `10.1.0.${i}`, now: start })));
      }
      expect(results.at(-1)).toBe("locked");
    }));

  it("locks a client address that fails across many emails", () =>
    withRollback(database.db, async (tx) => {
      const user = await member(tx);
      for (let i = 0; i < signInLimits.client.maxFailures; i++) {
        await authenticate({ db: tx, email: `guess-${i}@example.test`, password: "guess", clientKey: "203.0.113.9", now: start });
      }
      expect(outcome(await authenticate({ db: tx, email: user.email, password, clientKey: "203.0.113.9", now: start }))).toBe("locked");
      expect(outcome(await authenticate({ db: tx, email: user.email, password, clientKey: "198.51.100.1", now: start }))).toBe("ok");
    }));

  it("clears an email's failures when it signs in", () =>
    withRollback(database.db, async (tx) => {
      const user = await member(tx);
      for (let i = 0; i < 4; i++) await authenticate({ db: tx, email: user.email, password: "wrong", clientKey: "10.0.0.3", now: start });
      expect(outcome(await authenticate({ db: tx, email: user.email, password, clientKey: "10.0.0.3", now: start }))).toBe("ok");
      expect(await tx.select().from(signInThrottles).where(eq(signInThrottles.key, `email:${user.email.toLowerCase()}`))).toEqual([]);
    }));

  it("follows the stated throttle for any sequence of attempts over time", async () => {
    const attempts = fc.array(fc.record({ correct: fc.boolean(), gapMinutes: fc.constantFrom(0, 1, 2, 5, 14, 15, 16, 30) }), {
      minLength: 1,
      maxLength: 14,
    });
    await fc.assert(
      fc.asyncProperty(attempts, async (steps) => {
        let at = 0;
        const timed = steps.map(({ correct, gapMinutes }) => ({ correct, at: (at += gapMinutes * minute) }));
        await withRollback(database.db, async (tx) => {
          const user = await member(tx);
          const clientKey = crypto.randomUUID();
          const seen = [];
          for (const step of timed) {
            const result = await authenticate({
              db: tx,
              email: user.email,
              password: step.correct ? password : "wrong",
              clientKey,
              now: new Date(start.getTime() + step.at),
            });
            seen.push(outcome(result));
          }
          expect(seen).toEqual(expectedOutcomes(timed));
        });
      }),
      { numRuns: 40 },
    );
  });
});
