"use client";

import { useSuspenseQuery } from "@tanstack/react-query";
import { useState, useTransition } from "react";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatCount, formatMoney, formatTime } from "@/components/format";
import { useTimeZone } from "@/components/organization";
import { useTRPC } from "@/trpc/react";
import type { RouterOutputs } from "@tollgate/api";
import { ChartCard, Empty } from "./chart-card";

type Envelope = RouterOutputs["dashboard"]["envelopes"]["items"][number];

const PARTS = [
  { key: "committed", name: "spent", fill: "#4f46e5" },
  { key: "held", name: "held", fill: "#a5b4fc" },
  { key: "remaining", name: "left", fill: "#cbd5e1" },
] as const;

const labelOf = (envelope: Envelope) => `${envelope.agent?.name ?? "organization"} · ${envelope.rule} (${envelope.period})`;
const percentOf = (part: number, limit: number) => (limit === 0 ? 100 : Math.round((part / limit) * 1000) / 10);

/** When the envelope runs out at this period's rate, in words. */
function projection(envelope: Envelope, timeZone: string): string {
  if (envelope.committed >= envelope.limit.amount) return "exhausted";
  return envelope.runsOutAt === null ? "not before the period ends" : `runs out ${formatTime(envelope.runsOutAt, timeZone)}`;
}

/** This period's spend of each envelope against its limit, most used first, with when it runs out at this rate. */
export function EnvelopeBurnDown() {
  const trpc = useTRPC();
  const timeZone = useTimeZone();
  const [page, setPage] = useState(1);
  // A transition keeps this page on screen while the next one loads.
  const [, startTransition] = useTransition();
  const { data } = useSuspenseQuery(trpc.dashboard.envelopes.queryOptions({ page }));
  const pages = Math.max(1, Math.ceil(data.total / data.pageSize));
  // Percent of the limit, so envelopes of any size and currency share one axis.
  const bars = data.items.map((envelope) => {
    const remaining = Math.max(0, envelope.limit.amount - envelope.committed - envelope.held);
    return {
      label: labelOf(envelope),
      committed: percentOf(envelope.committed, envelope.limit.amount),
      held: percentOf(envelope.held, envelope.limit.amount),
      remaining: percentOf(remaining, envelope.limit.amount),
    };
  });
  const turn = (to: number) => startTransition(() => setPage(to));
  return (
    <ChartCard
      title="Envelope burn-down"
      description="Each envelope's spend in its current day, week or month against its limit, most used first, and when it runs out at this period's rate. The window does not apply: periods are the policies'."
      data={{
        filename: `envelope-burn-down-page-${page}.csv`,
        rows: data.items,
        columns: [
          { header: "agent", value: (row) => row.agent?.name ?? null },
          { header: "policy", value: (row) => row.policy },
          { header: "rule", value: (row) => row.rule },
          { header: "period", value: (row) => row.period },
          { header: "period_start", value: (row) => row.periodStart },
          { header: "period_end", value: (row) => row.periodEnd },
          { header: "currency", value: (row) => row.limit.currency },
          { header: "limit_minor_units", value: (row) => row.limit.amount },
          { header: "committed_minor_units", value: (row) => row.committed },
          { header: "held_minor_units", value: (row) => row.held },
          { header: "runs_out_at", value: (row) => row.runsOutAt },
        ],
      }}
      footer={
        data.items.length > 0 && (
          <div className="mt-4">
            <ul aria-label="Projections" className="divide-y divide-slate-100 text-xs">
              {data.items.map((envelope) => (
                <li key={envelope.id} className="flex justify-between gap-4 py-1.5">
                  <span className="truncate text-slate-700">{labelOf(envelope)}</span>
                  <span className="shrink-0 tabular-nums text-slate-700">
                    {formatMoney({ amount: envelope.committed, currency: envelope.limit.currency })} of {formatMoney(envelope.limit)} ·{" "}
                    <span className={`font-medium ${envelope.runsOutAt === null ? "text-slate-500" : "text-rose-700"}`}>{projection(envelope, timeZone)}</span>
                  </span>
                </li>
              ))}
            </ul>
            {pages > 1 && (
              <nav aria-label="Envelope pages" className="mt-3 flex items-center justify-between text-xs text-slate-500">
                <span>
                  Page {page} of {pages} · {formatCount(data.total)} envelopes
                </span>
                <span className="flex gap-2">
                  <button type="button" disabled={page <= 1} onClick={() => turn(page - 1)} className="rounded-md border border-slate-300 px-2 py-1 disabled:opacity-40">
                    Previous
                  </button>
                  <button type="button" disabled={page >= pages} onClick={() => turn(page + 1)} className="rounded-md border border-slate-300 px-2 py-1 disabled:opacity-40">
                    Next
                  </button>
                </span>
              </nav>
            )}
          </div>
        )
      }
    >
      {bars.length > 0 ? (
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={bars} layout="vertical" margin={{ left: 40 }}>
            <CartesianGrid strokeDasharray="3 3" horizontal={false} />
            <XAxis type="number" domain={[0, 100]} unit="%" fontSize={11} />
            <YAxis type="category" dataKey="label" fontSize={11} width={170} interval={0} />
            <Tooltip formatter={(value, name) => [`${Number(value)}% of the limit`, name]} />
            <Legend />
            {PARTS.map((part) => (
              <Bar key={part.key} dataKey={part.key} name={part.name} stackId="limit" fill={part.fill} maxBarSize={32} isAnimationActive={false} />
            ))}
          </BarChart>
        </ResponsiveContainer>
      ) : (
        <Empty>No envelope has been drawn on in its current day, week or month.</Empty>
      )}
    </ChartCard>
  );
}
