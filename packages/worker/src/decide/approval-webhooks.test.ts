import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { approvals, organizations, webhookDeliveries, type Database } from "@tollgate/db";
import { openTestDatabase, testDrivers } from "@tollgate/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { purchasingPolicy as purchasing, startTestWorker, type TestWorker } from "../testing";
import { approvalMessage, signWebhook, WEBHOOK_DELIVERY_HEADER, WEBHOOK_SIGNATURE_HEADER } from "./approval-webhooks";

const secret = "whsec-test-0123456789";

/** What a receiver does with the signature header: recompute the HMAC over "<t>.<body>" and compare in constant time. */
function verifies(header: string, body: string): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return false;
  const expected = createHmac("sha256", secret).update(`${match[1]}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(match[2]!, "hex"));
}

type Received = { headers: IncomingHttpHeaders; body: string };

describe("signWebhook", () => {
  it("signs the timestamp and body together, so neither can be swapped", () => {
    const header = signWebhook(secret, 1_700_000_000, '{"text":"hi"}');
    expect(verifies(header, '{"text":"hi"}')).toBe(true);
    expect(verifies(header, '{"text":"hello"}')).toBe(false);
    expect(verifies(header.replace("t=1700000000", "t=1700000001"), '{"text":"hi"}')).toBe(false);
  });
});

describe.each(testDrivers)("approval webhooks on %s", (driver) => {
  let database: Database;
  let worker: TestWorker;
  let receiver: Server;
  const received: Received[] = [];
  // The receiver fails this many requests before it accepts one.
  let failuresLeft = 0;
  let counter = 0;

  const askOver = async () => {
    const response = await fetch(`${worker.url}/v1/decisions`, {
      method: "POST",
      headers: { authorization: `Bearer ${worker.key}` },
      body: JSON.stringify({ action: "shop.order", merchant: "acme", amount: { amount: 12_000, currency: "EUR" }, sessionId: "s", requestId: `hook-${++counter}` }),
    });
    return (await response.json()) as { approvalId: string };
  };
  const deliveriesOf = (approvalId: string) => database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.approvalId, approvalId));

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        received.push({ headers: request.headers, body });
        response.statusCode = failuresLeft-- > 0 ? 503 : 204;
        response.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    database = await openTestDatabase(driver);
    worker = await startTestWorker(database, { policy: purchasing, tags: ["purchasing"], webhookRetryBaseMs: 50 });
  });
  afterAll(async () => {
    await worker?.stop();
    await database?.close();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it("queues nothing for an organization without a webhook", async () => {
    const pending = await askOver();
    expect(await deliveriesOf(pending.approvalId)).toEqual([]);
  });

  it("announces a new pending request, signed, retrying with backoff until the receiver takes it", async () => {
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    await database.db.update(organizations).set({ approvalWebhookUrl: url, approvalWebhookSecret: secret }).where(eq(organizations.id, worker.organizationId));
    received.length = 0;
    failuresLeft = 2;
    const pending = await askOver();
    await vi.waitFor(async () => expect((await deliveriesOf(pending.approvalId))[0]?.status).toBe("delivered"), { timeout: 10_000, interval: 50 });

    const [delivery] = await deliveriesOf(pending.approvalId);
    expect(delivery).toMatchObject({ event: "approval.pending", attempts: 3 });
    expect(received).toHaveLength(3);
    // Every retry carries the same bytes and delivery id, each signed afresh.
    expect(new Set(received.map((request) => request.body)).size).toBe(1);
    for (const request of received) {
      expect(request.headers[WEBHOOK_DELIVERY_HEADER]).toBe(delivery!.id);
      expect(verifies(String(request.headers[WEBHOOK_SIGNATURE_HEADER]), request.body)).toBe(true);
    }
    const message = JSON.parse(received[0]!.body) as { text: string; blocks: { type: string }[] };
    expect(message.text).toMatch(/^agent-\S+ asks to spend 120\.00 EUR on `shop\.order` at acme: it needs a reviewer before /);
    expect(message.blocks.map((block) => block.type)).toEqual(["section", "context"]);
  });

  it("words a request that names no money as a call, not a spend", () => {
    const approval = { id: "apr_1", organizationId: "org_1", agentId: "agt_1", amount: null, currency: null, action: "repo.delete", merchant: null, expiresAt: new Date("2026-11-24T12:00:00Z") };
    expect(approvalMessage("approval.pending", approval, "builder").text).toBe("builder asks to call `repo.delete`: it needs a reviewer before 2026-11-24T12:00:00.000Z.");
    expect(approvalMessage("approval.expired", approval, "builder").text).toBe("builder's request to call `repo.delete` expired unanswered and was denied.");
  });

  it("announces a request that expired unanswered", async () => {
    received.length = 0;
    failuresLeft = 0;
    const pending = await askOver();
    await database.db.update(approvals).set({ expiresAt: new Date(Date.now() + 100) }).where(eq(approvals.id, pending.approvalId));
    await vi.waitFor(
      async () => expect((await deliveriesOf(pending.approvalId)).map((delivery) => [delivery.event, delivery.status]).sort()).toEqual([
        ["approval.expired", "delivered"],
        ["approval.pending", "delivered"],
      ]),
      { timeout: 10_000, interval: 50 },
    );
    expect(received.map((request) => (JSON.parse(request.body) as { text: string }).text)).toContainEqual(
      expect.stringMatching(/'s request to spend 120\.00 EUR on `shop\.order` at acme expired unanswered and was denied\.$/),
    );
  });
});
