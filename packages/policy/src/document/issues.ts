import type { z } from "zod";

/** A problem with an input, named by where it is: `policies[2].limits[0].amount`. */
export interface ValidationError {
  readonly path: string;
  readonly message: string;
}

/** `["policies", 2, "limits", 0, "amount"]` → `policies[2].limits[0].amount`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const key of path) {
    if (typeof key === "number") text += `[${key}]`;
    else text += text === "" ? String(key) : `.${String(key)}`;
  }
  return text === "" ? "(document)" : text;
}

/**
 * Phrases zod's issues as "must …" sentences about the field. Passed per parse rather than set
 * globally so other packages' zod messages stay theirs; schema-level messages take precedence.
 */
export const describeIssue: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return "is required";
      return `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case "too_small":
      if (issue.origin === "array") return issue.minimum === 1 ? "must not be empty" : `must have at least ${issue.minimum} items`;
      if (issue.origin === "string") return `must be at least ${issue.minimum} characters`;
      return `must be at least ${issue.minimum}`;
    case "too_big":
      if (issue.origin === "array") return `must have at most ${issue.maximum} items`;
      if (issue.origin === "string") return `must be at most ${issue.maximum} characters`;
      return `must be at most ${issue.maximum}`;
    case "invalid_value":
      return issue.values.length === 1 ? `must be ${quote(issue.values[0])}` : `must be one of ${issue.values.map(quote).join(", ")}`;
    case "invalid_format":
      return "has an invalid format";
    case "unrecognized_keys":
      return "is not a known field";
    case "invalid_union":
      return "does not match any allowed form";
    default:
      return undefined;
  }
};

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "true or false",
  object: "an object",
  array: "a list",
  record: "an object",
};

function quote(value: unknown): string {
  return typeof value === "string" ? `"${value}"` : String(value);
}

/** Turns a zod error into path-named errors, one per problem, under an optional path prefix. */
export function toValidationErrors(error: z.ZodError, prefix: readonly PropertyKey[] = []): ValidationError[] {
  const errors: ValidationError[] = [];
  for (const issue of error.issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) errors.push({ path: formatPath([...path, key]), message: "is not a known field" });
    } else if (issue.code === "invalid_union" && issue.discriminator !== undefined) {
      // zod words this one itself, bypassing the error map.
      const options = (issue as { options?: unknown[] }).options ?? [];
      errors.push({ path: formatPath(path), message: `must be one of ${options.map(quote).join(", ")}` });
    } else {
      errors.push({ path: formatPath(path), message: issue.message });
    }
  }
  return errors;
}
