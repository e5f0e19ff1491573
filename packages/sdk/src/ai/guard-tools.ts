import type { Money } from "@tollgate/policy";
import type { InferToolInput, InferToolOutput, ToolExecutionOptions, ToolSet } from "ai";
import type { Tollgate } from "../client";
import type { GuardOptions } from "../guard";

/** A value fixed in the mapping, or read from the tool's input. */
type FromInput<INPUT, T> = T | ((input: INPUT) => T | undefined);

/** How one tool's executions are asked about: the action and what the call costs. */
export interface ToolGate<INPUT = unknown, OUTPUT = unknown> {
  action: string;
  amount?: FromInput<INPUT, Money>;
  merchant?: FromInput<INPUT, string>;
  category?: FromInput<INPUT, string>;
  /** Turns the tool's output into what it actually cost, in minor units; default: the held amount. */
  cost?: (output: OUTPUT, input: INPUT) => number;
}

/** Every tool is mapped: to a gate, or explicitly to `"free"` (run without asking). */
export type ToolMapping<TOOLS extends ToolSet> = { [NAME in keyof TOOLS]: ToolGate<InferToolInput<TOOLS[NAME]>, InferToolOutput<TOOLS[NAME]>> | "free" };

/** What applies to every guarded tool: the session at least, and guard's knobs. */
export type SharedGuardOptions = Omit<GuardOptions, "amount" | "merchant" | "category" | "requestId" | "sessionId"> & {
  /** The conversation or run; a function reads it per execution, e.g. from `options.context`. */
  sessionId: string | ((options: ToolExecutionOptions<unknown>) => string);
};

const resolve = <INPUT, T>(value: FromInput<INPUT, T> | undefined, input: INPUT): T | undefined =>
  typeof value === "function" ? (value as (input: INPUT) => T | undefined)(input) : value;

/** The final output of an execute: a streaming tool's last value, since the hold settles once it ends. */
async function settled(output: unknown): Promise<unknown> {
  if (output === null || typeof output !== "object" || !(Symbol.asyncIterator in output)) return output;
  let last: unknown;
  for await (const value of output as AsyncIterable<unknown>) last = value;
  return last;
}

/**
 * Wraps AI SDK tools so every execution is guarded by Tollgate. A denial throws
 * `TollgateDeniedError`; the AI SDK hands its message (reason codes, `retryAfterMs`) to the model
 * as the tool's error, and your code can catch it by type. Streaming tools are drained: the model
 * gets their final output.
 *
 * @example
 * const tools = guardTools(gate, { search, charge }, {
 *   search: { action: "serpapi.search", amount: { amount: 2, currency: "USD" }, merchant: "serpapi" },
 *   charge: { action: "stripe.charges.create", amount: (input) => ({ amount: input.cents, currency: "USD" }), merchant: "stripe" },
 * }, { sessionId: "run-42" });
 */
export function guardTools<TOOLS extends ToolSet>(gate: Tollgate, tools: TOOLS, mapping: ToolMapping<TOOLS>, shared: SharedGuardOptions): TOOLS {
  const guarded: Record<string, unknown> = {};
  for (const [name, tool] of Object.entries(tools)) {
    const gateOf = (mapping as Record<string, ToolGate | "free" | undefined>)[name];
    if (gateOf === undefined) throw new TypeError(`mapping.${name}: is required (a gate, or "free" to run it unasked)`);
    const execute = tool.execute as ((input: unknown, options: ToolExecutionOptions<unknown>) => unknown) | undefined;
    if (gateOf === "free" || !execute) {
      guarded[name] = tool;
      continue;
    }
    const { sessionId, ...options } = shared;
    guarded[name] = {
      ...tool,
      execute: (input: unknown, executionOptions: ToolExecutionOptions<unknown>) =>
        gate.guard(
          gateOf.action,
          async (ctx) => {
            const output = await settled(await execute(input, executionOptions));
            if (gateOf.cost) ctx.charge(gateOf.cost(output, input));
            return output;
          },
          {
            ...options,
            sessionId: typeof sessionId === "function" ? sessionId(executionOptions) : sessionId,
            amount: resolve(gateOf.amount, input),
            merchant: resolve(gateOf.merchant, input),
            category: resolve(gateOf.category, input),
          },
        ),
    };
  }
  return guarded as TOOLS;
}
