import { LineCounter, parseDocument } from "yaml";
import { describeIssue, toValidationErrors, type ValidationError } from "./issues";
import { policyDocumentSchema, policySchema, type PolicyDocument } from "./schema";

export type ParseResult =
  | { readonly ok: true; readonly document: PolicyDocument }
  | { readonly ok: false; readonly errors: readonly ValidationError[] };

/**
 * Parses policy text (YAML or JSON; JSON is YAML) or an already-decoded value into a validated
 * document. A lone policy becomes a document of one. Never throws: every problem is returned with
 * its path, e.g. `policies[2].limits[0].amount: must be a positive integer in minor units`.
 */
export function parsePolicyDocument(input: unknown): ParseResult {
  if (typeof input !== "string") return validate(input);
  const decoded = decodeYaml(input);
  return decoded.ok ? validate(decoded.value) : decoded;
}

function decodeYaml(text: string): { ok: true; value: unknown } | { ok: false; errors: ValidationError[] } {
  try {
    const lines = new LineCounter();
    const document = parseDocument(text, { uniqueKeys: true, prettyErrors: false, lineCounter: lines });
    if (document.errors.length > 0) {
      return {
        ok: false,
        errors: document.errors.map((error) => {
          if (error.code === "MULTIPLE_DOCS") return { path: "(document)", message: "must be a single YAML document; list several policies under `policies:`" };
          const at = lines.linePos(error.pos[0]);
          return { path: `line ${at.line}, column ${at.col}`, message: error.message };
        }),
      };
    }
    // The alias cap defuses "billion laughs" expansion of hostile input.
    return { ok: true, value: document.toJS({ maxAliasCount: 100 }) };
  } catch (error) {
    return { ok: false, errors: [{ path: "(document)", message: error instanceof Error ? error.message : String(error) }] };
  }
}

function validate(value: unknown): ParseResult {
  const isList = typeof value === "object" && value !== null && !Array.isArray(value) && "policies" in value;
  if (isList) {
    const result = policyDocumentSchema.safeParse(value, { error: describeIssue });
    return result.success ? { ok: true, document: result.data } : { ok: false, errors: toValidationErrors(result.error) };
  }
  const result = policySchema.safeParse(value, { error: describeIssue });
  if (!result.success) {
    const errors = toValidationErrors(result.error);
    const notAnObject = typeof value !== "object" || value === null || Array.isArray(value);
    return { ok: false, errors: notAnObject ? [{ path: "(document)", message: "must be a policy or an object with a `policies` list" }] : errors };
  }
  return { ok: true, document: { policies: [result.data] } };
}
