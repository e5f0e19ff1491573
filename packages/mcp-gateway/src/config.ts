import { parse } from "yaml";
import { z } from "zod";

const nonEmpty = z.string().min(1, { error: "must not be empty" });
const currency = z.string().regex(/^[A-Z]{3}$/, { error: "must be an ISO 4217 code such as USD" });
/** A dotted path into the tool call's arguments, e.g. `order.total_cents`. */
const argumentRef = z.strictObject({ argument: nonEmpty });

/** A text fixed in the config, or read from an argument of the call. */
const textSource = z.union([nonEmpty, argumentRef], { error: 'must be a string or { argument: "<path>" }' });

const amountSource = z.union(
  [
    z.strictObject({ amount: z.int().min(0, { error: "must be a whole number of minor units" }), currency }),
    z.strictObject({ argument: nonEmpty, currency }),
  ],
  { error: 'must be { amount: <minor units>, currency } or { argument: "<path>", currency }' },
);

/** How one upstream tool is asked about: the action, and what a call costs. */
const toolGateSchema = z.strictObject({
  action: nonEmpty,
  amount: amountSource.optional(),
  merchant: textSource.optional(),
  category: textSource.optional(),
  sessionId: textSource.optional(),
  onBehalfOf: nonEmpty.optional(),
});

const upstreamSchema = z.union(
  [
    z.strictObject({ command: nonEmpty, args: z.array(z.string()).default([]), env: z.record(z.string(), z.string()).optional(), cwd: nonEmpty.optional() }),
    z.strictObject({ url: z.url({ error: "must be the upstream server's MCP endpoint URL" }), headers: z.record(z.string(), z.string()).optional() }),
  ],
  { error: "must be { command, args } (stdio) or { url } (streamable HTTP)" },
);

export const gatewayConfigSchema = z.strictObject({
  /** The MCP server whose tools are gated. */
  upstream: upstreamSchema,
  /** The decision worker; TOLLGATE_URL when absent. The agent key only ever comes from TOLLGATE_KEY. */
  tollgate: z.strictObject({ url: z.url({ error: "must be the decision worker's URL" }).optional() }).default({}),
  /** The session calls count against, unless a tool reads its own from an argument; one per gateway run by default. */
  sessionId: nonEmpty.optional(),
  /** How long a call waits for a human approval; under MCP clients' usual 60 s request timeout. */
  approvalTimeoutMs: z.int().min(0, { error: "must be a whole number of milliseconds" }).default(50_000),
  /** What happens to a tool the config does not name: refused (fail closed) or forwarded ungated. */
  unmapped: z.enum(["deny", "passthrough"]).default("deny"),
  /** Upstream tool name → its gate, or `passthrough` to forward it ungated (a free tool). */
  tools: z.record(nonEmpty, z.union([z.literal("passthrough"), toolGateSchema], { error: "must be passthrough or { action, amount?, merchant?, … }" })).default({}),
});

export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
export type ToolGate = z.output<typeof toolGateSchema>;
export type TextSource = z.output<typeof textSource>;
export type UpstreamConfig = z.output<typeof upstreamSchema>;

export class GatewayConfigError extends Error {
  override name = "GatewayConfigError";
}

/** Validates a gateway config (an object, or YAML/JSON text); errors name the field: `tools.charge.amount.currency: …`. */
export function parseGatewayConfig(source: unknown): GatewayConfig {
  let value = source;
  if (typeof source === "string") {
    try {
      value = parse(source);
    } catch (error) {
      throw new GatewayConfigError(`config: not valid YAML: ${(error as Error).message}`);
    }
  }
  const parsed = gatewayConfigSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const { path, issue } = closest(parsed.error.issues[0]!);
  const field = path.length > 0 ? path.join(".") : "config";
  throw new GatewayConfigError(`${field}: ${path.length > 0 && valueAt(value, path) === undefined ? "is required" : issue.message}`);
}

/** Of a union's failures, the one that got furthest into the value: the option the author meant. */
function closest(issue: z.core.$ZodIssue, prefix: PropertyKey[] = []): { path: PropertyKey[]; issue: z.core.$ZodIssue } {
  const path = [...prefix, ...issue.path];
  if (issue.code !== "invalid_union") return { path, issue };
  const deepest = issue.errors
    .flat()
    .filter((nested) => nested.path.length > 0)
    .sort((a, b) => b.path.length - a.path.length)[0];
  return deepest ? closest(deepest, path) : { path, issue };
}

function valueAt(value: unknown, path: PropertyKey[]): unknown {
  return path.reduce<unknown>((at, key) => (at !== null && typeof at === "object" ? (at as Record<PropertyKey, unknown>)[key] : undefined), value);
}
