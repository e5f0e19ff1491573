import { moneySchema, REASON_CODES } from "@tollgate/policy";
import { z } from "zod";
import type { BudgetRefusalCode } from "../budget";
import type { DecisionResponse } from "../decide/responses";
import { commitBodySchema, decisionBodySchema } from "../decide/wire";

/**
 * Reason codes the worker gives on top of the policy's: a stale snapshot (fail closed) and the
 * budget's refusals of a hold (`envelope_exceeded` reaches clients as `envelope_exhausted`).
 */
export const WORKER_REASON_CODES = [
  "snapshot_stale",
  "budget_unavailable",
  "reservation_conflict",
  "reservation_not_found",
  "reservation_settled",
  "commit_exceeds_hold",
] as const;

/** Every code a decision's `reasons[].code` may carry. */
export const decisionReasonCodeSchema = z.enum([...REASON_CODES, ...WORKER_REASON_CODES]);

// A budget refusal code added later must be listed above (or be a policy code), or this fails to compile.
type UnlistedBudgetCode = Exclude<Exclude<BudgetRefusalCode, "envelope_exceeded">, z.infer<typeof decisionReasonCodeSchema>>;
const everyBudgetCodeListed: [UnlistedBudgetCode] extends [never] ? true : UnlistedBudgetCode = true;
void everyBudgetCodeListed;

/**
 * The contract's error body: `{"error": {"code", "message"}}`, the message naming the field.
 * Loose: a fail-closed 503 also carries the deny's `decision` and `reasons`.
 */
export const errorBodySchema = z.looseObject({
  error: z.object({ code: z.string(), message: z.string() }),
});

/** A reason as clients read it; `rule` is `<policy>/<rule id>` when a rule decided. */
export const wireReasonSchema = z.object({
  code: decisionReasonCodeSchema,
  message: z.string(),
  rule: z.string().nullable(),
  policyVersion: z.int().nullable(),
});

/** The body of a `POST /v1/decisions` answer: the contract's fields, present only where they apply. */
export const decisionResponseSchema = z.object({
  decision: z.enum(["allow", "deny", "pending"]),
  decisionId: z.uuid(),
  reasons: z.array(wireReasonSchema),
  policyVersion: z.int(),
  reservationId: z.uuid().optional().describe("The hold on the budget: an allow, or a pending decision holding its amount."),
  approvalId: z.uuid().optional().describe("The approval a human must decide; pending only."),
  retryAfterMs: z.int().nonnegative().optional().describe("When a throttled or looping call may be tried again; deny only."),
  receipt: z.string().optional().describe("Compact JWS (Ed25519) binding agent, action, amount cap, merchant, nonce and expiry; allow only."),
});

// The schema describes what the service sends: a field added there and not here fails to compile.
const responseMatchesService: keyof DecisionResponse extends keyof z.infer<typeof decisionResponseSchema> ? true : never = true;
void responseMatchesService;

/** The body of a `POST /v1/reservations/{id}/commit` answer. */
export const commitResponseSchema = z.object({
  reservationId: z.string(),
  status: z.literal("committed"),
  amount: moneySchema,
});

/** The body of a `POST /v1/reservations/{id}/release` answer. */
export const releaseResponseSchema = z.object({
  reservationId: z.string(),
  status: z.literal("released"),
});

/** The body of a `GET /v1/approvals/{id}` answer: approved is an allow, with a receipt for the approved cap. */
export const approvalViewSchema = z.object({
  approvalId: z.uuid(),
  decisionId: z.uuid(),
  status: z.enum(["pending", "approved", "denied", "expired"]),
  decision: z.enum(["allow", "deny", "pending"]),
  expiresAt: z.iso.datetime(),
  decidedAt: z.iso.datetime().nullable(),
  note: z.string().nullable(),
  approvedAmount: moneySchema.optional().describe("Once approved: the most the agent may commit. Absent for a call that named no money."),
  reservationId: z.uuid().nullable().optional(),
  receipt: z.string().optional(),
});

/** The body of a `GET /v1/organizations/{id}/receipt-keys` answer: what `verifyReceipt` needs. */
export const receiptKeysSchema = z.object({
  organizationId: z.uuid(),
  keys: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/)).describe("Ed25519 public keys (hex) by key id, as receipts name them in `kid`."),
});

/** The body of a `GET /healthz` answer. */
export const healthSchema = z.object({
  status: z.literal("ok"),
  workerId: z.string(),
  version: z.string(),
  startedAt: z.iso.datetime(),
  uptimeSeconds: z.int().nonnegative(),
  snapshots: z.record(z.string(), z.int()).describe("Snapshot version served per organization id."),
});

/** A component schema: JSON Schema 2020-12 (OpenAPI 3.1's dialect) without its `$schema` line. */
function component(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: "draft-2020-12", io });
  return rest;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string) => ({ content: { "application/json": { schema: ref(name) } } });
const error = (description: string) => ({ description, ...json("Error") });

const clientErrors = {
  "400": error("Malformed or invalid body; the code names the kind, the message the field."),
  "401": error("Missing, unknown, revoked or expired agent key."),
  "403": error("The agent is suspended."),
  "413": error("Body larger than the limit."),
};

const reservationId = { name: "id", in: "path", required: true, schema: { type: "string" } };
const approvalId = { name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } };
const waitMs = {
  name: "waitMs",
  in: "query",
  required: false,
  // The cap lives in decide/approvals (MAX_APPROVAL_WAIT_MS); importing it would pull the database into the core.
  description: "Milliseconds to wait for a human's answer before answering pending; the worker caps it (400 above the cap).",
  schema: { type: "integer", minimum: 0 },
};

/**
 * The worker's OpenAPI 3.1 document, generated from the zod schemas that validate requests.
 * Build it once at startup; it does not change while the worker runs.
 */
export function buildOpenApiDocument(options: { version: string }) {
  return {
    openapi: "3.1.0",
    info: {
      title: "Tollgate decision worker",
      version: options.version,
      description: "Ask before every paid tool call; commit or release the hold afterwards.",
    },
    security: [{ bearerAuth: [] }],
    paths: {
      "/v1/decisions": {
        post: {
          operationId: "decide",
          summary: "Decide whether the agent may make a call, holding its amount on allow or pending.",
          requestBody: { required: true, ...json("DecisionRequest") },
          responses: {
            "200": { description: "The decision (allow, deny or pending).", ...json("DecisionResponse") },
            ...clientErrors,
            "503": error("No database or stale snapshot (fail closed), or the decision could not be logged; nothing was held."),
          },
        },
      },
      "/v1/reservations/{id}/commit": {
        post: {
          operationId: "commitReservation",
          summary: "Commit the actual amount of a hold (never more than held).",
          parameters: [reservationId],
          requestBody: { required: true, ...json("CommitRequest") },
          responses: {
            "200": { description: "Committed.", ...json("CommitResponse") },
            ...clientErrors,
            "404": error("No such reservation for this organization."),
            "409": error("The reservation was already settled the other way."),
            "503": error("The budget could not be reached; nothing changed."),
          },
        },
      },
      "/v1/reservations/{id}/release": {
        post: {
          operationId: "releaseReservation",
          summary: "Release a hold; releasing twice is harmless.",
          parameters: [reservationId],
          responses: {
            "200": { description: "Released.", ...json("ReleaseResponse") },
            "401": clientErrors["401"],
            "403": clientErrors["403"],
            "404": error("No such reservation for this organization."),
            "409": error("The reservation was already committed."),
            "503": error("The budget could not be reached; nothing changed."),
          },
        },
      },
      "/v1/approvals/{id}": {
        get: {
          operationId: "waitForApproval",
          summary: "Long-poll a pending decision until a human decides, it expires, or the wait ends.",
          parameters: [approvalId, waitMs],
          responses: {
            "200": { description: "The approval as the agent sees it.", ...json("Approval") },
            "400": error("Not an approval id, or a wait out of range."),
            "401": clientErrors["401"],
            "403": clientErrors["403"],
            "404": error("No such approval for this agent."),
          },
        },
      },
      "/v1/organizations/{id}/receipt-keys": {
        get: {
          operationId: "receiptKeys",
          summary: "The public keys an organization's decision receipts are signed with, for offline verification.",
          security: [],
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } }],
          responses: {
            "200": { description: "The organization's receipt public keys.", ...json("ReceiptKeys") },
            "404": error("This worker signs no receipts for that organization."),
          },
        },
      },
      "/healthz": {
        get: {
          operationId: "health",
          security: [],
          responses: { "200": { description: "The worker's identity and the snapshot versions it serves.", ...json("Health") } },
        },
      },
      "/metrics": {
        get: {
          operationId: "metrics",
          security: [],
          responses: {
            "200": { description: "Prometheus text exposition format 0.0.4.", content: { "text/plain; version=0.0.4": { schema: { type: "string" } } } },
          },
        },
      },
      "/openapi.json": {
        get: {
          operationId: "openApi",
          security: [],
          responses: { "200": { description: "This document.", content: { "application/json": { schema: { type: "object" } } } } },
        },
      },
    },
    components: {
      securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", description: "An agent key." } },
      schemas: {
        DecisionRequest: component(decisionBodySchema, "input"),
        CommitRequest: component(commitBodySchema, "input"),
        DecisionResponse: component(decisionResponseSchema, "output"),
        CommitResponse: component(commitResponseSchema, "output"),
        ReleaseResponse: component(releaseResponseSchema, "output"),
        Approval: component(approvalViewSchema, "output"),
        Health: component(healthSchema, "output"),
        ReceiptKeys: component(receiptKeysSchema, "output"),
        Error: component(errorBodySchema, "output"),
      },
    },
  };
}

export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;
