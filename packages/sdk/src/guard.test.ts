import { decisions, reservations, type Database } from "@tollgate/db";
import { testDrivers } from "@tollgate/db/testing";
import type { TestWorker } from "@tollgate/worker/testing";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTollgate, TollgateDeniedError, TollgateUnavailableError, type GuardContext, type Tollgate } from "./index";
import { reservationOf, startSdkWorker, stopSdkWorker } from "./test-support";

const policy = {
  name: "buying",
  selector: { all: true },
  grants: [{ id: "shop", actions: ["shop.*"] }],
  limits: [{ id: "daily", period: "day", amount: 100_000, currency: "EUR" }],
  approvals: [{ id: "big", when: "amount_over", amount: 10_000, currency: "EUR" }],
  velocity: [{ id: "one-a-second", maxCalls: 1, windowSeconds: 1, actions: ["shop.burst"] }],
};

const eur = (amount: number) => ({ amount, currency: "EUR" });
const silent = { warn: () => {}, error: () => {} };

describe.each(testDrivers)("guard against a real worker on %s", (driver) => {
  let database: Database;
  let worker: TestWorker;
  let gate: Tollgate;
  let counter = 0;
  const requestId = () => `guard-${driver}-${++counter}`;

  beforeAll(async () => ({ database, worker, gate } = await startSdkWorker(driver, policy)));
  afterAll(() => stopSdkWorker(database, worker));

  it("runs an allowed call with its receipt and commits what it charged", async () => {
    let seen: GuardContext | undefined;
    const result = await gate.guard(
      "shop.order",
      (ctx) => {
        seen = ctx;
        ctx.charge(1_800);
        return "ordered";
      },
      { amount: eur(2_500), merchant: "acme", sessionId: "s" },
    );
    expect(result).toBe("ordered");
    expect(seen).toMatchObject({ failedOpen: false, held: eur(2_500), receipt: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/) });
    expect(await reservationOf(database, seen!.reservationId!)).toMatchObject({ status: "committed", committedAmount: 1_800 });
  });

  it("commits the held amount when the call does not say what it cost", async () => {
    let reservationId: string | undefined;
    await gate.guard("shop.order", (ctx) => void (reservationId = ctx.reservationId), { amount: eur(700), sessionId: "s" });
    expect(await reservationOf(database, reservationId!)).toMatchObject({ status: "committed", committedAmount: 700 });
  });

  it("releases the hold when the call throws, and rethrows the call's error", async () => {
    let reservationId: string | undefined;
    const failure = new Error("the shop is down");
    const caught = await gate
      .guard(
        "shop.order",
        (ctx) => {
          reservationId = ctx.reservationId;
          throw failure;
        },
        { amount: eur(900), sessionId: "s" },
      )
      .catch((error: unknown) => error);
    expect(caught).toBe(failure);
    expect(await reservationOf(database, reservationId!)).toMatchObject({ status: "released" });
  });

  it("refuses to charge more than was held, releasing the hold", async () => {
    let reservationId: string | undefined;
    const caught = await gate
      .guard(
        "shop.order",
        (ctx) => {
          reservationId = ctx.reservationId;
          ctx.charge(1_001);
        },
        { amount: eur(1_000), sessionId: "s" },
      )
      .catch((error: unknown) => error);
    expect(caught).toBeInstanceOf(RangeError);
    expect((caught as Error).message).toMatch(/^charge: .*1000 held, got 1001/);
    expect(await reservationOf(database, reservationId!)).toMatchObject({ status: "released" });
  });

  it("throws a typed deny carrying the reason codes, without running the call", async () => {
    let ran = false;
    const caught = await gate.guard("casino.bet", () => void (ran = true), { amount: eur(100), sessionId: "s" }).catch((error: unknown) => error);
    expect(caught).toBeInstanceOf(TollgateDeniedError);
    expect(caught).toMatchObject({ action: "casino.bet", codes: ["no_matching_grant"] });
    expect(ran).toBe(false);
  });

  it("waits for a human's approval and runs under the approved amount", async () => {
    const ctx = await gate.guard("shop.order", (context) => context, {
      amount: eur(20_000),
      sessionId: "s",
      onPending: ({ approvalId }) => void worker.decide(approvalId, { approvedAmount: 15_000 }),
    });
    expect(ctx.held).toEqual(eur(15_000));
    expect(ctx.receipt).toBeDefined();
    expect(await reservationOf(database, ctx.reservationId!)).toMatchObject({ status: "committed", committedAmount: 15_000 });
  });

  it("throws a deny when the reviewer says no", async () => {
    const caught = await gate
      .guard("shop.order", () => "never", { amount: eur(30_000), sessionId: "s", onPending: ({ approvalId }) => void worker.decide(approvalId, "denied") })
      .catch((error: unknown) => error);
    expect(caught).toMatchObject({ name: "TollgateDeniedError", codes: ["approval_required_amount", "approval_denied"], approvalId: expect.any(String) });
  });

  it("gives up on an approval nobody decides within the timeout", async () => {
    const caught = await gate.guard("shop.order", () => "never", { amount: eur(40_000), sessionId: "s", approvalTimeoutMs: 200 }).catch((error: unknown) => error);
    expect(caught).toMatchObject({ name: "TollgateDeniedError", codes: ["approval_required_amount", "approval_pending"] });
  });

  it("surfaces retryAfterMs of a throttle, and retries after it when asked to", async () => {
    await gate.guard("shop.burst", () => "first", { amount: eur(10), sessionId: "burst" });
    const throttled = await gate.guard("shop.burst", () => "second", { amount: eur(10), sessionId: "burst" }).catch((error: unknown) => error);
    expect(throttled).toBeInstanceOf(TollgateDeniedError);
    expect((throttled as TollgateDeniedError).retryAfterMs).toBeGreaterThan(0);
    expect((throttled as TollgateDeniedError).message).toMatch(/retry after \d+ ms/);
    expect(await gate.guard("shop.burst", () => "third", { amount: eur(10), sessionId: "burst", throttleRetries: 2, maxRetryAfterMs: 2_000 })).toBe("third");
  });

  it("resends a decision whose answer was lost with the same request id, and holds once", async () => {
    let lost = 0;
    // The network drops the first answer after the worker has decided and held.
    const lossy: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (String(input).endsWith("/v1/decisions") && lost++ === 0) throw new TypeError("socket hang up");
      return response;
    };
    const flaky = createTollgate({ url: worker.url, key: worker.key, fetch: lossy });
    const id = requestId();
    await flaky.guard("shop.order", () => "done", { amount: eur(600), sessionId: "s", requestId: id });
    expect(lost).toBe(2);
    const logged = await database.db.select().from(decisions).where(and(eq(decisions.organizationId, worker.organizationId), eq(decisions.requestId, id)));
    expect(logged).toHaveLength(1);
    const holds = await database.db.select().from(reservations).where(eq(reservations.decisionId, logged[0]!.id));
    expect(holds).toMatchObject([{ status: "committed", committedAmount: 600 }]);
  });

  it("fails closed when the worker is unreachable", async () => {
    const offline = createTollgate({ url: "http://127.0.0.1:1", key: worker.key, retries: 1 });
    let ran = false;
    const caught = await offline.guard("shop.order", () => void (ran = true), { amount: eur(100), sessionId: "s" }).catch((error: unknown) => error);
    expect(caught).toBeInstanceOf(TollgateUnavailableError);
    expect(caught).toMatchObject({ code: "unreachable" });
    expect(ran).toBe(false);
  });

  it("fails open only when configured, and says so loudly every time", async () => {
    const warnings: string[] = [];
    const offline = createTollgate({ url: "http://127.0.0.1:1", key: worker.key, retries: 0, failOpen: true, logger: { ...silent, warn: (line) => warnings.push(line) } });
    const ctx = await offline.guard("shop.order", (context) => context, { amount: eur(100), sessionId: "s" });
    await offline.guard("shop.order", () => "again", { amount: eur(100), sessionId: "s" });
    expect(ctx).toMatchObject({ failedOpen: true });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/FAILING OPEN — shop\.order/);
  });

  it("names the field of a bad option", async () => {
    await expect(gate.guard("shop.order", () => "x", { amount: eur(-5), sessionId: "s" })).rejects.toThrow(/^guard options\.amount\.amount: /);
    await expect(gate.guard("shop.order", () => "x", { sessionId: "" })).rejects.toThrow("guard options.sessionId: must not be empty");
    expect(() => createTollgate({ url: "not a url", key: "k" })).toThrow(/^createTollgate options\.url: /);
  });
});
