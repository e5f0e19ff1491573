import type { Decision, DecisionRequest, Usage } from "@tollgate/policy";

/**
 * The usage a replay (or a simulation, starting empty) builds as it goes: what it allowed is held against envelopes, every call
 * counts toward rate limits and loops, and an allowed spend makes a merchant known.
 */
export class ReplayUsage implements Usage {
  /** The replayed decision's time, in ms. */
  at = 0;
  private readonly spentByKey = new Map<string, number>();
  private readonly callTimes = new Map<string, number[]>();
  private readonly merchants = new Set<string>();

  spent(envelopeKey: string): number {
    return this.spentByKey.get(envelopeKey) ?? 0;
  }

  calls(counterKey: string, windowSeconds: number): number {
    return this.within(`c:${counterKey}`, windowSeconds);
  }

  repeats(fingerprint: string, windowSeconds: number): number {
    return this.within(`f:${fingerprint}`, windowSeconds);
  }

  hasUsedMerchant(agentId: string, merchant: string): boolean {
    return this.merchants.has(`${agentId}\u0000${merchant}`);
  }

  record(decision: Decision, request: DecisionRequest): void {
    for (const counter of decision.counters) this.push(`c:${counter.key}`);
    if (decision.fingerprint !== null) this.push(`f:${decision.fingerprint.key}`);
    if (decision.outcome !== "allow" || request.amount === undefined) return;
    for (const hold of decision.holds) this.spentByKey.set(hold.key, this.spent(hold.key) + request.amount.amount);
    if (request.merchant !== undefined) this.merchants.add(`${decision.agentId}\u0000${request.merchant}`);
  }

  private push(key: string): void {
    const list = this.callTimes.get(key);
    if (list) list.push(this.at);
    else this.callTimes.set(key, [this.at]);
  }

  private within(key: string, windowSeconds: number): number {
    const list = this.callTimes.get(key) ?? [];
    const since = this.at - windowSeconds * 1000;
    // Replay runs oldest first, so each list is sorted: binary-search the first call in the window.
    let low = 0;
    let high = list.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (list[middle]! > since) high = middle;
      else low = middle + 1;
    }
    return list.length - low;
  }
}
