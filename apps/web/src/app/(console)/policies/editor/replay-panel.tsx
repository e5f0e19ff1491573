"use client";

import type { RouterOutputs } from "@tollgate/api";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useState, type FormEvent } from "react";
import { StatusBadge } from "@/components/badge";
import { EmptyState, TableFrame } from "@/components/data-table";
import { formatCount, formatMoney, formatTime } from "@/components/format";
import { useTimeZone } from "@/components/organization";
import { useTRPC } from "@/trpc/react";

type ReplayEvent = RouterOutputs["policies"]["replay"] extends AsyncIterable<infer Event> ? Event : never;
type Report = Extract<ReplayEvent, { kind: "done" }>["report"];

/**
 * Replays the last N days of real decisions against the draft before it is published: how many
 * change outcome, the money allowed before and after, and examples of decisions that flip.
 */
export function ReplayPanel({ source }: { source: string }) {
  const trpc = useTRPC();
  const timeZone = useTimeZone();
  const [days, setDays] = useState("7");
  const [run, setRun] = useState<{ source: string; days: number; limit: number } | null>(null);
  const [progress, setProgress] = useState<{ replayed: number; total: number } | null>(null);
  const [report, setReport] = useState<Report | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useSubscription(
    trpc.policies.replay.subscriptionOptions(run ?? { source: "", days: 1, limit: 0 }, {
      enabled: run !== null,
      onData: (event) => {
        if (event.kind === "progress") return setProgress({ replayed: event.replayed, total: event.total });
        setReport(event.report);
        setRun(null);
      },
      onError: (error) => {
        const fieldErrors = error.data?.fieldErrors ?? {};
        const listed = Object.entries(fieldErrors).map(([path, messages]) => `${path}: ${messages.join("; ")}`);
        setProblem(listed.length > 0 ? `The draft does not compile — ${listed.join(" · ")}` : error.message);
        setRun(null);
      },
    }),
  );

  function start(event: FormEvent) {
    event.preventDefault();
    const window = Number(days);
    if (!Number.isInteger(window) || window < 1 || window > 90) return setProblem("Days must be a whole number from 1 to 90.");
    setProblem(null);
    setReport(null);
    setProgress(null);
    setRun({ source, days: window, limit: 20 });
  }

  const running = run !== null;
  return (
    <section aria-labelledby="replay-heading" className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <h2 id="replay-heading" className="text-base font-semibold text-slate-900">Replay</h2>
      <p className="mt-1 text-xs text-slate-500">Re-decides the logged requests of the last days with this draft in place of the published version: see what would change before you publish.</p>
      <form onSubmit={start} noValidate aria-label="Replay the draft" className="mt-3 flex items-end gap-2 text-sm">
        <div>
          <label htmlFor="replay-days" className="block font-medium text-slate-700">Days</label>
          <input id="replay-days" inputMode="numeric" value={days} onChange={(event) => setDays(event.target.value)} className="mt-1 w-20 rounded border border-slate-300 px-2 py-1" />
        </div>
        <button type="submit" disabled={running} className="rounded-md bg-slate-800 px-3 py-1.5 font-medium text-white hover:bg-slate-700 disabled:opacity-50">
          {running ? "Replaying…" : "Replay"}
        </button>
      </form>
      {running && (
        <div className="mt-3" role="status" aria-live="polite">
          <progress className="h-2 w-full" max={progress?.total || 1} value={progress?.replayed ?? 0} aria-label="Replay progress" />
          <p className="mt-1 text-xs text-slate-500">{progress ? `${formatCount(progress.replayed)} of ${formatCount(progress.total)} decisions replayed` : "Compiling the draft…"}</p>
        </div>
      )}
      {problem && (
        <p role="alert" className="mt-3 text-sm text-rose-700">
          {problem}
        </p>
      )}
      {report && <ReplayReport report={report} timeZone={timeZone} />}
    </section>
  );
}

function ReplayReport({ report, timeZone }: { report: Report; timeZone: string }) {
  return (
    <div className="mt-4 space-y-4 border-t border-slate-100 pt-3 text-sm" data-testid="replay-report">
      <p className="text-slate-700">
        <span className="font-semibold" data-testid="replay-flipped">
          {formatCount(report.flipped)} of {formatCount(report.replayed)}
        </span>{" "}
        decisions since {formatTime(report.from, timeZone)} would change under {report.policy.name} v{report.policy.version}
        {report.skipped > 0 && <span className="text-slate-500"> ({formatCount(report.skipped)} could not be asked again)</span>}.
      </p>
      {report.replayed === 0 ? (
        <EmptyState title="No decisions in this window" description="Nothing was decided in these days; try a longer window once agents have made calls." />
      ) : (
        <div className="grid gap-4 md:grid-cols-2">
          <TableFrame label="Outcomes before and after" headers={["Before", "After", "Decisions"]}>
            {report.transitions.map((row) => (
              <tr key={`${row.before}-${row.after}`} className={row.before === row.after ? "" : "bg-amber-50/60"}>
                <td className="px-4 py-2"><StatusBadge status={row.before} /></td>
                <td className="px-4 py-2"><StatusBadge status={row.after} /></td>
                <td className="px-4 py-2 tabular-nums">{formatCount(row.count)}</td>
              </tr>
            ))}
          </TableFrame>
          <TableFrame label="Money allowed before and after" headers={["Currency", "Allowed before", "Allowed after"]}>
            {report.money.map((row) => (
              <tr key={row.currency}>
                <td className="px-4 py-2">{row.currency}</td>
                <td className="px-4 py-2 tabular-nums">{formatMoney({ amount: row.allowedBefore, currency: row.currency })}</td>
                <td className="px-4 py-2 tabular-nums">{formatMoney({ amount: row.allowedAfter, currency: row.currency })}</td>
              </tr>
            ))}
          </TableFrame>
        </div>
      )}
      {report.examples.length > 0 && (
        <TableFrame label="Decisions that flip" headers={["When", "Action", "Amount", "Before", "After", "Why now"]}>
          {report.examples.map((example) => (
            <tr key={example.decisionId}>
              <td className="whitespace-nowrap px-4 py-2">{formatTime(example.createdAt, timeZone)}</td>
              <td className="px-4 py-2 font-mono text-xs">{example.action}</td>
              <td className="px-4 py-2 tabular-nums">{example.amount ? formatMoney(example.amount) : "—"}</td>
              <td className="px-4 py-2"><StatusBadge status={example.before} /></td>
              <td className="px-4 py-2"><StatusBadge status={example.after} /></td>
              <td className="px-4 py-2 text-xs text-slate-600">{example.reasons.map((reason) => reason.message).join("; ") || "allowed"}</td>
            </tr>
          ))}
        </TableFrame>
      )}
    </div>
  );
}
