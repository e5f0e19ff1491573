import { policySchema } from "@tollgate/policy";
import { isMap, isSeq, parseDocument, type Document } from "yaml";

/** Envelope periods, as the policy schema has them. */
export const ENVELOPE_PERIODS = policySchema.shape.limits.unwrap().element.shape.period.options;
export type EnvelopePeriod = (typeof ENVELOPE_PERIODS)[number];

export interface Amount {
  amount: number;
  currency: string;
}

/**
 * The rules most policies need, as the form edits them: the first grant's actions, the first
 * per-call cap, the first envelope (limit) and the first amount-over approval threshold. Other
 * rules, and other fields of these, are left as written.
 */
export interface CommonRules {
  grantActions: string[];
  cap: Amount | null;
  envelope: (Amount & { period: EnvelopePeriod }) | null;
  approvalOver: Amount | null;
}

type Path = (string | number)[];

/** Where the policy's fields live: at the top, or under `policies[0]` in the list form. */
function policyPath(document: Document): Path {
  return isMap(document.contents) && document.has("policies") ? ["policies", 0] : [];
}

function items(document: Document, path: Path): Record<string, unknown>[] {
  const value = document.getIn(path);
  if (!isSeq(value)) return [];
  return value.items.map((item) => (isMap(item) ? (item.toJSON() as Record<string, unknown>) : {}));
}

const amountOf = (rule: Record<string, unknown> | undefined): Amount | null =>
  rule && typeof rule.amount === "number" && typeof rule.currency === "string" ? { amount: rule.amount, currency: rule.currency } : null;

/** Reads the common rules from policy source; null when the text is not YAML the form can edit. */
export function readCommonRules(source: string): CommonRules | null {
  const document = parseDocument(source);
  if (document.errors.length > 0 || !(isMap(document.contents) || document.contents === null)) return null;
  const at = policyPath(document);
  const grant = items(document, [...at, "grants"])[0];
  const limit = items(document, [...at, "limits"])[0];
  const approval = items(document, [...at, "approvals"]).find((rule) => rule.when === "amount_over");
  const period = ENVELOPE_PERIODS.find((candidate) => candidate === limit?.period);
  const envelope = amountOf(limit);
  return {
    grantActions: Array.isArray(grant?.actions) ? grant.actions.filter((action): action is string => typeof action === "string") : [],
    cap: amountOf(items(document, [...at, "caps"])[0]),
    envelope: envelope && period ? { ...envelope, period } : null,
    approvalOver: amountOf(approval),
  };
}

/**
 * Writes one rule's fields at `section[index]` (creating the rule with `id` when absent), or
 * removes the rule when `fields` is null, dropping a section left empty.
 */
function writeRule(document: Document, section: Path, index: number, id: string, fields: object | null): void {
  const list = document.getIn(section);
  const exists = isSeq(list) && index < list.items.length;
  if (fields === null) {
    if (!exists) return;
    document.deleteIn([...section, index]);
    const left = document.getIn(section);
    if (isSeq(left) && left.items.length === 0) document.deleteIn(section);
    return;
  }
  if (!exists) {
    const rule = document.createNode({ id, ...fields });
    if (isSeq(list)) list.items.push(rule);
    else document.setIn(section, document.createNode([{ id, ...fields }]));
    return;
  }
  for (const [key, value] of Object.entries(fields)) document.setIn([...section, index, key], document.createNode(value));
}

/**
 * Writes the common rules into the source, keeping everything else — comments, other rules,
 * other fields — as written. New rules get the ids `allowed`, `per-call`, `envelope` and `large`.
 */
export function writeCommonRules(source: string, rules: CommonRules): string {
  const document: Document = parseDocument(source);
  if (document.contents === null) document.contents = document.createNode({});
  const at = policyPath(document);
  writeRule(document, [...at, "grants"], 0, "allowed", rules.grantActions.length > 0 ? { actions: rules.grantActions } : null);
  writeRule(document, [...at, "caps"], 0, "per-call", rules.cap);
  writeRule(document, [...at, "limits"], 0, "envelope", rules.envelope);
  const approvals = items(document, [...at, "approvals"]);
  const threshold = approvals.findIndex((rule) => rule.when === "amount_over");
  writeRule(document, [...at, "approvals"], threshold === -1 ? approvals.length : threshold, "large", rules.approvalOver && { when: "amount_over", ...rules.approvalOver });
  return document.toString();
}
