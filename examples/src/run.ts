import { createTollgate } from "@tollgate/sdk";
import { createReceiptVerifier, fetchReceiptKeys } from "@tollgate/sdk/receipts";
import type { Stage } from "./agents/script";
import { readExampleEnv } from "./env";

/** Runs one scripted agent against the product the environment points at (defaults: `npm start`). */
export async function runExample(script: (stage: Stage) => Promise<unknown>): Promise<void> {
  try {
    const env = readExampleEnv();
    const connect = (key: string) => createTollgate({ url: env.TOLLGATE_URL, key });
    await script({
      gate: connect(env.TOLLGATE_KEY),
      delegate: connect(env.TOLLGATE_DELEGATE_KEY),
      looper: connect(env.TOLLGATE_LOOP_KEY),
      delegationId: env.TOLLGATE_DELEGATION_ID,
      receipts: async () =>
        createReceiptVerifier({
          publicKeys: env.TOLLGATE_RECEIPT_KEYS ?? (await fetchReceiptKeys({ url: env.TOLLGATE_URL, organizationId: env.TOLLGATE_ORGANIZATION_ID })),
        }),
      approvalTimeoutMs: env.APPROVAL_TIMEOUT_MS,
      sessionId: `example-${Date.now().toString(36)}`,
      say: (line) => console.log(line),
    });
  } catch (error) {
    console.error(`\n${(error as Error).name}: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
