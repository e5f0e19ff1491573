import type { RouterOutputs } from "@tollgate/api";
import { formatMoney } from "./format";

type Rules = NonNullable<RouterOutputs["agents"]["overview"]["policies"]>[number]["rules"];
type Scope = { actions?: string[]; merchants?: string[]; categories?: string[] };

const list = (items: readonly string[]) => items.join(", ");

/** " for stripe.* at acme in travel": the calls a rule narrows to, or nothing when it takes in all. */
function narrowing({ actions, merchants, categories }: Scope): string {
  return `${actions ? ` for ${list(actions)}` : ""}${merchants ? ` at ${list(merchants)}` : ""}${categories ? ` in ${list(categories)}` : ""}`;
}

const PERIODS: Record<string, string> = { session: "per session", day: "a day", week: "a week", month: "a month", all_time: "in all" };

/**
 * Every rule of a policy in plain words, kind by kind, the way the evaluator applies them: what
 * an agent's page shows as its effective permissions. Each line starts with the rule's id.
 */
export function describeRules(rules: Rules): { id: string; kind: "allow" | "deny" | "limit" | "approval"; text: string }[] {
  return [
    ...rules.grants.map((rule) => ({ id: rule.id, kind: "allow" as const, text: `may call ${list(rule.actions)}${narrowing({ ...rule, actions: undefined })}` })),
    ...rules.denies.map((rule) => ({ id: rule.id, kind: "deny" as const, text: `never ${list(rule.actions)}${narrowing({ ...rule, actions: undefined })}` })),
    ...rules.timeWindows.map((rule) => ({ id: rule.id, kind: "limit" as const, text: `only ${list(rule.days)} ${rule.from}–${rule.to}${narrowing(rule)}` })),
    ...rules.caps.map((rule) => ({ id: rule.id, kind: "limit" as const, text: `at most ${formatMoney(rule)} per call${narrowing(rule)}` })),
    ...rules.limits.map((rule) => ({ id: rule.id, kind: "limit" as const, text: `${formatMoney(rule)} ${PERIODS[rule.period] ?? rule.period}${narrowing(rule)}` })),
    ...rules.velocity.map((rule) => ({ id: rule.id, kind: "limit" as const, text: `at most ${rule.maxCalls} calls per ${rule.windowSeconds} s per ${rule.per}${narrowing(rule)}` })),
    ...rules.loops.map((rule) => ({ id: rule.id, kind: "limit" as const, text: `the same call at most ${rule.maxRepeats} times per ${rule.windowSeconds} s${narrowing(rule)}` })),
    ...rules.anomalies.map((rule) => ({
      id: rule.id,
      kind: rule.respond === "deny" ? ("deny" as const) : ("approval" as const),
      text: `${rule.respond === "deny" ? "denies" : "a human approves"} a spend over ${rule.deviations} deviations above its usual (after ${rule.minSamples} spends)${narrowing(rule)}`,
    })),
    ...rules.approvals.map((rule) => ({
      id: rule.id,
      kind: "approval" as const,
      text: `a human approves ${
        rule.when === "amount_over" ? `over ${formatMoney(rule)}` : rule.when === "trust_below" ? `while its trust score is below ${rule.score}` : "its first use of a merchant"
      }${narrowing(rule)}`,
    })),
  ];
}
