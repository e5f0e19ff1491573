"use client";

import { useSuspenseQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Area, AreaChart, Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatMoney } from "@/components/format";
import { useTRPC } from "@/trpc/react";

const OUTCOME_COLORS = { allow: "#059669", pending: "#d97706", deny: "#e11d48" } as const;

function ChartCard({ title, description, children }: { title: string; description: string; children: ReactNode }) {
  return (
    <section aria-label={title} className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <h2 className="text-sm font-semibold text-slate-900">{title}</h2>
      <p className="mb-4 text-xs text-slate-500">{description}</p>
      <div className="h-64">{children}</div>
    </section>
  );
}

const Empty = ({ children }: { children: ReactNode }) => (
  <div className="flex h-full items-center justify-center rounded-lg border border-dashed border-slate-200 text-sm text-slate-500">{children}</div>
);

/** `2026-11-24` → `24 Nov`. */
const shortDay = (day: string) => new Date(`${day}T12:00:00Z`).toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });

/** Decisions by outcome, committed spend and trust scores, aggregated by the database. */
export function Charts() {
  const trpc = useTRPC();
  const { data } = useSuspenseQuery(trpc.dashboard.timeline.queryOptions());
  const anyDecision = data.decisions.some((day) => day.allow + day.deny + day.pending > 0);
  const spend = data.spend[0];
  return (
    <div className="mt-6 grid gap-4 xl:grid-cols-2">
      <ChartCard title="Decisions per day" description={`Allowed, sent to a human and denied, by calendar day in ${data.timeZone}.`}>
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
          <Empty>No decisions in the last 30 days.</Empty>
        )}
      </ChartCard>
      <ChartCard title="Committed spend per day" description={spend ? `What agents actually spent, in ${spend.currency}.` : "What agents actually spent."}>
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
          <Empty>No committed spend in the last 30 days.</Empty>
        )}
      </ChartCard>
      <ChartCard title="Trust scores" description="Every agent's current score (300–850), lowest first: the ones to look at.">
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
