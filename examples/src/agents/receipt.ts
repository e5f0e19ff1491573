import { usd, type Stage } from "./script";

/** The merchant's side: it runs the charge only for a valid receipt, and refuses the same receipt twice. */
export async function receipt({ gate, receipts: verifier, sessionId, say }: Stage) {
  const receipts = await verifier();
  const call = { action: "stripe.charges.create", amount: usd(500), merchant: "stripe" };
  const { action, ...priced } = call;
  say("checkout-bot pays the merchant $5.00, handing over its receipt…");
  return gate.guard(
    action,
    async (ctx) => {
      const first = await receipts.verify(ctx.receipt!, call);
      say(first.ok ? `  merchant: receipt valid for up to ${first.claims.cap?.amount} ${first.claims.cap?.currency}; charging` : `  merchant: refused (${first.code})`);
      const replay = await receipts.verify(ctx.receipt!, call);
      say(replay.ok ? "  merchant: accepted a replay (it should not!)" : `  merchant, the same receipt again: refused (${replay.code})`);
      return { first: first.ok, replay: replay.ok ? "accepted" : replay.code };
    },
    { ...priced, category: "payments", sessionId },
  );
}
