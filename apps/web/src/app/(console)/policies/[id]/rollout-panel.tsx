"use client";

import { primaryButton } from "@/components/button-styles";
import type { RouterInputs, RouterOutputs } from "@tollgate/api";
import { useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import { startTransition, useState } from "react";
import { StatusBadge } from "@/components/badge";
import { EmptyState, TableFrame } from "@/components/data-table";
import { formatCount, formatMoney, formatTime } from "@/components/format";
import { useTimeZone } from "@/components/organization";
import { useTRPC } from "@/trpc/react";

type Published = RouterOutputs["policies"]["byId"]["published"];

/**
 * Rollout: the published version moves between shadow and enforce with one click (publishing a
 * snapshot each time), and while in shadow the panel shows what it would have decided.
 */
export function RolloutPanel({ input, published }: { input: RouterInputs["policies"]["shadow"]; published: Published }) {
  const { policyId, pageSize = 10 } = input;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const timeZone = useTimeZone();
  // Page turns are transitions, so the current page stays shown while the next one loads.
  const [page, setPage] = useState(input.page ?? 1);
  const { data: report } = useSuspenseQuery(trpc.policies.shadow.queryOptions({ ...input, page }));
  const move = useMutation(
    trpc.policies.setMode.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.policies.pathKey() }),
    }),
  );

  if (published === null) {
    return (
      <section aria-labelledby="rollout-heading">
        <h2 id="rollout-heading" className="mb-2 text-base font-semibold text-slate-900">Rollout</h2>
        <EmptyState title="Not published yet" description="Publish a version (set `mode: shadow` to try it without effect) and move it to enforce here." />
      </section>
    );
  }
  const target = published.mode === "shadow" ? "enforce" : "shadow";
  const total = report.outcomes.reduce((sum, row) => sum + row.count, 0);
  const pages = Math.max(1, Math.ceil(report.differing.total / pageSize));
  return (
    <section aria-labelledby="rollout-heading" className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 id="rollout-heading" className="text-base font-semibold text-slate-900">
          Rollout
        </h2>
        <button
          type="button"
          disabled={move.isPending}
          onClick={() => move.mutate({ policyId, mode: target })}
          className={primaryButton}
        >
          {target === "enforce" ? `Enforce v${published.version}` : `Move v${published.version} to shadow`}
        </button>
      </div>
      <p className="mt-1 text-sm text-slate-600">
        v{published.version} is in <StatusBadge status={published.mode} /> mode.{" "}
        {published.mode === "shadow" ? "Workers evaluate it beside the enforced policies and log what it would have decided." : "Move it to shadow to watch a change without effect."}
      </p>
      {move.error && (
        <p role="alert" className="mt-2 text-sm text-rose-700">
          {move.error.message}
        </p>
      )}
      {move.data && (
        <p role="status" className="mt-2 text-sm text-emerald-700">
          v{move.data.version} now in {move.data.mode} mode (snapshot {move.data.snapshotVersion}).
        </p>
      )}
      {report.since !== null && (
        <div className="mt-4 space-y-4" data-testid="shadow-report">
          <p className="text-sm text-slate-700">
            Since {formatTime(report.since, timeZone)}: {formatCount(total)} decisions had a shadow outcome, {formatCount(report.differing.total)} of them different from what was enforced.
          </p>
          {total === 0 ? (
            <EmptyState title="No decisions since shadow mode began" description="Outcomes appear here as agents make calls that the shadow policy selects." />
          ) : (
            <TableFrame label="Enforced and shadow outcomes" headers={["Enforced", "Shadow", "Decisions"]}>
              {report.outcomes.map((row) => (
                <tr key={`${row.enforced}-${row.shadow}`} className={row.enforced === row.shadow ? "" : "bg-amber-50/60"}>
                  <td className="px-4 py-2"><StatusBadge status={row.enforced} /></td>
                  <td className="px-4 py-2"><StatusBadge status={row.shadow} /></td>
                  <td className="px-4 py-2 tabular-nums">{formatCount(row.count)}</td>
                </tr>
              ))}
            </TableFrame>
          )}
          {report.differing.total > 0 && (
            <TableFrame
              label="Decisions shadow mode would have changed"
              headers={["When", "Action", "Amount", "Enforced", "Shadow"]}
              footer={
                <nav aria-label="Differing decisions pages" className="flex items-center justify-between border-t border-slate-200 px-4 py-2 text-sm">
                  <span className="text-slate-500">
                    Page {page} of {pages}
                  </span>
                  <span className="flex gap-2">
                    <button type="button" disabled={page <= 1} onClick={() => startTransition(() => setPage(page - 1))} className="rounded border border-slate-300 px-2 py-0.5 disabled:opacity-40">
                      Previous
                    </button>
                    <button type="button" disabled={page >= pages} onClick={() => startTransition(() => setPage(page + 1))} className="rounded border border-slate-300 px-2 py-0.5 disabled:opacity-40">
                      Next
                    </button>
                  </span>
                </nav>
              }
            >
              {report.differing.items.map((row) => (
                <tr key={row.id}>
                  <td className="whitespace-nowrap px-4 py-2">{formatTime(row.createdAt, timeZone)}</td>
                  <td className="px-4 py-2 font-mono text-xs">{row.action}</td>
                  <td className="px-4 py-2 tabular-nums">{row.amount ? formatMoney(row.amount) : "—"}</td>
                  <td className="px-4 py-2"><StatusBadge status={row.enforced} /></td>
                  <td className="px-4 py-2"><StatusBadge status={row.shadow} /></td>
                </tr>
              ))}
            </TableFrame>
          )}
        </div>
      )}
    </section>
  );
}
