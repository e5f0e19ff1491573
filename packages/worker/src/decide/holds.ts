import type { Envelope } from "@tollgate/policy";
import type { EnvelopeToHold } from "../budget";

/** A policy envelope as the budget holds it. */
export const toHold = (envelope: Envelope): EnvelopeToHold => ({
  key: envelope.key,
  period: envelope.period,
  // Session and all-time envelopes have no calendar window; the epoch names their one window.
  periodStart: new Date(envelope.windowStart ?? 0),
  limit: { amount: envelope.limit, currency: envelope.currency },
  ...(envelope.owner.startsWith("agent:") ? { agentId: envelope.owner.slice("agent:".length) } : {}),
});
