import { decisionRequestSchema, moneySchema } from "@tollgate/policy";
import { z } from "zod";
import { errorResponse, type WorkerResponse } from "../core";

/**
 * The body of `POST /v1/decisions`: the policy engine's request without `agentId` (the key says
 * who is asking) plus the client's idempotency key. Strict: an unknown field is an error, not
 * something silently ignored.
 */
export const decisionBodySchema = decisionRequestSchema
  .omit({ agentId: true })
  .extend({ requestId: z.string().min(1, { error: "must not be empty" }).max(200, { error: "must be at most 200 characters" }) })
  .strict();

export type DecisionBody = z.infer<typeof decisionBodySchema>;

/** The body of `POST /v1/reservations/{id}/commit`. */
export const commitBodySchema = z.strictObject({ amount: moneySchema });

/** The first problem of a body as the contract's 400: the code names the kind, the message the field. */
function invalid(error: z.ZodError): WorkerResponse {
  const issue = error.issues[0]!;
  if (issue.code === "unrecognized_keys") {
    return errorResponse(400, "unknown_field", `${issue.keys.join(", ")}: not a field of this request`);
  }
  const path = issue.path.length > 0 ? issue.path.join(".") : "body";
  const missing = issue.code === "invalid_type" && issue.input === undefined;
  return errorResponse(400, missing ? "missing_field" : "invalid_field", `${path}: ${missing ? "is required" : issue.message}`);
}

/** Parses a body with `schema`, or gives the 400 the client receives. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): { value: T } | { refusal: WorkerResponse } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { refusal: errorResponse(400, "invalid_body", "body: must be a JSON object") };
  }
  const parsed = schema.safeParse(body);
  return parsed.success ? { value: parsed.data } : { refusal: invalid(parsed.error) };
}
