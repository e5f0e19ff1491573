import type { Counter, Decision } from "@tollgate/policy";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { WorkerUsage } from "./usage";

const BURST: Counter = { key: "vel/agent:agt_1/pol_1:burst", windowSeconds: 60 };
const RETRIES: Counter = { key: "agt_1\u001f\u001fstripe.charges.create\u001f\u001f\u001f100 USD", windowSeconds: 300 };

/** What `record` reads of a decision; the rest is an ordinary denial. */
function decided(counters: readonly Counter[], fingerprint: Counter | null): Decision {
  return {
    outcome: "deny",
    reasons: [],
    snapshotVersion: 1,
    agentId: "agt_1",
    chain: { agents: ["agt_1"], delegations: [] },
    holds: [],
    counters,
    fingerprint,
    retryAfterMs: null,
    shadow: null,
    trace: [],
  };
}

/** A usage on a clock the test moves, over a merchant history of `agentId/merchant` pairs. */
function usageAt(startMs = 1_000_000, usedMerchants: readonly string[] = []) {
  const clock = { ms: startMs };
  const merchants = { has: (agentId: string, merchant: string) => usedMerchants.includes(`${agentId}/${merchant}`) };
  return { clock, usage: new WorkerUsage(() => clock.ms, merchants) };
}

describe("WorkerUsage", () => {
  it("counts the calls recorded under a counter inside its window, not before it", () => {
    const { clock, usage } = usageAt();
    for (let call = 0; call < 3; call++) {
      expect(usage.calls(BURST.key, BURST.windowSeconds)).toBe(call);
      usage.record(decided([BURST], null));
      clock.ms += 10_000;
    }
    clock.ms += 35_000; // the first call is now 65 s old
    expect(usage.calls(BURST.key, 60)).toBe(2);
    expect(usage.calls(BURST.key, 3_600)).toBe(3);
    expect(usage.calls("vel/agent:agt_2/pol_1:burst", 60)).toBe(0);
  });

  it("counts repeats of a fingerprint inside the loop window", () => {
    const { clock, usage } = usageAt();
    usage.record(decided([], RETRIES));
    clock.ms += 200_000;
    usage.record(decided([], RETRIES));
    clock.ms += 200_000;
    expect(usage.repeats(RETRIES.key, RETRIES.windowSeconds)).toBe(1);
  });

  // Regression: a fingerprint was recorded with no window, so a prune between an agent's first
  // call and its retry forgot the first call, and a retry loop slower than the prune interval
  // (once a minute in the worker) was never caught.
  it("keeps a fingerprint's calls through a prune for as long as its loop window", () => {
    const { clock, usage } = usageAt();
    usage.record(decided([], RETRIES));
    clock.ms += 90_000;
    usage.prune();
    expect(usage.repeats(RETRIES.key, RETRIES.windowSeconds)).toBe(1);
  });

  it("prunes keys once their last call leaves the window, and only then", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ gapMs: fc.integer({ min: 0, max: 400_000 }), counter: fc.constantFrom(BURST, RETRIES), prune: fc.boolean() }), { maxLength: 30 }),
        (steps) => {
          const { clock, usage } = usageAt();
          const recorded: { key: string; atMs: number }[] = [];
          for (const { gapMs, counter, prune } of steps) {
            clock.ms += gapMs;
            usage.record(counter === RETRIES ? decided([], RETRIES) : decided([BURST], null));
            recorded.push({ key: counter.key, atMs: clock.ms });
            if (prune) usage.prune();
          }
          // Whatever the prunes, each count is exactly the calls inside the window.
          for (const counter of [BURST, RETRIES]) {
            const expected = recorded.filter(({ key, atMs }) => key === counter.key && atMs > clock.ms - counter.windowSeconds * 1000).length;
            const count = counter === RETRIES ? usage.repeats(counter.key, counter.windowSeconds) : usage.calls(counter.key, counter.windowSeconds);
            expect(count).toBe(expected);
          }
        },
      ),
    );
  });

  it("answers first uses of merchants from the merchant history, agent by agent", () => {
    const { usage } = usageAt(0, ["agt_1/acme"]);
    expect(usage.hasUsedMerchant("agt_1", "acme")).toBe(true);
    expect(usage.hasUsedMerchant("agt_1", "globex")).toBe(false);
    expect(usage.hasUsedMerchant("agt_2", "acme")).toBe(false);
  });
});
