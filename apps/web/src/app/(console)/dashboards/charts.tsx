"use client";

import { useSuspenseQuery } from "@tanstack/react-query";
import { Area, AreaChart, Bar, BarChart, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatDuration, formatMoney } from "@/components/format";
import { useTRPC } from "@/trpc/react";
import type { DashboardRange } from "@tollgate/api";
import { ChartCard, Empty, shortDay } from "./chart-card";

const OUTCOME_COLORS = { allow: "#059669", pending: "#d97706", deny: "#e11d48" } as const;
const APPROVAL_COLORS = { approved: "#059669", denied: "#e11d48", expired: "#94a3b8", pending: "#d97706" } as const;

/** Decisions by outcome, committed spend and trust scores, aggregated by the database. */
export function Charts({ days }: DashboardRange) {
  const trpc = useTRPC();
  const { data } = useSuspenseQuery(trpc.dashboard.timeline.queryOptions({ days }));
  const anyDecision = data.decisions.some((day) => day.allow + day.deny + day.pending > 0);
  const spend = data.spend[0];
  const anyApproval = data.approvals.some((day) => day.approved + day.denied + day.expired + day.pending > 0);
  return (
    <div className="mt-6 grid gap-4 xl:grid-cols-2">
      <ChartCard
        title="Decisions per day"
        description={`Allowed, sent to a human and denied, by calendar day in ${data.timeZone}.`}
        data={{
          filename: `decisions-per-day-${days}d.csv`,
          rows: data.decisions,
          columns: [
            { header: "day", value: (row) => row.day },
            { header: "allow", value: (row) => row.allow },
            { header: "pending", value: (row) => row.pending },
            { header: "deny", value: (row) => row.deny },
          ],
        }}
      >
        {anyDecision ? (
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={data.decisions}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="day" tickFormatter={shortDay} fontSize={11} />
              <YAxis allowDecimals={false} fontSize={11} width={40} />
              <Tooltip labelFormatter={(day) => shortDay(String(day))} />
              <Legend />
              {(["allow", "pending", "deny"] as const).map((outcome) => (
                <Bar key={outcome} dataKey={outcome} stackId="outcome" fill={OUTCOME_COLORS[outcome]} isAnimationActive={false} />
              ))}
            </BarChart>
          </ResponsiveContainer>
        ) : (
          <Empty>No decisions in the last {days} days.</Empty>
        )}
      </ChartCard>
      <ChartCard
        title="Committed spend per day"
        description={spend ? `What agents actually spent, in ${spend.currency}.` : "What agents actually spent."}
        data={{
          filename: `committed-spend-per-day-${days}d.csv`,
          // Every currency's series, amounts in minor units as stored: a spreadsheet sums them exactly.
          rows: data.spend.flatMap((series) => series.points.map((point) => ({ ...point, currency: series.currency }))),
          columns: [
            { header: "day", value: (row) => row.day },
            { header: "currency", value: (row) => row.currency },
            { header: "amount_minor_units", value: (row) => row.amount },
          ],
        }}
      >
        {spend ? (
          <ResponsiveContainer width="100%" height="100%">
            <AreaChart data={spend.points}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="day" tickFormatter={shortDay} fontSize={11} />
              <YAxis fontSize={11} width={70} tickFormatter={(amount: number) => formatMoney({ amount, currency: spend.currency })} />
              <Tooltip labelFormatter={(day) => shortDay(String(day))} formatter={(amount) => formatMoney({ amount: Number(amount), currency: spend.currency })} />
              <Area dataKey="amount" name="committed" stroke="#4f46e5" fill="#e0e7ff" isAnimationActive={false} />
            </AreaChart>
          </ResponsiveContainer>
        ) : (
          <Empty>No committed spend in the last {days} days.</Empty>
        )}
      </ChartCard>
      <ChartCard
        title="Approvals per day"
        description="Requests sent to a human, by how they ended, and the median time a reviewer took to answer."
        data={{
          filename: `approvals-per-day-${days}d.csv`,
          rows: data.approvals,
          columns: [
            { header: "day", value: (row) => row.day },
            { header: "approved", value: (row) => row.approved },
            { header: "denied", value: (row) => row.denied },
            { header: "expired", value: (row) => row.expired },
            { header: "pending", value: (row) => row.pending },
            { header: "median_decision_ms", value: (row) => row.medianDecisionMs },
          ],
        }}
      >
        {anyApproval ? (
          <ResponsiveContainer width="100%" height="100%">
            <ComposedChart data={data.approvals}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="day" tickFormatter={shortDay} fontSize={11} />
              <YAxis yAxisId="count" allowDecimals={false} fontSize={11} width={40} />
              <YAxis yAxisId="wait" orientation="right" fontSize={11} width={60} tickFormatter={(ms: number) => formatDuration(ms)} />
              <Tooltip
                labelFormatter={(day) => shortDay(String(day))}
                formatter={(value, name) => (name === "median wait" ? formatDuration(Number(value)) : value)}
              />
              <Legend />
              {(["approved", "denied", "expired", "pending"] as const).map((status) => (
                <Bar key={status} yAxisId="count" dataKey={status} stackId="status" fill={APPROVAL_COLORS[status]} isAnimationActive={false} />
              ))}
              <Line yAxisId="wait" dataKey="medianDecisionMs" name="median wait" stroke="#4f46e5" connectNulls dot={false} isAnimationActive={false} />
            </ComposedChart>
          </ResponsiveContainer>
        ) : (
          <Empty>No approvals asked for in the last {days} days.</Empty>
        )}
      </ChartCard>
      <ChartCard
        title="Trust scores"
        description="Every agent's current score (300–850), lowest first: the ones to look at."
        data={{
          filename: "trust-scores.csv",
          rows: data.trust,
          columns: [
            { header: "agent", value: (row) => row.agent },
            { header: "score", value: (row) => row.score },
          ],
        }}
      >
        {data.trust.length > 0 ? (
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={data.trust} layout="vertical" margin={{ left: 40 }}>
              <CartesianGrid strokeDasharray="3 3" horizontal={false} />
              <XAxis type="number" domain={[300, 850]} fontSize={11} />
              <YAxis type="category" dataKey="agent" fontSize={11} width={130} interval={0} />
              <Tooltip />
              <Bar dataKey="score" fill="#6366f1" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        ) : (
          <Empty>No trust scores yet.</Empty>
        )}
      </ChartCard>
    </div>
  );
}
