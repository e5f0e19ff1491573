import { REASON_CODES } from "@tollgate/policy";
import { describe, expect, it } from "vitest";
import { createWorkerCore } from "../core";
import { commitBodySchema, decisionBodySchema } from "../decide/wire";
import { createFetchHandler } from "../http/fetch";
import { decisionResponseSchema, WORKER_REASON_CODES } from "./openapi";

type JsonSchema = Record<string, unknown>;

const KEYWORDS = new Set(["type", "properties", "required", "additionalProperties", "pattern", "minLength", "maxLength", "minimum", "maximum", "propertyNames", "description"]);

/**
 * Validates `value` against the subset of JSON Schema 2020-12 the generated request schemas use.
 * Any other keyword throws, so a schema this cannot judge fails the test instead of passing it.
 */
function conforms(schema: JsonSchema, value: unknown): boolean {
  for (const keyword of Object.keys(schema)) if (!KEYWORDS.has(keyword)) throw new Error(`keyword ${keyword} not supported by this test`);
  const isObject = typeof value === "object" && value !== null && !Array.isArray(value);
  switch (schema.type) {
    case undefined:
      break;
    case "object":
      if (!isObject) return false;
      break;
    case "string":
      if (typeof value !== "string") return false;
      break;
    case "integer":
      if (!Number.isInteger(value)) return false;
      break;
    default:
      throw new Error(`type ${String(schema.type)} not supported by this test`);
  }
  if (typeof value === "string") {
    if (typeof schema.minLength === "number" && [...value].length < schema.minLength) return false;
    if (typeof schema.maxLength === "number" && [...value].length > schema.maxLength) return false;
    if (typeof schema.pattern === "string" && !new RegExp(schema.pattern, "u").test(value)) return false;
  }
  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && value < schema.minimum) return false;
    if (typeof schema.maximum === "number" && value > schema.maximum) return false;
  }
  if (isObject) {
    const object = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
    if (((schema.required ?? []) as string[]).some((name) => !(name in object))) return false;
    for (const [name, field] of Object.entries(object)) {
      if (schema.propertyNames && !conforms(schema.propertyNames as JsonSchema, name)) return false;
      const fieldSchema = properties[name] ?? schema.additionalProperties;
      if (fieldSchema === false) return false;
      if (fieldSchema !== undefined && fieldSchema !== true && !conforms(fieldSchema as JsonSchema, field)) return false;
    }
  }
  return true;
}

const handler = createFetchHandler(createWorkerCore({ workerId: "w-openapi", version: "4.5.6", now: () => new Date("2026-11-24T12:00:00Z") }));

async function fetchDocument() {
  const response = await handler(new Request("http://worker/openapi.json"));
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  return JSON.parse(await response.text()) as {
    openapi: string;
    info: { version: string };
    paths: Record<string, Record<string, { security?: unknown[] }>>;
    components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, unknown> };
  };
}

const valid = {
  action: "stripe.charges.create",
  amount: { amount: 1250, currency: "USD" },
  merchant: "Acme Cloud",
  category: "compute",
  sessionId: "s-1",
  requestId: "r-1",
  onBehalfOf: "dlg_1",
  metadata: { ticket: 42 },
};

const { sessionId: _sessionId, ...withoutSession } = valid;
const { requestId: _requestId, ...withoutRequestId } = valid;
const { action: _action, ...withoutAction } = valid;

const decisionExamples: [string, unknown][] = [
  ["a complete request", valid],
  ["a free call without amount or extras", { action: "search.web", sessionId: "s", requestId: "r" }],
  ["an unknown field", { ...valid, agentId: "a-1" }],
  ["an unknown field in the amount", { ...valid, amount: { amount: 1, currency: "USD", cents: true } }],
  ["no sessionId", withoutSession],
  ["no requestId", withoutRequestId],
  ["no action", withoutAction],
  ["a negative amount", { ...valid, amount: { amount: -1, currency: "USD" } }],
  ["a fractional amount", { ...valid, amount: { amount: 12.5, currency: "USD" } }],
  ["an amount beyond safe integers", { ...valid, amount: { amount: 2 ** 60, currency: "USD" } }],
  ["an amount as a string", { ...valid, amount: { amount: "1250", currency: "USD" } }],
  ["a lowercase currency", { ...valid, amount: { amount: 1, currency: "usd" } }],
  ["an empty requestId", { ...valid, requestId: "" }],
  ["a requestId of 201 characters", { ...valid, requestId: "r".repeat(201) }],
  ["an action with a space", { ...valid, action: "stripe charges" }],
  ["a merchant with a control character", { ...valid, merchant: "Acme\u0007" }],
  ["metadata that is an array", { ...valid, metadata: [1, 2] }],
];

describe("OpenAPI document", () => {
  it("parses as OpenAPI 3.1 with the worker's paths and bearer auth on the /v1 routes", async () => {
    const document = await fetchDocument();
    expect(document.openapi).toBe("3.1.0");
    expect(document.info.version).toBe("4.5.6");
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(["/v1/decisions", "/v1/reservations/{id}/commit", "/v1/reservations/{id}/release", "/healthz", "/metrics", "/openapi.json"]),
    );
    expect(document.components.securitySchemes.bearerAuth).toEqual({ type: "http", scheme: "bearer", description: "An agent key." });
    expect(document.paths["/healthz"]!.get!.security).toEqual([]);
    expect(document.paths["/v1/decisions"]!.post!.security).toBeUndefined();
  });

  it("describes the decision request as strict, with its required fields", async () => {
    const schema = (await fetchDocument()).components.schemas.DecisionRequest!;
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(expect.arrayContaining(["action", "sessionId", "requestId"]));
    expect(Object.keys(schema.properties as object)).not.toContain("agentId");
  });

  it.each(decisionExamples)("judges %s as decisionBodySchema does", async (_name, example) => {
    const schema = (await fetchDocument()).components.schemas.DecisionRequest!;
    expect(conforms(schema, example)).toBe(decisionBodySchema.safeParse(example).success);
  });

  it("judges commit bodies as commitBodySchema does", async () => {
    const schema = (await fetchDocument()).components.schemas.CommitRequest!;
    for (const example of [{ amount: { amount: 5, currency: "EUR" } }, {}, { amount: { amount: 5, currency: "EUR" }, note: "x" }, { amount: { amount: 0.5, currency: "EUR" } }]) {
      expect(conforms(schema, example)).toBe(commitBodySchema.safeParse(example).success);
    }
  });

  it("lists every policy reason code and the worker's own in the decision response", async () => {
    const schema = (await fetchDocument()).components.schemas.DecisionResponse!;
    const reasons = (schema.properties as Record<string, { items: { properties: { code: { enum: string[] } } } }>).reasons!;
    expect(reasons.items.properties.code.enum).toEqual([...REASON_CODES, ...WORKER_REASON_CODES]);
    expect(schema.required).toEqual(["decision", "decisionId", "reasons", "policyVersion"]);
  });

  it("accepts the decision responses the service sends and refuses a decision outside the three outcomes", () => {
    const allow = {
      decision: "allow",
      decisionId: "6f1c1c2e-0b7a-4c55-9d43-1d5f0f6f1a10",
      reasons: [],
      policyVersion: 3,
      reservationId: "0d9b8f2e-6c1e-4a9b-8a43-5c6f7d8e9f00",
      receipt: "eyJ.x.y",
    };
    const deny = {
      decision: "deny",
      decisionId: "6f1c1c2e-0b7a-4c55-9d43-1d5f0f6f1a11",
      reasons: [{ code: "loop_detected", message: "same call 5 times in 60 s", rule: "p-1/loops", policyVersion: 3 }],
      policyVersion: 3,
      retryAfterMs: 4000,
    };
    expect(decisionResponseSchema.safeParse(allow).success).toBe(true);
    expect(decisionResponseSchema.safeParse(deny).success).toBe(true);
    expect(decisionResponseSchema.safeParse({ ...deny, decision: "maybe" }).success).toBe(false);
    expect(decisionResponseSchema.safeParse({ ...deny, reasons: [{ ...deny.reasons[0], code: "made_up" }] }).success).toBe(false);
  });
});
