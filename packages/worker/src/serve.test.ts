import { randomUUID } from "node:crypto";
import { createCaller, createContext, issueAgentKey, publishSnapshot } from "@tollgate/api";
import {
  agents,
  agentSessions,
  announceApproval,
  approvals,
  decisions,
  envelopes,
  reservations,
  resultRows,
  signingKeys,
  type Database,
} from "@tollgate/db";
import { verifyReceipt } from "@tollgate/policy";
import { openTestDatabase, testDrivers } from "@tollgate/db/testing";
import { and, eq, like, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { MAX_BODY_BYTES } from "./core";
import { startTestWorker, type TestWorker } from "./testing";

const payments = {
  name: "payments",
  selector: { tags: ["payments"] },
  grants: [{ id: "stripe", actions: ["stripe.*"] }],
  limits: [{ id: "daily", period: "day", amount: 10_000, currency: "USD" }],
  approvals: [{ id: "over-50", when: "amount_over", amount: 5_000, currency: "USD" }],
};

describe.each(testDrivers)("decision API over loopback on %s", (driver) => {
  let database: Database;
  let worker: { url: string };
  let organizationId: string;
  let agentId: string;
  let reviewerId: string;
  let key: string;

  const call = async (path: string, body?: unknown, bearer: string | null = key) => {
    const response = await fetch(`${worker.url}${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    // Response bodies are read field by field in assertions; their shapes are the contract under test.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  let counter = 0;
  const ask = (fields: Record<string, unknown> = {}) =>
    call("/v1/decisions", {
      action: "stripe.charges.create",
      amount: { amount: 1_000, currency: "USD" },
      sessionId: "session-1",
      requestId: `req-${++counter}`,
      ...fields,
    });

  let testWorker: TestWorker;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
    testWorker = await startTestWorker(database, { policy: payments, tags: ["payments"], breakerThreshold: 5 });
    ({ organizationId, agentId, reviewerId, key } = testWorker);
    worker = { url: testWorker.url };
  });
  afterAll(async () => {
    await testWorker?.stop();
    await database?.close();
  });

  it("draws the agent's daily lease when it loads the snapshot, before the agent's first call", async () => {
    await vi.waitFor(
      async () => {
        const [daily] = await database.db
          .select({ leased: envelopes.leasedAmount, held: envelopes.heldAmount })
          .from(envelopes)
          .where(and(eq(envelopes.organizationId, organizationId), like(envelopes.envelopeKey, `env/agent:${agentId}/%`)));
        // An eighth of the 10,000 limit; nothing held yet.
        expect(daily).toEqual({ leased: 1_250, held: 0 });
      },
      { timeout: 5_000, interval: 20 },
    );
  });

  it("reports the snapshot it serves on /healthz", async () => {
    const health = await call("/healthz");
    expect(health.status).toBe(200);
    expect(health.body.snapshots[organizationId]).toBe(1);
  });

  it("serves Prometheus metrics and the OpenAPI document over HTTP", async () => {
    await ask();
    const metrics = await fetch(`${worker.url}/metrics`);
    expect(metrics.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await metrics.text();
    expect(text).toMatch(/^tollgate_decisions_total\{outcome="allow"\} [1-9]/m);
    expect(text).toContain(`tollgate_snapshot_version{organization="${organizationId}"} 1`);
    const openapi = (await (await fetch(`${worker.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toContain("/v1/decisions");
  });

  it("allows a granted call, holds the amount, and commits less than it held", async () => {
    const allowed = await ask({ amount: { amount: 2_000, currency: "USD" } });
    expect(allowed.status).toBe(200);
    expect(allowed.body).toMatchObject({ decision: "allow", reasons: [], policyVersion: 1 });
    const [logged] = await database.db.select().from(decisions).where(eq(decisions.id, allowed.body.decisionId));
    expect(logged).toMatchObject({ outcome: "allow", amount: 2_000, agentId });

    const over = await call(`/v1/reservations/${allowed.body.reservationId}/commit`, { amount: { amount: 2_001, currency: "USD" } });
    expect(over.status).toBe(400);
    expect(over.body.error.code).toBe("commit_exceeds_hold");
    const committed = await call(`/v1/reservations/${allowed.body.reservationId}/commit`, { amount: { amount: 1_500, currency: "USD" } });
    expect(committed).toMatchObject({ status: 200, body: { status: "committed" } });
  });

  it("signs each allow with a receipt a merchant can verify offline with the organization's receipt key", async () => {
    const allowed = await ask({ amount: { amount: 700, currency: "USD" }, merchant: "stripe" });
    const keys = await database.db
      .select()
      .from(signingKeys)
      .where(and(eq(signingKeys.organizationId, organizationId), eq(signingKeys.purpose, "receipt")));
    const check = verifyReceipt(allowed.body.receipt, Object.fromEntries(keys.map((k) => [k.id, k.publicKey])), new Date());
    expect(check).toMatchObject({
      ok: true,
      claims: { org: organizationId, sub: agentId, act: "stripe.charges.create", cap: { amount: 700, currency: "USD" }, mer: "stripe", did: allowed.body.decisionId, rid: allowed.body.reservationId },
    });
    const snapshotKeys = await database.db
      .select()
      .from(signingKeys)
      .where(and(eq(signingKeys.organizationId, organizationId), eq(signingKeys.purpose, "snapshot")));
    expect(verifyReceipt(allowed.body.receipt, Object.fromEntries(snapshotKeys.map((k) => [k.id, k.publicKey])), new Date()).ok).toBe(false);
  });

  it("publishes the organization's receipt keys to anyone, so a merchant without an agent key can verify", async () => {
    const allowed = await ask({ amount: { amount: 300, currency: "USD" }, merchant: "stripe" });
    const published = await call(`/v1/organizations/${organizationId}/receipt-keys`, undefined, null);
    expect(published.status).toBe(200);
    expect(verifyReceipt(allowed.body.receipt, published.body.keys, new Date())).toMatchObject({ ok: true });
    expect((await call(`/v1/organizations/${randomUUID()}/receipt-keys`, undefined, null)).body).toMatchObject({ error: { code: "organization_not_found" } });
  });

  it("denies an action no grant covers, naming the reason, and holds nothing", async () => {
    const denied = await ask({ action: "openai.chat.completions" });
    expect(denied.body).toMatchObject({ decision: "deny", reasons: [{ code: "no_matching_grant" }] });
    expect(denied.body.reservationId).toBeUndefined();
    const held = await database.db.select().from(reservations).where(eq(reservations.decisionId, denied.body.decisionId));
    expect(held).toEqual([]);
  });

  it("answers a retried request id with the first decision and never holds twice", async () => {
    const body = { action: "stripe.charges.create", amount: { amount: 300, currency: "USD" }, sessionId: "s", requestId: "retry-me" };
    const [first, second] = await Promise.all([call("/v1/decisions", body), call("/v1/decisions", body)]);
    const third = await call("/v1/decisions", body);
    expect(second.body).toEqual(first.body);
    expect(third.body).toEqual(first.body);
    const rows = await database.db
      .select()
      .from(decisions)
      .where(and(eq(decisions.agentId, agentId), eq(decisions.requestId, "retry-me")));
    expect(rows).toHaveLength(1);
  });

  it("sends a spend over the threshold to a human, holding the amount meanwhile", async () => {
    const pending = await ask({ amount: { amount: 6_000, currency: "USD" } });
    expect(pending.body).toMatchObject({ decision: "pending", reasons: [{ code: "approval_required_amount", rule: expect.stringContaining("over-50") }] });
    const [approval] = await database.db.select().from(approvals).where(eq(approvals.id, pending.body.approvalId));
    expect(approval).toMatchObject({ status: "pending", amount: 6_000, reservationId: pending.body.reservationId });
    // The hold, its decision and the approval were committed together: one transaction, one commit.
    const writers = await Promise.all(
      [sql`select xmin::text as tx from ${approvals} where id = ${approval!.id}`, sql`select xmin::text as tx from ${reservations} where id = ${approval!.reservationId}`, sql`select xmin::text as tx from ${decisions} where id = ${approval!.decisionId}`].map(
        async (query) => resultRows<{ tx: string }>(await database.db.execute(query))[0]!.tx,
      ),
    );
    expect(new Set(writers).size).toBe(1);
    const released = await call(`/v1/reservations/${pending.body.reservationId}/release`, {});
    expect(released.status).toBe(200);
  });

  it("answers the agent's long-poll with allow and a receipt within a second of a reviewer's approval", async () => {
    const pending = await ask({ amount: { amount: 5_500, currency: "USD" } });
    const poll = call(`/v1/approvals/${pending.body.approvalId}?waitMs=10000`).then((answer) => ({ answer, at: Date.now() }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const decidedAt = Date.now();
    await database.db
      .update(approvals)
      .set({ status: "approved", approvedAmount: 5_000, decidedByUserId: reviewerId, decidedAt: new Date(decidedAt) })
      .where(eq(approvals.id, pending.body.approvalId));
    await announceApproval(database.db, { organizationId, approvalId: pending.body.approvalId, agentId, status: "approved" });
    const { answer, at } = await poll;
    expect(at - decidedAt).toBeLessThan(1_000);
    expect(answer.body).toMatchObject({ status: "approved", decision: "allow", approvedAmount: { amount: 5_000, currency: "USD" } });
    expect(typeof answer.body.receipt).toBe("string");
    // The reviewer approved 50.00 of the 55.00 held: that is the most the agent may commit.
    const over = await call(`/v1/reservations/${pending.body.reservationId}/commit`, { amount: { amount: 5_001, currency: "USD" } });
    expect(over).toMatchObject({ status: 400, body: { error: { code: "commit_exceeds_approval" } } });
    // (A small commit within the cap: later tests share this agent's daily envelope.)
    const within = await call(`/v1/reservations/${pending.body.reservationId}/commit`, { amount: { amount: 100, currency: "USD" } });
    expect(within).toMatchObject({ status: 200, body: { status: "committed" } });
  });

  it("returns the hold once the agent hears that a reviewer denied the spend", async () => {
    const pending = await ask({ amount: { amount: 5_300, currency: "USD" } });
    await database.db
      .update(approvals)
      .set({ status: "denied", decidedByUserId: reviewerId, decidedAt: new Date(), note: "no" })
      .where(eq(approvals.id, pending.body.approvalId));
    const answer = await call(`/v1/approvals/${pending.body.approvalId}`);
    expect(answer.body).toMatchObject({ status: "denied", decision: "deny", note: "no" });
    const [hold] = await database.db.select().from(reservations).where(eq(reservations.id, pending.body.reservationId));
    expect(hold!.status).toBe("released");
  });

  it("denies an approval nobody answered in time and returns its hold", async () => {
    const pending = await ask({ amount: { amount: 5_200, currency: "USD" } });
    await database.db.update(approvals).set({ expiresAt: new Date(Date.now() + 300) }).where(eq(approvals.id, pending.body.approvalId));
    const answer = await call(`/v1/approvals/${pending.body.approvalId}?waitMs=5000`);
    expect(answer.body).toMatchObject({ status: "expired", decision: "deny" });
    const [hold] = await database.db.select().from(reservations).where(eq(reservations.id, pending.body.reservationId));
    expect(hold!.status).toBe("released");
  });

  it("refuses a long-poll with a bad wait or for another agent's approval", async () => {
    const pending = await ask({ amount: { amount: 5_100, currency: "USD" } });
    expect((await call(`/v1/approvals/${pending.body.approvalId}?waitMs=-1`)).body.error.code).toBe("invalid_field");
    expect((await call(`/v1/approvals/${pending.body.approvalId}?waitMs=99999999`)).status).toBe(400);
    expect((await call(`/v1/approvals/not-a-uuid`)).status).toBe(400);
    expect((await call(`/v1/approvals/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
    await call(`/v1/reservations/${pending.body.reservationId}/release`, {});
  });

  it("trips a session's circuit breaker after denials in a row, until a person resets it", async () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      expect((await ask({ action: "openai.chat.completions", sessionId: "loop-1" })).body.decision).toBe("deny");
    }
    const tripped = await ask({ sessionId: "loop-1" });
    expect(tripped.body).toMatchObject({ decision: "deny", reasons: [{ code: "session_tripped" }] });
    expect(tripped.body.reservationId).toBeUndefined();
    expect((await ask({ sessionId: "another-session" })).body.decision).toBe("allow");

    const [session] = await database.db
      .select()
      .from(agentSessions)
      .where(and(eq(agentSessions.agentId, agentId), eq(agentSessions.externalId, "loop-1")));
    expect(session).toMatchObject({ status: "tripped", trippedReason: "5 denials in a row" });
    const admin = createCaller(createContext({ db: database.db, session: { userId: reviewerId, organizationId, role: "admin" } }));
    await admin.sessions.reset({ id: session!.id });
    const started = Date.now();
    let decision = "";
    while (Date.now() - started < 1_000 && decision !== "allow") decision = (await ask({ sessionId: "loop-1" })).body.decision;
    expect(decision).toBe("allow");
  });

  it("releases harmlessly twice", async () => {
    const allowed = await ask({ amount: { amount: 100, currency: "USD" } });
    const first = await call(`/v1/reservations/${allowed.body.reservationId}/release`, {});
    const second = await call(`/v1/reservations/${allowed.body.reservationId}/release`, {});
    expect([first.status, second.status]).toEqual([200, 200]);
  });

  it("refuses a missing or unknown key before anything is held", async () => {
    expect((await call("/v1/decisions", {}, null)).body.error.code).toBe("missing_key");
    const unknown = await call("/v1/decisions", {}, issueAgentKey().key);
    expect(unknown).toMatchObject({ status: 401, body: { error: { code: "key_unknown" } } });
  });

  it("refuses malformed requests with 4xx and a code naming the field", async () => {
    expect((await ask({ color: "red" })).body.error).toEqual({ code: "unknown_field", message: "color: not a field of this request" });
    const negative = await ask({ amount: { amount: -5, currency: "USD" } });
    expect(negative).toMatchObject({ status: 400, body: { error: { code: "invalid_field", message: expect.stringMatching(/^amount\.amount: /) } } });
    const fractional = await ask({ amount: { amount: 1.5, currency: "USD" } });
    expect(fractional.status).toBe(400);
    const missing = await call("/v1/decisions", { action: "stripe.charges.create", sessionId: "s" });
    expect(missing.body.error).toMatchObject({ code: "missing_field", message: "requestId: is required" });
    expect((await call("/v1/decisions", "{oops")).body.error.code).toBe("malformed_json");
    expect((await call("/v1/decisions", "x".repeat(MAX_BODY_BYTES + 1))).status).toBe(413);
  });

  it("denies a spend that would pass the daily envelope, naming the rule", async () => {
    const denied = await ask({ amount: { amount: 9_500, currency: "USD" } });
    expect(denied.body).toMatchObject({ decision: "deny", reasons: [{ code: "envelope_exhausted", rule: expect.stringContaining("daily") }] });
    expect(denied.body.reservationId).toBeUndefined();
  });

  it("refuses a suspended agent within a second of the publish", async () => {
    await database.db.update(agents).set({ status: "suspended", suspendedAt: new Date() }).where(eq(agents.id, agentId));
    await publishSnapshot({ db: database.db, organizationId, cause: "agent.suspend", now: new Date() });
    const started = Date.now();
    let status = 0;
    while (Date.now() - started < 1_000) {
      status = (await ask()).status;
      if (status === 403) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(status).toBe(403);
  });
});
