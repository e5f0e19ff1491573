import { describe, expect, it } from "vitest";
import { createWorkerCore, MAX_BODY_BYTES } from "../core";
import { createFetchHandler } from "./fetch";

const startedAt = new Date("2026-11-24T12:00:00Z");
const handler = createFetchHandler(
  createWorkerCore({ workerId: "w-test", version: "9.9.9", now: () => new Date(startedAt.getTime() + 61_000) }),
);

describe("fetch adapter", () => {
  it("answers GET /healthz with the worker's identity", async () => {
    const response = await handler(new Request("http://worker/healthz"));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "ok", workerId: "w-test", version: "9.9.9" });
  });

  it("refuses other methods on /healthz with a code", async () => {
    const response = await handler(new Request("http://worker/healthz", { method: "POST", body: "{}" }));
    expect(response.status).toBe(405);
    expect(await response.json()).toEqual({
      error: { code: "method_not_allowed", message: "POST /healthz: method not allowed" },
    });
  });

  it("answers an unknown route with 404 in the contract's error shape", async () => {
    const response = await handler(new Request("http://worker/v0/nothing"));
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: "not_found" } });
  });

  it("refuses malformed JSON and oversized bodies before the core sees them", async () => {
    const malformed = await handler(new Request("http://worker/v1/decisions", { method: "POST", body: "{" }));
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { code: "malformed_json" } });
    const huge = await handler(
      new Request("http://worker/v1/decisions", { method: "POST", body: "x".repeat(MAX_BODY_BYTES + 1) }),
    );
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ error: { code: "body_too_large" } });
  });
});
