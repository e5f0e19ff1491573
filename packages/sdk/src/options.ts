import type { z } from "zod";

/** Parses options with `schema`, or throws a TypeError naming the field: `guard options.amount.amount: …`. */
export function parseOptions<S extends z.ZodType>(schema: S, value: unknown, label: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = [label, ...issue.path.map(String)].join(".");
  throw new TypeError(`${field}: ${issue.message}`);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Where the SDK reports what must not go unnoticed: failing open, a commit that did not land. */
export interface Logger {
  warn: (message: string) => void;
  error: (message: string) => void;
}
