import type { Database } from "@tollgate/db";
import { openTestDatabase, testDrivers } from "@tollgate/db/testing";
import { createTollgate } from "@tollgate/sdk";
import { createReceiptVerifier, fetchReceiptKeys } from "@tollgate/sdk/receipts";
import { startTestWorker, type TestWorker } from "@tollgate/worker/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allow } from "./agents/allow";
import { approval } from "./agents/approval";
import { deny } from "./agents/deny";
import { loop } from "./agents/loop";
import { receipt } from "./agents/receipt";
import type { Stage } from "./agents/script";

/** The demo policies the scripts play against, folded into the one policy a test worker holds. */
const policy = {
  name: "demo-like",
  selector: { all: true },
  grants: [{ id: "stripe-api", actions: ["stripe.*"] }, { id: "chat-models", actions: ["openai.chat.*"] }],
  denies: [{ id: "no-refunds", actions: ["*.refunds.*"] }],
  limits: [{ id: "daily-spend", period: "day", amount: 500_000, currency: "USD" }],
  approvals: [{ id: "charges-over-250", when: "amount_over", amount: 25_000, currency: "USD", actions: ["stripe.charges.*"] }],
  loops: [{ id: "same-prompt", maxRepeats: 3, windowSeconds: 60 }],
};

describe.each(testDrivers)("the scripted agents against a real worker on %s", (driver) => {
  let database: Database;
  let worker: TestWorker;
  let stage: Stage;
  const lines: string[] = [];

  beforeAll(async () => {
    database = await openTestDatabase(driver);
    worker = await startTestWorker(database, { policy });
    const gate = createTollgate({ url: worker.url, key: worker.key });
    stage = {
      gate,
      delegate: gate,
      looper: gate,
      // The test worker's one agent has no delegation; the delegation script is run against the demo.
      delegationId: "00000000-0000-4000-8000-000000000000",
      // As a merchant would: the keys from the worker, asked without an agent key.
      receipts: async () => createReceiptVerifier({ publicKeys: await fetchReceiptKeys({ url: worker.url, organizationId: worker.organizationId }) }),
      approvalTimeoutMs: 10_000,
      sessionId: `examples-${driver}`,
      say: (line) => lines.push(line),
    };
  });
  afterAll(async () => {
    await worker?.stop();
    await database?.close();
  });

  it("allow: charges and commits the actual cost", async () => {
    expect(await allow(stage)).toEqual({ id: "ch_example", amount: 1_190 });
  });

  it("deny: the refund is refused by the guardrail", async () => {
    expect((await deny(stage)).reasons).toMatchObject([{ code: "explicit_deny", rule: expect.stringMatching(/\/no-refunds$/) }]);
  });

  it("approval: waits for the reviewer and charges what was approved", async () => {
    expect(await approval(stage, (approvalId) => void worker.decide(approvalId, { approvedAmount: 30_000 }))).toEqual({ outcome: "approved", charged: { amount: 30_000, currency: "USD" } });
  });

  it("loop: the fourth identical call is stopped with a time to retry", async () => {
    const { stoppedAt, error } = await loop(stage);
    expect(stoppedAt).toBe(4);
    expect(error.codes).toEqual(["loop_detected"]);
    expect(error.retryAfterMs).toBeGreaterThan(0);
  });

  it("receipt: the merchant accepts the receipt once", async () => {
    expect(await receipt(stage)).toEqual({ first: true, replay: "replayed" });
  });
});
