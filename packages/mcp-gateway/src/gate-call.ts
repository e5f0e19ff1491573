import type { GuardOptions } from "@tollgate/sdk";
import type { ToolGate, TextSource } from "./config";

/** The call's arguments do not fit its gate: a missing or ill-typed argument the cost is read from. */
export class ArgumentError extends Error {
  override name = "ArgumentError";
}

function read(args: Record<string, unknown>, path: string): unknown {
  let value: unknown = args;
  for (const step of path.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[step];
  }
  return value;
}

function text(args: Record<string, unknown>, source: TextSource | undefined, field: string): string | undefined {
  if (source === undefined || typeof source === "string") return source;
  const value = read(args, source.argument);
  if (typeof value !== "string" || value.length === 0) throw new ArgumentError(`${field}: argument ${source.argument} must be a non-empty string`);
  return value;
}

/** What Tollgate is asked for one tool call: the gate's fixed values, and those read from the arguments. */
export function guardOptionsFor(gate: ToolGate, args: Record<string, unknown>, defaultSessionId: string): GuardOptions {
  let amount = gate.amount && "amount" in gate.amount ? gate.amount : undefined;
  if (gate.amount && "argument" in gate.amount) {
    const minor = read(args, gate.amount.argument);
    if (typeof minor !== "number" || !Number.isSafeInteger(minor) || minor < 0) {
      throw new ArgumentError(`amount: argument ${gate.amount.argument} must be a whole number of minor units, got ${JSON.stringify(minor)}`);
    }
    amount = { amount: minor, currency: gate.amount.currency };
  }
  return {
    amount,
    merchant: text(args, gate.merchant, "merchant"),
    category: text(args, gate.category, "category"),
    sessionId: text(args, gate.sessionId, "sessionId") ?? defaultSessionId,
    onBehalfOf: gate.onBehalfOf,
  };
}
