import { TollgateDeniedError } from "@tollgate/sdk";
import { usd, type Stage } from "./script";

/** Refunds are issued by people (the guardrails policy): the call is refused before it is made. */
export async function deny({ gate, sessionId, say }: Stage) {
  say("checkout-bot asks to refund $40.00 through Stripe…");
  try {
    await gate.guard("stripe.refunds.create", () => say("  (never printed: the refund is not made)"), { amount: usd(4_000), merchant: "stripe", sessionId });
    throw new Error("the refund was allowed; the demo policies should deny it");
  } catch (error) {
    if (!(error instanceof TollgateDeniedError)) throw error;
    for (const reason of error.reasons) say(`  denied: ${reason.code} — ${reason.message}`);
    return error;
  }
}
