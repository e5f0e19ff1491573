import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_BODY_BYTES } from "./core";
import { serveWorker } from "./serve";

describe("node:http worker on loopback", () => {
  let worker: Awaited<ReturnType<typeof serveWorker>>;
  beforeAll(async () => {
    worker = await serveWorker({ host: "127.0.0.1", port: 0, workerId: "w-loopback", version: "0.0.1" });
  });
  afterAll(() => worker.stop());

  it("answers GET /healthz", async () => {
    const response = await fetch(`${worker.url}/healthz`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toMatchObject({ status: "ok", workerId: "w-loopback", uptimeSeconds: 0 });
  });

  it("refuses a body over the limit with 413", async () => {
    const response = await fetch(`${worker.url}/v1/decisions`, { method: "POST", body: "x".repeat(MAX_BODY_BYTES + 10) });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: "body_too_large" } });
  });

  it("refuses malformed JSON with 400", async () => {
    const response = await fetch(`${worker.url}/v1/decisions`, { method: "POST", body: "{not json" });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: "malformed_json", message: "body: not valid JSON" } });
  });
});
