import type { Decision, Usage } from "@tollgate/policy";
import type { MerchantHistory } from "./merchant-history";

/** Recent calls under one key: timestamps (ms), oldest first, kept for the longest window asked of it. */
interface Calls {
  at: number[];
  windowMs: number;
}

/**
 * What this worker has seen, as the evaluator reads it: recent calls per velocity counter and per
 * call fingerprint, and (from the shared merchant history) which merchants an agent has spent
 * with. Each worker counts its own traffic, so with N workers a rate limit admits up to N times
 * its rate in the worst case; spending envelopes, which must never be exceeded, are enforced by
 * the budget instead.
 */
export class WorkerUsage implements Usage {
  private readonly counters = new Map<string, Calls>();
  private readonly fingerprints = new Map<string, Calls>();
  constructor(
    private readonly nowMs: () => number,
    private readonly merchants: Pick<MerchantHistory, "has">,
  ) {}

  /** Envelope state lives in the budget, which refuses a hold past the limit at hold time. */
  spent(): number {
    return 0;
  }

  calls(counterKey: string, windowSeconds: number): number {
    return this.count(this.counters, counterKey, windowSeconds);
  }

  repeats(fingerprint: string, windowSeconds: number): number {
    return this.count(this.fingerprints, fingerprint, windowSeconds);
  }

  hasUsedMerchant(agentId: string, merchant: string): boolean {
    return this.merchants.has(agentId, merchant);
  }

  /** Counts this call under the decision's counters and fingerprint, whatever its outcome. */
  record(decision: Decision): void {
    const now = this.nowMs();
    for (const counter of decision.counters) push(this.counters, counter.key, now, counter.windowSeconds * 1000);
    if (decision.fingerprint !== null) push(this.fingerprints, decision.fingerprint.key, now, decision.fingerprint.windowSeconds * 1000);
  }

  /** Forgets keys with no call inside their window, so memory follows traffic, not uptime. */
  prune(): void {
    const now = this.nowMs();
    for (const map of [this.counters, this.fingerprints]) {
      for (const [key, calls] of map) {
        trim(calls, now);
        if (calls.at.length === 0) map.delete(key);
      }
    }
  }

  private count(map: Map<string, Calls>, key: string, windowSeconds: number): number {
    const calls = map.get(key);
    if (!calls) return 0;
    calls.windowMs = Math.max(calls.windowMs, windowSeconds * 1000);
    return calls.at.length - firstAfter(calls.at, this.nowMs() - windowSeconds * 1000);
  }
}

function push(map: Map<string, Calls>, key: string, now: number, windowMs: number): void {
  const calls = map.get(key);
  if (!calls) {
    map.set(key, { at: [now], windowMs });
    return;
  }
  calls.windowMs = Math.max(calls.windowMs, windowMs);
  calls.at.push(now);
  // Trimming when the oldest call falls out keeps each list as long as its window's traffic.
  if (calls.at[0]! <= now - calls.windowMs) trim(calls, now);
}

function trim(calls: Calls, now: number): void {
  const keep = firstAfter(calls.at, now - calls.windowMs);
  if (keep > 0) calls.at.splice(0, keep);
}

/** Index of the first timestamp strictly after `since` (timestamps are in order). */
function firstAfter(at: number[], since: number): number {
  let low = 0;
  let high = at.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (at[middle]! > since) high = middle;
    else low = middle + 1;
  }
  return low;
}
