import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { afterFailure, lockedUntil, signInLimits, type ThrottleState } from "./throttle";

const limit = signInLimits.email;
const start = new Date("2026-11-24T10:00:00Z");
const replay = (offsetsMs: number[]) =>
  offsetsMs.reduce<ThrottleState | null>((state, offset) => afterFailure(state, new Date(start.getTime() + offset), limit), null);

describe("sign-in throttle", () => {
  it("locks a key once it collects the maximum number of failures inside one window", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: limit.windowMs - 1 }), { minLength: limit.maxFailures, maxLength: 20 }), (offsets) => {
        const times = offsets.sort((a, b) => a - b);
        const last = new Date(start.getTime() + times.at(-1)!);
        expect(lockedUntil(replay(times), last)).not.toBeNull();
      }),
    );
  });

  it("never locks a key with fewer failures than the maximum", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(10 * limit.windowMs), { maxLength: limit.maxFailures - 1 }), (offsets) => {
        const times = offsets.sort((a, b) => a - b);
        expect(replay(times)?.lockedUntil ?? null).toBeNull();
      }),
    );
  });

  it("keeps a key locked for exactly the lock time after the failure that locked it", () => {
    fc.assert(
      fc.property(fc.nat(limit.windowMs - 1), fc.nat(limit.lockMs - 1), (spread, wait) => {
        const times = Array.from({ length: limit.maxFailures }, (_, i) => Math.floor((spread * i) / limit.maxFailures));
        const state = replay(times);
        const lockedAt = start.getTime() + times.at(-1)!;
        expect(lockedUntil(state, new Date(lockedAt + wait))).toEqual(new Date(lockedAt + limit.lockMs));
        expect(lockedUntil(state, new Date(lockedAt + limit.lockMs))).toBeNull();
      }),
    );
  });

  it("counts afresh after the window ends or after a lock ends", () => {
    const spaced = Array.from({ length: 3 * limit.maxFailures }, (_, i) => i * (limit.windowMs / (limit.maxFailures - 1)));
    expect(replay(spaced)?.lockedUntil ?? null).toBeNull();

    const locked = replay(Array.from({ length: limit.maxFailures }, (_, i) => i))!;
    const afterLock = afterFailure(locked, locked.lockedUntil!, limit);
    expect(afterLock).toMatchObject({ failures: 1, lockedUntil: null });
  });
});
