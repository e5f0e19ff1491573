import type { Database } from "@tollgate/db";
import { openTestDatabase, testDrivers } from "@tollgate/db/testing";
import { startTestWorker, type TestWorker } from "@tollgate/worker/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTollgate, type Tollgate } from "../index";
import { receiptKeys } from "../test-support";
import { createReceiptVerifier, type ReceiptVerifier } from "./index";

const policy = { name: "buying", selector: { all: true }, grants: [{ id: "shop", actions: ["shop.*"] }], limits: [{ id: "daily", period: "day", amount: 100_000, currency: "EUR" }] };
const eur = (amount: number) => ({ amount, currency: "EUR" });

describe.each(testDrivers)("a merchant verifying receipts from a real worker on %s", (driver) => {
  let database: Database;
  let worker: TestWorker;
  let gate: Tollgate;
  let receipts: ReceiptVerifier;

  /** A fresh receipt for an allowed order of `amount` from acme; the hold is released at once. */
  async function receiptFor(amount: number): Promise<string> {
    return gate.guard("shop.order", (ctx) => ctx.receipt!, { amount: eur(amount), merchant: "acme", sessionId: "s" });
  }

  beforeAll(async () => {
    database = await openTestDatabase(driver);
    worker = await startTestWorker(database, { policy });
    gate = createTollgate({ url: worker.url, key: worker.key });
    receipts = createReceiptVerifier({ publicKeys: await receiptKeys(database, worker) });
  });
  afterAll(async () => {
    await worker?.stop();
    await database?.close();
  });

  it("accepts a receipt for the call it allowed, within its cap, once", async () => {
    const token = await receiptFor(1_000);
    const call = { action: "shop.order", amount: eur(800), merchant: "acme" };
    expect(await receipts.verify(token, call)).toMatchObject({ ok: true, claims: { act: "shop.order", cap: eur(1_000), mer: "acme", sub: worker.agentId } });
    expect(await receipts.verify(token, call)).toMatchObject({ ok: false, code: "replayed" });
  });

  it("refuses a call the receipt does not cover, without using it up", async () => {
    const token = await receiptFor(1_000);
    expect(await receipts.verify(token, { action: "shop.order", amount: eur(1_001), merchant: "acme" })).toMatchObject({ ok: false, code: "over_cap" });
    expect(await receipts.verify(token, { action: "shop.order", amount: { amount: 500, currency: "USD" }, merchant: "acme" })).toMatchObject({ ok: false, code: "over_cap" });
    expect(await receipts.verify(token, { action: "shop.refund", amount: eur(10), merchant: "acme" })).toMatchObject({ ok: false, code: "action_mismatch" });
    expect(await receipts.verify(token, { action: "shop.order", amount: eur(10), merchant: "globex" })).toMatchObject({ ok: false, code: "merchant_mismatch" });
    expect(await receipts.verify(token, { action: "shop.order", amount: eur(1_000), merchant: "acme" })).toMatchObject({ ok: true });
  });

  it("refuses an expired, forged or foreign receipt", async () => {
    const token = await receiptFor(100);
    const call = { action: "shop.order", amount: eur(100), merchant: "acme" };
    expect(await receipts.verify(token, { ...call, now: new Date(Date.now() + 24 * 60 * 60 * 1000) })).toMatchObject({ ok: false, code: "expired" });
    const [header, payload, signature] = token.split(".");
    const tampered = `${header}.${payload!.slice(0, -2)}AA.${signature}`;
    expect(await receipts.verify(tampered, call)).toMatchObject({ ok: false });
    const stranger = createReceiptVerifier({ publicKeys: { "ed25519:other": "00".repeat(32) } });
    expect(await stranger.verify(token, call)).toMatchObject({ ok: false, code: "unknown_key" });
  });

  it("names the field of a bad configuration", () => {
    expect(() => createReceiptVerifier({ publicKeys: { k: "not hex" } })).toThrow(/^createReceiptVerifier options\.publicKeys\.k: must be a hex-encoded Ed25519 public key/);
    expect(() => createReceiptVerifier({ publicKeys: {} })).toThrow("createReceiptVerifier options.publicKeys: must hold at least one key");
  });
});
