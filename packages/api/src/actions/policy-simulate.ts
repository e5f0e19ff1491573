import { decisionOutcome } from "@tollgate/db";
import { decisionRequestSchema, evaluate, REASON_CODES } from "@tollgate/policy";
import { z } from "zod";
import type { Action } from "../context";
import { agentOf } from "./agents";
import { compileDraft, policySource, refusal } from "./policy-draft";
import { ReplayUsage } from "./policy-usage";

export const simulateInput = z.object({
  source: policySource,
  request: decisionRequestSchema.omit({ sessionId: true, metadata: true }),
});

const outcome = z.enum(decisionOutcome.enumValues);
const reason = z.object({
  code: z.enum(REASON_CODES),
  message: z.string(),
  policyId: z.string().nullable(),
  policyVersion: z.number().int().nullable(),
  rule: z.string().nullable(),
});

export const simulation = z.object({
  outcome,
  reasons: z.array(reason),
  /** Each evaluation step in order: what it concluded and how many rules it looked at. */
  trace: z.array(z.object({ step: z.string(), result: z.enum(["pass", "fail", "pending", "skip"]), checked: z.number().int() })),
  shadow: z.object({ outcome, reasons: z.array(reason) }).nullable(),
  warnings: z.array(z.object({ code: z.string(), path: z.string(), message: z.string() })),
});

/**
 * Asks the draft about one request, as a worker would with nothing spent yet: compiled with the
 * organization's published state, evaluated now. A draft that does not compile is a BAD_REQUEST.
 */
export async function simulateDraft({ ctx, input }: Action<z.infer<typeof simulateInput>>) {
  // Asking about another organization's agent is asking about an agent that does not exist.
  await agentOf(ctx.db, ctx.session.organizationId, input.request.agentId);
  const now = new Date();
  const compiled = await compileDraft(ctx.db, ctx.session.organizationId, input.source, now);
  if (!compiled.ok) throw refusal("The draft does not compile", compiled.errors);
  const usage = new ReplayUsage();
  usage.at = now.getTime();
  const decision = evaluate(compiled.snapshot, { ...input.request, sessionId: "simulation" }, usage, now);
  // The output schema keeps only what the console shows (holds and counters stay here).
  return { outcome: decision.outcome, reasons: [...decision.reasons], trace: [...decision.trace], shadow: decision.shadow && { outcome: decision.shadow.outcome, reasons: [...decision.shadow.reasons] }, warnings: [...compiled.warnings] };
}
