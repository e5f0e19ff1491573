"use client";

import { useSuspenseQuery } from "@tanstack/react-query";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatCount } from "@/components/format";
import { useTRPC } from "@/trpc/react";
import type { DashboardRange } from "@tollgate/api";
import { ChartCard, Empty } from "./chart-card";

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

/** Deny decisions by the reason code that decided them, most frequent first. */
export function DenialReasonsChart({ days }: DashboardRange) {
  const trpc = useTRPC();
  const { data } = useSuspenseQuery(trpc.dashboard.denials.queryOptions({ days }));
  const rows = data.reasons.map((reason) => ({ ...reason, label: reason.code ?? "other" }));
  return (
    <ChartCard
      title="Top denial reasons"
      description={`Denied requests by the first reason code (what decided), ${formatCount(data.total)} in the last ${days} days.`}
      data={{
        filename: `denial-reasons-${days}d.csv`,
        rows,
        columns: [
          { header: "reason_code", value: (row) => row.label },
          { header: "denials", value: (row) => row.count },
          { header: "share", value: (row) => Number(row.share.toFixed(4)) },
        ],
      }}
    >
      {rows.length > 0 ? (
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={rows} layout="vertical" margin={{ left: 40 }}>
            <CartesianGrid strokeDasharray="3 3" horizontal={false} />
            <XAxis type="number" allowDecimals={false} fontSize={11} />
            <YAxis type="category" dataKey="label" fontSize={11} width={150} interval={0} />
            <Tooltip formatter={(count, _name, item) => [`${formatCount(Number(count))} (${percent((item.payload as (typeof rows)[number]).share)})`, "denials"]} />
            <Bar dataKey="count" fill="#e11d48" maxBarSize={32} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      ) : (
        <Empty>No denials in the last {days} days.</Empty>
      )}
    </ChartCard>
  );
}
