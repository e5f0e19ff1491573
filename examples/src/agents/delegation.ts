import { TollgateDeniedError, type Tollgate } from "@tollgate/sdk";
import { usd, type Stage } from "./script";

async function attempt(gate: Tollgate, say: Stage["say"], what: string, action: string, cents: number, options: { onBehalfOf: string; sessionId: string }) {
  try {
    await gate.guard(action, () => undefined, { amount: usd(cents), merchant: "stripe", ...options });
    say(`  ${what}: allowed and committed`);
    return "allow" as const;
  } catch (error) {
    if (!(error instanceof TollgateDeniedError)) throw error;
    say(`  ${what}: denied (${error.codes.join(", ")})`);
    return "deny" as const;
  }
}

/**
 * invoice-reconciler acts for checkout-bot: a charge inside the delegated scope and budget is
 * allowed and counts against both agents' envelopes; a payout, outside the scope, is refused.
 */
export async function delegation({ delegate, delegationId, sessionId, say }: Stage) {
  say(`invoice-reconciler acts for checkout-bot under delegation ${delegationId}…`);
  const options = { onBehalfOf: delegationId, sessionId };
  return {
    inScope: await attempt(delegate, say, "a $20.00 charge (in scope)", "stripe.charges.create", 2_000, options),
    outOfScope: await attempt(delegate, say, "a $20.00 payout (outside the delegated scope)", "stripe.payouts.create", 2_000, options),
  };
}
