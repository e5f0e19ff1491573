"use client";

import type { RouterInputs, RouterOutputs } from "@tollgate/api";
import { useSuspenseQuery } from "@tanstack/react-query";
import { StatusBadge } from "@/components/badge";
import { DataTable, type Column } from "@/components/data-table";
import { formatMoney, formatTime } from "@/components/format";
import { useTimeZone } from "@/components/organization";
import { useTRPC } from "@/trpc/react";
import { countRedelegated, RevokeDelegation } from "./revoke-delegation";

type Delegation = RouterOutputs["delegations"]["list"]["items"][number];

export function DelegationsTable({ input, canManage }: { input: RouterInputs["delegations"]["list"]; canManage: boolean }) {
  const trpc = useTRPC();
  const timeZone = useTimeZone();
  const { data } = useSuspenseQuery(trpc.delegations.list.queryOptions(input));
  const columns: Column<Delegation>[] = [
    {
      header: "From → to",
      cell: (delegation) => (
        <span className="font-medium text-slate-900">
          {delegation.delegator.name} <span className="text-slate-400">→</span> {delegation.delegate.name}
        </span>
      ),
    },
    {
      header: "Actions",
      cell: (delegation) => (
        <code className="font-mono text-xs text-slate-600">{delegation.actions.length > 0 ? delegation.actions.join(", ") : "—"}</code>
      ),
    },
    { header: "Budget", className: "text-right tabular-nums", cell: (delegation) => (delegation.budget ? formatMoney(delegation.budget) : "—") },
    { header: "Re-delegation", className: "text-right tabular-nums", cell: (delegation) => (delegation.maxDepth === 0 ? "none" : `${delegation.maxDepth} deep`) },
    { header: "Status", cell: (delegation) => <StatusBadge status={delegation.status} /> },
    { header: "Expires", cell: (delegation) => formatTime(delegation.expiresAt, timeZone) },
  ];
  if (canManage) {
    // The page's rows are enough to count re-delegations shown here; the server revokes all of them either way.
    columns.push({ header: "Manage", cell: (delegation) => <RevokeDelegation delegation={delegation} redelegated={countRedelegated(delegation.id, data.items)} /> });
  }
  return (
    <DataTable<Delegation>
      label="Delegations"
      data={data}
      rowKey={(delegation) => delegation.id}
      empty={{ title: "No delegations", description: "No agent has granted another any part of its scope." }}
      columns={columns}
    />
  );
}
