"use client";

import { useSuspenseQuery } from "@tanstack/react-query";
import { useState, useTransition } from "react";
import { Area, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useTRPC } from "@/trpc/react";
import type { DashboardRange } from "@tollgate/api";
import { ChartCard, ChartSelect, Empty, shortDay } from "./chart-card";

/** One agent's trust score per day over the window (the lowest-scored agent unless picked), with the reasons of its current score. */
export function TrustHistoryChart({ days }: DashboardRange) {
  const trpc = useTRPC();
  const [agentId, setAgentId] = useState<string | undefined>(undefined);
  // A transition keeps the current agent's chart on screen while the next one loads.
  const [, startTransition] = useTransition();
  const { data } = useSuspenseQuery(trpc.dashboard.trust.queryOptions({ days, agentId }));
  const agent = data.agent;
  // The day's range as a band under the closing score: recharts draws a range from a [low, high] pair.
  const points = data.history.map((day) => ({ ...day, range: day.low === null || day.high === null ? null : [day.low, day.high] }));
  const charted = data.history.some((day) => day.score !== null);
  return (
    <ChartCard
      title="Trust history"
      description={agent ? `${agent.name}'s score per day in ${data.timeZone} (closing, with the day's range), now ${agent.score}.` : "An agent's score per day, with the reasons of its current score."}
      controls={
        agent && (
          <ChartSelect
            label="Agent"
            value={agent.id}
            options={data.agents.map((choice) => ({ value: choice.id, label: `${choice.name} (${choice.score})` }))}
            onChange={(id) => startTransition(() => setAgentId(id))}
          />
        )
      }
      data={{
        filename: `trust-history-${agent?.name ?? "none"}-${days}d.csv`,
        rows: data.history,
        columns: [
          { header: "day", value: (row) => row.day },
          { header: "score", value: (row) => row.score },
          { header: "low", value: (row) => row.low },
          { header: "high", value: (row) => row.high },
        ],
      }}
      footer={
        agent && (
          <div className="mt-4">
            <h3 className="text-xs font-semibold text-slate-700">Why {agent.name} scores {agent.score}</h3>
            {agent.reasons.length > 0 ? (
              <ol aria-label="Reason codes" className="mt-1 divide-y divide-slate-100 text-xs">
                {agent.reasons.map((reason) => (
                  <li key={reason.code} className="flex justify-between gap-4 py-1.5">
                    <span className="text-slate-700">
                      <code className="font-mono text-slate-500">{reason.code}</code> {reason.message}
                    </span>
                    <span className={`shrink-0 font-medium tabular-nums ${reason.points < 0 ? "text-rose-700" : "text-emerald-700"}`}>
                      {reason.points > 0 ? `+${reason.points}` : reason.points}
                    </span>
                  </li>
                ))}
              </ol>
            ) : (
              <p className="mt-1 text-xs text-slate-500">Nothing moved it from the neutral score yet.</p>
            )}
          </div>
        )
      }
    >
      {agent && charted ? (
        <ResponsiveContainer width="100%" height="100%">
          <ComposedChart data={points}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="day" tickFormatter={shortDay} fontSize={11} />
            <YAxis domain={[300, 850]} fontSize={11} width={40} />
            <Tooltip labelFormatter={(day) => shortDay(String(day))} formatter={(value, name) => (Array.isArray(value) ? [value.join("–"), name] : [value, name])} />
            <Legend />
            <Area dataKey="range" name="day's range" stroke="none" fill="#e0e7ff" connectNulls isAnimationActive={false} />
            {/* Dots, so that a score recomputed on one day only (a new agent) still shows. */}
            <Line dataKey="score" name="score" stroke="#4f46e5" connectNulls dot={{ r: 2 }} isAnimationActive={false} />
          </ComposedChart>
        </ResponsiveContainer>
      ) : (
        <Empty>{agent ? `${agent.name}'s score was not recomputed in the last ${days} days.` : "No trust scores yet."}</Empty>
      )}
    </ChartCard>
  );
}
