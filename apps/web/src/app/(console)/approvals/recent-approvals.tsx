"use client";

import { useSuspenseQuery } from "@tanstack/react-query";
import { StatusBadge } from "@/components/badge";
import { EmptyState, TableFrame } from "@/components/data-table";
import { formatDuration, formatMoney, formatTime } from "@/components/format";
import { useTimeZone } from "@/components/organization";
import { useTRPC } from "@/trpc/react";

/** Recently settled requests with their latency: how long a human took, and how long until the agent heard. */
export function RecentApprovals() {
  const trpc = useTRPC();
  const timeZone = useTimeZone();
  const { data } = useSuspenseQuery(trpc.approvals.recent.queryOptions());
  const median = (ms: number | null) => (ms === null ? "–" : formatDuration(ms));
  return (
    <section aria-labelledby="recent-heading" className="mb-8">
      <div className="mb-2 flex items-baseline justify-between gap-4">
        <h2 id="recent-heading" className="text-base font-semibold text-slate-900">
          Recently decided
        </h2>
        <p className="text-xs text-slate-500">
          Median over 7 days: decision <span className="font-medium tabular-nums text-slate-700">{median(data.median.decisionMs)}</span>, agent
          informed <span className="font-medium tabular-nums text-slate-700">{median(data.median.informMs)}</span> after
        </p>
      </div>
      {data.items.length === 0 ? (
        <EmptyState title="Nothing decided yet" description="Each request a reviewer decides shows here with how long it waited." />
      ) : (
        <TableFrame label="Recently decided" headers={["Agent", "Request", "Outcome", "Decided", "Request → decision", "Decision → agent"]}>
          {data.items.map((item) => (
            <tr key={item.id}>
              <td className="px-4 py-2 font-medium text-slate-900">{item.agent.name}</td>
              <td className="px-4 py-2">
                <code className="font-mono text-xs">{item.action}</code> {item.amount && <span className="tabular-nums">{formatMoney(item.amount)}</span>}
              </td>
              <td className="px-4 py-2">
                <StatusBadge status={item.status} />
                {item.decidedBy && <span className="ml-1 text-xs text-slate-500">by {item.decidedBy}</span>}
              </td>
              <td className="px-4 py-2">{formatTime(item.decidedAt, timeZone)}</td>
              <td className="px-4 py-2 tabular-nums">{formatDuration(item.decisionMs)}</td>
              <td className="px-4 py-2 tabular-nums">{item.informMs === null ? <span className="text-slate-400">not asked yet</span> : formatDuration(item.informMs)}</td>
            </tr>
          ))}
        </TableFrame>
      )}
    </section>
  );
}
