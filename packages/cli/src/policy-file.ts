import { readFile, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import type { RouterOutputs } from "@tollgate/api";
import { formatMoney } from "@tollgate/policy";
import { connect, consoleOptions } from "./console-client";
import type { Io } from "./io";
import { required, UsageError } from "./usage";

// Policy as code: `tollgate.yaml` is the organization's policies as one `policies:` document.

type PolicyPlan = RouterOutputs["tollgateFile"]["plan"]["policies"][number];
type ReplayReport = Extract<NonNullable<PolicyPlan["replay"]>, { ok: true }>["report"];

async function readSource(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new UsageError(`-f: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

function wholeNumber(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 0) throw new UsageError(`${name}: must be a whole number, got ${value}`);
  return number;
}

const MARKS = { same: "  ", added: "+ ", removed: "- " } as const;

function printReplay(io: Io, report: ReplayReport): void {
  const days = Math.round((Date.parse(report.to) - Date.parse(report.from)) / 86_400_000);
  io.out(`  replay over the last ${days} days: ${report.replayed} decisions, ${report.flipped} would change${report.skipped ? ` (${report.skipped} could not be replayed)` : ""}`);
  for (const transition of report.transitions) {
    if (transition.before !== transition.after) io.out(`    ${transition.before} → ${transition.after}: ${transition.count}`);
  }
  for (const money of report.money) {
    if (money.allowedBefore !== money.allowedAfter) {
      io.out(`    allowed ${money.currency}: ${formatMoney(money.allowedBefore, money.currency)} → ${formatMoney(money.allowedAfter, money.currency)}`);
    }
  }
  for (const example of report.examples) {
    const amount = example.amount ? ` ${formatMoney(example.amount.amount, example.amount.currency)}` : "";
    const reason = example.reasons[0] ? ` (${example.reasons[0].code}: ${example.reasons[0].message})` : "";
    io.out(`    e.g. ${example.createdAt} ${example.action}${amount}: ${example.before} → ${example.after}${reason}`);
  }
}

function printPlan(io: Io, plan: PolicyPlan): void {
  const published = plan.publishedVersion === null ? "" : ` (published v${plan.publishedVersion})`;
  if (plan.change === "unchanged") return io.out(`policy ${plan.name}${published}: unchanged`);
  if (plan.change === "not_in_file") return io.out(`policy ${plan.name}${published}: not in this file, left as it is`);
  io.out(`policy ${plan.name}${published}: ${plan.change === "create" ? "will be created" : "will be updated"}`);
  for (const line of plan.diff) io.out(`  ${MARKS[line.kind]}${line.text}`);
  if (plan.replay?.ok) printReplay(io, plan.replay.report);
  else if (plan.replay) io.out(`  replay unavailable: ${plan.replay.reason}`);
}

/** `tollgate plan -f tollgate.yaml`: the diff per policy against what is published, and what it would have decided. */
export async function plan(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args, options: { ...consoleOptions, file: { type: "string", short: "f" }, days: { type: "string" }, examples: { type: "string" } } });
  const source = await readSource(required(values.file, "-f (the tollgate.yaml to plan)"));
  const days = wholeNumber(values.days, "--days", 7);
  const examples = wholeNumber(values.examples, "--examples", 5);
  const result = await connect(values, io).tollgateFile.plan.query({ source, days, examples });
  for (const policy of result.policies) printPlan(io, policy);
  const count = (change: PolicyPlan["change"]) => result.policies.filter((policy) => policy.change === change).length;
  const [creates, updates] = [count("create"), count("update")];
  io.out(creates + updates === 0 ? "\nNo changes: the console already publishes this file." : `\nPlan: ${creates} to create, ${updates} to update, ${count("unchanged")} unchanged.`);
  return 0;
}

/** `tollgate apply -f tollgate.yaml`: publishes every policy that changed, all at once, or nothing. */
export async function apply(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args, options: { ...consoleOptions, file: { type: "string", short: "f" } } });
  const source = await readSource(required(values.file, "-f (the tollgate.yaml to apply)"));
  const result = await connect(values, io).tollgateFile.publish.mutate({ source });
  for (const policy of result.policies) {
    io.out(`policy ${policy.name}: ${policy.change === "unchanged" ? `unchanged (v${policy.version})` : `${policy.change === "create" ? "created" : "updated"}, published v${policy.version}`}`);
  }
  io.out(result.snapshotVersion === null ? "\nNothing to apply: the console already publishes this file." : `\nPublished snapshot v${result.snapshotVersion}: workers pick it up within a second.`);
  return 0;
}

/** `tollgate export [-f tollgate.yaml]`: the published policies as one file `apply` accepts unchanged (stdout without -f). */
export async function exportFile(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args, options: { ...consoleOptions, file: { type: "string", short: "f" } } });
  const exported = await connect(values, io).tollgateFile.export.query();
  if (values.file === undefined) {
    io.out(exported.source.replace(/\n$/, ""));
    return 0;
  }
  await writeFile(values.file, exported.source, "utf8");
  io.err(`wrote ${exported.policies} published ${exported.policies === 1 ? "policy" : "policies"} to ${values.file}`);
  return 0;
}
