import { TollgateDeniedError } from "@tollgate/sdk";
import { usd, type Stage } from "./script";

/** An agent stuck retrying the same chat call: the loop limit stops it, saying when to try again. */
export async function loop({ looper, sessionId, say }: Stage, maxTries = 10) {
  say("support-triage sends the same prompt again and again…");
  for (let call = 1; call <= maxTries; call++) {
    try {
      await looper.guard("openai.chat.completions", () => undefined, { amount: usd(3), merchant: "openai", category: "llm", sessionId });
      say(`  call ${call}: allowed`);
    } catch (error) {
      if (!(error instanceof TollgateDeniedError)) throw error;
      say(`  call ${call}: stopped (${error.codes.join(", ")}), retry after ${error.retryAfterMs ?? "?"} ms`);
      return { stoppedAt: call, error };
    }
  }
  throw new Error(`the loop was never stopped in ${maxTries} calls`);
}
