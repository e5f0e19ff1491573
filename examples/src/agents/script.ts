import type { Tollgate } from "@tollgate/sdk";
import type { ReceiptVerifier } from "@tollgate/sdk/receipts";

/** What a scripted agent is given: its gates, where to narrate, and the knobs of the run. */
export interface Stage {
  /** The main agent (checkout-bot in the demo). */
  gate: Tollgate;
  /** The agent that acts for it under a delegation (invoice-reconciler in the demo). */
  delegate: Tollgate;
  /** An agent whose policy has a loop limit (support-triage in the demo). */
  looper: Tollgate;
  /** The delegation `delegate` acts under for `gate`'s agent. */
  delegationId: string;
  /** The merchant's receipt check, made when a script needs it (it fetches the organization's keys). */
  receipts: () => Promise<ReceiptVerifier>;
  approvalTimeoutMs: number;
  /** Each run of a script is its own session, so envelopes per session start fresh. */
  sessionId: string;
  say: (line: string) => void;
}

export const usd = (amount: number) => ({ amount, currency: "USD" });
