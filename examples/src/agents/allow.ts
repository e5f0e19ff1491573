import { usd, type Stage } from "./script";

/** A $12.50 charge is within every limit: it runs, and commits the $11.90 it actually cost. */
export async function allow({ gate, sessionId, say }: Stage) {
  say("checkout-bot asks to charge $12.50 through Stripe…");
  const charge = await gate.guard(
    "stripe.charges.create",
    async (ctx) => {
      say(`  allowed (decision ${ctx.decisionId}); holding ${ctx.held?.amount} ${ctx.held?.currency}, receipt ${ctx.receipt?.slice(0, 24)}…`);
      // Stand-in for the real Stripe call; it reports what was actually charged (a discount applied).
      ctx.charge(1_190);
      return { id: "ch_example", amount: 1_190 };
    },
    { amount: usd(1_250), merchant: "stripe", category: "payments", sessionId },
  );
  say(`  charged ${charge.amount} cents, committed; the rest of the hold went back to the envelope`);
  return charge;
}
