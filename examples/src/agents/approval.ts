import { TollgateDeniedError } from "@tollgate/sdk";
import { usd, type Stage } from "./script";

/** A $300 charge is over the $250 threshold: it waits for a reviewer, then runs or is refused. */
export async function approval({ gate, sessionId, approvalTimeoutMs, say }: Stage, onPending?: (approvalId: string) => void) {
  say("checkout-bot asks to charge $300.00 through Stripe…");
  try {
    const charged = await gate.guard(
      "stripe.charges.create",
      (ctx) => {
        say(`  approved for ${ctx.held?.amount} ${ctx.held?.currency}: charging`);
        return ctx.held;
      },
      {
        amount: usd(30_000),
        merchant: "stripe",
        category: "payments",
        sessionId,
        approvalTimeoutMs,
        onPending: ({ approvalId, reasons }) => {
          say(`  pending: ${reasons.map((reason) => reason.code).join(", ")}; approval ${approvalId}`);
          say(`  approve or deny it in the console (Approvals, signed in as reviewer@tollgate.dev); waiting up to ${approvalTimeoutMs / 1000} s…`);
          onPending?.(approvalId);
        },
      },
    );
    return { outcome: "approved" as const, charged };
  } catch (error) {
    if (!(error instanceof TollgateDeniedError)) throw error;
    say(`  not charged: ${error.codes.join(", ")}`);
    return { outcome: "refused" as const, codes: error.codes };
  }
}
