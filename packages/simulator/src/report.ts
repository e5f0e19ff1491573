import { denialFamily } from "@tollgate/api";
import { formatMoney } from "@tollgate/policy";
import { z } from "zod";
import type { CallRecord } from "./traffic";
import { ARCHETYPES, CURRENCY } from "./world";

/** The targets the issue sets; a report says whether each was met. */
export const TARGETS = { sessionsToSeparate: 5, loopCallsBeforeStop: 5, carefulFalseHoldRate: 0.01 } as const;

const SAVING_FAMILIES = ["envelope", "loop", "anomaly", "policy", "approval_rejected"] as const;

const target = <T extends z.ZodType>(value: T) => z.object({ value, target: z.number(), met: z.boolean() });

/** What a simulation found. The bin prints it as text, then as one JSON line. */
export const simulationReportSchema = z.object({
  organizationId: z.uuid(),
  seed: z.int(),
  sessions: z.int(),
  /** Each agent's trust score before the first session (index 0) and after each session. */
  trajectories: z.array(z.object({ archetype: z.enum(ARCHETYPES), agent: z.string(), scores: z.array(z.int()) })),
  /** Sessions after which every misbehaving agent scores below every careful one, and stays there; null if never. */
  sessionsToSeparate: target(z.int().nullable()),
  /** The most calls any retry loop had allowed before its first refusal. */
  loopCallsBeforeStop: target(z.int()),
  /** Careful calls denied or sent to a reviewer, as a share of all careful calls. */
  carefulFalseHoldRate: target(z.number()),
  carefulCalls: z.int(),
  carefulFalseHolds: z.int(),
  /** Every retry loop: how many attempts it made and how many were allowed before the first refusal. */
  loops: z.array(z.object({ id: z.string(), attempts: z.int(), allowedBeforeStop: z.int() })),
  /** What was asked and refused, by the control that refused it: a deny's reason family, or a reviewer's no. */
  saved: z.array(z.object({ family: z.enum(SAVING_FAMILIES), calls: z.int(), amount: z.int(), currency: z.string() })),
  calls: z.object({ total: z.int(), allow: z.int(), deny: z.int(), pending: z.int() }),
});

export type SimulationReport = z.infer<typeof simulationReportSchema>;
export type Trajectory = SimulationReport["trajectories"][number];

/** The first session count from which every misbehaving agent stays below every careful one. */
function sessionsToSeparate(trajectories: Trajectory[], sessions: number): number | null {
  const separated = (after: number) => {
    const careful = trajectories.filter((t) => t.archetype === "careful").map((t) => t.scores[after]!);
    const others = trajectories.filter((t) => t.archetype !== "careful").map((t) => t.scores[after]!);
    return Math.max(...others) < Math.min(...careful);
  };
  let first: number | null = null;
  for (let after = sessions; after >= 1 && separated(after); after--) first = after;
  return first;
}

function loopsOf(calls: CallRecord[]): SimulationReport["loops"] {
  const byLoop = new Map<string, CallRecord[]>();
  for (const call of calls) if (call.loop) byLoop.set(call.loop.id, [...(byLoop.get(call.loop.id) ?? []), call]);
  // Agents run side by side, so records arrive interleaved: order loops by session, then agent.
  const ordered = [...byLoop].sort(([, [a]], [, [b]]) => a!.session - b!.session || a!.agent.localeCompare(b!.agent));
  return ordered.map(([id, attempts]) => {
    const tries = attempts.sort((a, b) => a.loop!.attempt - b.loop!.attempt);
    const stopped = tries.findIndex((call) => call.outcome !== "allow");
    return { id, attempts: tries.length, allowedBeforeStop: stopped === -1 ? tries.length : stopped };
  });
}

/** Which control kept a call's money, if any: a deny's family, or a reviewer who said no. */
function savingFamily(call: CallRecord): (typeof SAVING_FAMILIES)[number] | null {
  if (call.outcome === "deny") return denialFamily(call.code ?? "");
  if (call.outcome === "pending" && call.approval === "denied") return "approval_rejected";
  return null;
}

/** Measures a simulation's calls and score trajectories against the targets. */
export function buildReport({ organizationId, seed, sessions, calls, trajectories }: { organizationId: string; seed: number; sessions: number; calls: CallRecord[]; trajectories: Trajectory[] }): SimulationReport {
  const careful = calls.filter((call) => call.archetype === "careful");
  const carefulFalseHolds = careful.filter((call) => call.outcome !== "allow").length;
  const falseHoldRate = careful.length === 0 ? 0 : carefulFalseHolds / careful.length;
  const loops = loopsOf(calls);
  const loopCalls = Math.max(0, ...loops.map((loop) => loop.allowedBeforeStop));
  const separation = sessionsToSeparate(trajectories, sessions);
  const saved = SAVING_FAMILIES.map((family) => {
    const refused = calls.filter((call) => savingFamily(call) === family);
    return { family, calls: refused.length, amount: refused.reduce((sum, call) => sum + call.amount, 0), currency: CURRENCY };
  });
  const count = (outcome: CallRecord["outcome"]) => calls.filter((call) => call.outcome === outcome).length;
  return simulationReportSchema.parse({
    organizationId,
    seed,
    sessions,
    trajectories,
    sessionsToSeparate: { value: separation, target: TARGETS.sessionsToSeparate, met: separation !== null && separation <= TARGETS.sessionsToSeparate },
    loopCallsBeforeStop: { value: loopCalls, target: TARGETS.loopCallsBeforeStop, met: loops.length > 0 && loopCalls <= TARGETS.loopCallsBeforeStop },
    carefulFalseHoldRate: { value: falseHoldRate, target: TARGETS.carefulFalseHoldRate, met: careful.length > 0 && falseHoldRate <= TARGETS.carefulFalseHoldRate },
    carefulCalls: careful.length,
    carefulFalseHolds,
    loops,
    saved,
    calls: { total: calls.length, allow: count("allow"), deny: count("deny"), pending: count("pending") },
  });
}

const FAMILY_LABELS: Record<(typeof SAVING_FAMILIES)[number], string> = {
  envelope: "envelopes and delegated budgets",
  loop: "loop and velocity limits",
  anomaly: "spends far above the baseline",
  policy: "policy (grants, denies, caps, scope)",
  approval_rejected: "approvals a reviewer rejected",
};

const mark = (met: boolean) => (met ? "met" : "MISSED");

/** The report as a person reads it. */
export function renderReport(report: SimulationReport): string {
  const lines = [`Traffic simulation: ${report.trajectories.length} agents, ${report.sessions} sessions, seed ${report.seed}`, ""];
  lines.push("Trust score before the first session, then after each session:");
  for (const t of report.trajectories) lines.push(`  ${t.archetype.padEnd(15)} ${t.agent.padEnd(17)} ${t.scores.map((s) => String(s).padStart(4)).join("")}`);
  const { sessionsToSeparate: separation, loopCallsBeforeStop: loop, carefulFalseHoldRate: holds } = report;
  lines.push(
    "",
    "Targets:",
    `  sessions until every misbehaving agent scores below every careful one: ${separation.value ?? "never"} (target ≤ ${separation.target}) ${mark(separation.met)}`,
    `  calls a retry loop gets before it is stopped: ${loop.value} at most, over ${report.loops.length} loops (target ≤ ${loop.target}) ${mark(loop.met)}`,
    `  false holds on careful traffic: ${report.carefulFalseHolds} of ${report.carefulCalls} calls, ${(holds.value * 100).toFixed(2)} % (target ≤ ${holds.target * 100} %) ${mark(holds.met)}`,
    "",
    `Calls: ${report.calls.total} (${report.calls.allow} allowed, ${report.calls.deny} denied, ${report.calls.pending} sent to a reviewer)`,
    "Money each control kept from being spent:",
  );
  for (const saving of report.saved) lines.push(`  ${FAMILY_LABELS[saving.family].padEnd(38)} ${String(saving.calls).padStart(4)} calls ${formatMoney(saving.amount, saving.currency).padStart(14)}`);
  return lines.join("\n");
}
