"use client";

import { useSuspenseQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { formatCount, formatMoney } from "@/components/format";
import { useTRPC } from "@/trpc/react";
import type { DashboardRange } from "@tollgate/api";

export function Summary({ days }: DashboardRange) {
  const trpc = useTRPC();
  const { data } = useSuspenseQuery(trpc.dashboard.summary.queryOptions({ days }));
  const decided = data.decisions.allow + data.decisions.deny + data.decisions.pending;
  const share = (n: number) => (decided === 0 ? "—" : `${Math.round((n / decided) * 100)}%`);
  return (
    <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
      <StatCard label="Agents" value={formatCount(data.agents.total)}>
        {formatCount(data.agents.active)} active · {formatCount(data.agents.suspended)} suspended
      </StatCard>
      <StatCard label={`Decisions (${days} days)`} value={formatCount(decided)}>
        <span className="text-emerald-700">{share(data.decisions.allow)} allowed</span> ·{" "}
        <span className="text-rose-700">{share(data.decisions.deny)} denied</span> ·{" "}
        <span className="text-amber-700">{share(data.decisions.pending)} to a human</span>
      </StatCard>
      <StatCard label="Pending approvals" value={formatCount(data.pendingApprovals)}>
        {data.pendingApprovals === 0 ? "Nobody is waiting" : "Waiting for a reviewer"}
      </StatCard>
      <StatCard
        label={`Committed spend (${days} days)`}
        value={data.committedSpend.length === 0 ? formatMoney({ amount: 0, currency: "USD" }) : formatMoney(data.committedSpend[0]!)}
      >
        {data.committedSpend.length > 1
          ? `also ${data.committedSpend.slice(1).map(formatMoney).join(" · ")}`
          : data.committedSpend.length === 0
            ? "No spend committed"
            : "Across all agents"}
      </StatCard>
    </div>
  );
}

function StatCard({ label, value, children }: { label: string; value: string; children: ReactNode }) {
  return (
    <div className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm" role="group" aria-label={label}>
      <p className="text-sm font-medium text-slate-500">{label}</p>
      <p className="mt-2 text-3xl font-semibold tracking-tight text-slate-900 tabular-nums">{value}</p>
      <p className="mt-1 text-xs text-slate-500">{children}</p>
    </div>
  );
}
