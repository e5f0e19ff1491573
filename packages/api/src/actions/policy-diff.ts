import { stringify } from "yaml";
import { z } from "zod";
import type { Action } from "../context";
import { Invalid } from "../errors";
import { policyIdInput, policyOf, policyVersionOf } from "./policies";

// The fields people look for first, in this order; the rest follow alphabetically.
const LEADING_KEYS = ["name", "description", "mode", "selector", "id", "when", "actions", "merchants", "categories"];

function rank(key: string): number {
  const position = LEADING_KEYS.indexOf(key);
  return position === -1 ? LEADING_KEYS.length : position;
}

/**
 * A validated policy document as YAML with its keys in one fixed order, so two versions differ
 * only where their rules do, however each was written (YAML or JSON, any key order, comments).
 */
export function canonicalYaml(document: unknown): string {
  // A document is JSON, which has no negative zero: -0 reads back as 0, as JSON.stringify writes it.
  return stringify(document, (_key, value: unknown) => (Object.is(value, -0) ? 0 : value), {
    sortMapEntries: (a, b) => {
      const [left, right] = [String(a.key), String(b.key)];
      return rank(left) - rank(right) || (left < right ? -1 : left > right ? 1 : 0);
    },
    lineWidth: 0,
  });
}

export const diffLine = z.object({ kind: z.enum(["same", "added", "removed"]), text: z.string() });
export type DiffLine = z.infer<typeof diffLine>;

/**
 * The line diff from `before` to `after` with the fewest added and removed lines (a longest
 * common subsequence), removals before additions where lines were replaced.
 */
export function diffLines(before: readonly string[], after: readonly string[]): DiffLine[] {
  const rows = before.length;
  const columns = after.length;
  // common[i][j]: the longest common subsequence of before[i..] and after[j..].
  const common = Array.from({ length: rows + 1 }, () => new Uint32Array(columns + 1));
  for (let i = rows - 1; i >= 0; i -= 1) {
    for (let j = columns - 1; j >= 0; j -= 1) {
      common[i]![j] = before[i] === after[j] ? common[i + 1]![j + 1]! + 1 : Math.max(common[i + 1]![j]!, common[i]![j + 1]!);
    }
  }
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < rows || j < columns) {
    if (i < rows && j < columns && before[i] === after[j]) {
      lines.push({ kind: "same", text: before[i]! });
      i += 1;
      j += 1;
    } else if (i < rows && (j === columns || common[i + 1]![j]! >= common[i]![j + 1]!)) {
      lines.push({ kind: "removed", text: before[i]! });
      i += 1;
    } else {
      lines.push({ kind: "added", text: after[j]! });
      j += 1;
    }
  }
  return lines;
}

// A policy this long is not read as a diff; the cap keeps the quadratic table small.
const MAX_DIFF_LINES = 4_000;

export const diffInput = policyIdInput.extend({
  from: z.number().int().min(1, { error: "must be a version number from 1" }),
  to: z.number().int().min(1, { error: "must be a version number from 1" }),
});

export const policyDiff = z.object({ from: z.number().int(), to: z.number().int(), lines: z.array(diffLine) });

/** The readable diff between two versions of a policy: their canonical YAML, line by line. */
export async function diffPolicyVersions({ ctx, input }: Action<z.infer<typeof diffInput>>) {
  const policy = await policyOf(ctx.db, ctx.session.organizationId, input.policyId);
  const [from, to] = await Promise.all([
    policyVersionOf(ctx.db, policy.organizationId, policy.id, input.from),
    policyVersionOf(ctx.db, policy.organizationId, policy.id, input.to),
  ]);
  const [before, after] = [canonicalYaml(from.document).split("\n"), canonicalYaml(to.document).split("\n")];
  if (before.length > MAX_DIFF_LINES || after.length > MAX_DIFF_LINES) {
    throw new Invalid(`Versions longer than ${MAX_DIFF_LINES} lines are not diffed here; export them and use a diff tool.`);
  }
  return { from: from.version, to: to.version, lines: diffLines(before, after) };
}
