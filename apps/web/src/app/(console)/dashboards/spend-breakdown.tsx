"use client";

import { useSuspenseQuery } from "@tanstack/react-query";
import { useState, useTransition } from "react";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatMoney } from "@/components/format";
import { useTRPC } from "@/trpc/react";
import type { DashboardRange, RouterInputs } from "@tollgate/api";
import { ChartCard, ChartSelect, Empty, OTHER_COLOR, SERIES_COLORS, shortDay } from "./chart-card";

type Breakdown = RouterInputs["dashboard"]["spend"]["by"];

/** The breakdowns the picker offers, in its order; the record makes a new server breakdown a compile error here. */
const BREAKDOWNS: Record<Breakdown, string> = { agent: "By agent", action: "By action", category: "By category", chain: "By delegation chain" };

/**
 * Committed spend per day, stacked by the top agents, actions, categories or delegation chains
 * (the rest as "other"); `initialBy` is the breakdown the page prefetched.
 */
export function SpendBreakdownChart({ days, initialBy }: DashboardRange & { initialBy: Breakdown }) {
  const trpc = useTRPC();
  const [by, setBy] = useState(initialBy);
  // A transition keeps the current chart on screen while the next breakdown loads.
  const [, startTransition] = useTransition();
  const { data } = useSuspenseQuery(trpc.dashboard.spend.queryOptions({ days, by }));
  const chart = data.currencies[0];
  const others = data.currencies.slice(1).map((currency) => currency.currency);
  const label = BREAKDOWNS[by].toLowerCase();
  return (
    <ChartCard
      title="Spend by breakdown"
      description={
        chart
          ? `Committed spend ${label}, the top series and the rest as other, in ${chart.currency}${others.length > 0 ? ` (also spent in ${others.join(", ")}: in the CSV)` : ""}.`
          : `Committed spend ${label}, the top series and the rest as other.`
      }
      controls={
        <ChartSelect
          label="Breakdown"
          value={by}
          options={(Object.keys(BREAKDOWNS) as Breakdown[]).map((value) => ({ value, label: BREAKDOWNS[value] }))}
          onChange={(value) => startTransition(() => setBy(value))}
        />
      }
      data={{
        filename: `spend-by-${by}-${days}d.csv`,
        // Every currency and series, amounts in minor units as stored: a spreadsheet sums them exactly.
        rows: data.currencies.flatMap((currency) =>
          currency.points.flatMap((point) => currency.series.map((series, index) => ({ day: point.day, currency: currency.currency, series: series.label, amount: point.amounts[index]! }))),
        ),
        columns: [
          { header: "day", value: (row) => row.day },
          { header: "currency", value: (row) => row.currency },
          { header: by, value: (row) => row.series },
          { header: "amount_minor_units", value: (row) => row.amount },
        ],
      }}
    >
      {chart ? (
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={chart.points}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="day" tickFormatter={shortDay} fontSize={11} />
            <YAxis fontSize={11} width={70} tickFormatter={(amount: number) => formatMoney({ amount, currency: chart.currency })} />
            <Tooltip labelFormatter={(day) => shortDay(String(day))} formatter={(amount) => formatMoney({ amount: Number(amount), currency: chart.currency })} />
            {/* In the series' order (largest first, other last), not alphabetically. */}
            <Legend itemSorter={(item) => chart.series.findIndex((series) => series.label === item.value)} />
            {chart.series.map((series, index) => (
              <Bar
                key={series.key ?? "other"}
                dataKey={(point: (typeof chart.points)[number]) => point.amounts[index]}
                name={series.label}
                stackId="spend"
                fill={series.key === null ? OTHER_COLOR : SERIES_COLORS[index % SERIES_COLORS.length]}
                isAnimationActive={false}
              />
            ))}
          </BarChart>
        </ResponsiveContainer>
      ) : (
        <Empty>No committed spend in the last {days} days.</Empty>
      )}
    </ChartCard>
  );
}
