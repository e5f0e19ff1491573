"use client";

import type { RouterInputs, RouterOutputs } from "@tollgate/api";
import { useSuspenseQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Badge, StatusBadge } from "@/components/badge";
import { DataTable } from "@/components/data-table";
import { formatTime } from "@/components/format";
import { useTimeZone } from "@/components/organization";
import { useTRPC } from "@/trpc/react";

type Agent = RouterOutputs["agents"]["list"]["items"][number];

export function AgentsTable({ input }: { input: RouterInputs["agents"]["list"] }) {
  const trpc = useTRPC();
  const timeZone = useTimeZone();
  const { data } = useSuspenseQuery(trpc.agents.list.queryOptions(input));
  return (
    <DataTable<Agent>
      label="Agents"
      data={data}
      rowKey={(agent) => agent.id}
      empty={
        input.search || input.status
          ? { title: `No ${input.status ? `${input.status} ` : ""}agents${input.search ? ` match “${input.search}”` : ""}`, description: "Try part of another name or tag, or any status." }
          : { title: "No agents yet", description: "Agents appear here once an admin creates them, with their keys, owner and trust score." }
      }
      columns={[
        {
          header: "Name",
          cell: (agent) => (
            <div>
              <Link href={`/agents/${agent.id}`} className="font-medium text-slate-900 hover:text-indigo-600">
                {agent.name}
              </Link>
              {agent.description && <div className="max-w-xs truncate text-xs text-slate-500">{agent.description}</div>}
            </div>
          ),
        },
        {
          header: "Tags",
          cell: (agent) => (
            <div className="flex flex-wrap gap-1">
              {agent.tags.map((tag) => (
                <Badge key={tag}>{tag}</Badge>
              ))}
            </div>
          ),
        },
        { header: "Status", cell: (agent) => <StatusBadge status={agent.status} /> },
        { header: "Owner", cell: (agent) => agent.owner.name },
        { header: "Trust", className: "text-right", cell: (agent) => <TrustScore score={agent.trustScore} /> },
        { header: "Created", cell: (agent) => formatTime(agent.createdAt, timeZone) },
      ]}
    />
  );
}

/** 300–850, coloured by band like a credit score. */
export function TrustScore({ score }: { score: number | null }) {
  if (score === null) return <span className="text-slate-400">—</span>;
  const colour = score >= 700 ? "text-emerald-700" : score >= 550 ? "text-amber-700" : "text-rose-700";
  return <span className={`font-semibold tabular-nums ${colour}`}>{score}</span>;
}
