"use client";

import type { RouterInputs, RouterOutputs } from "@tollgate/api";
import { useSuspenseQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Badge, StatusBadge } from "@/components/badge";
import { DataTable } from "@/components/data-table";
import { formatTime } from "@/components/format";
import { useTimeZone } from "@/components/organization";
import { useTRPC } from "@/trpc/react";

type Policy = RouterOutputs["policies"]["list"]["items"][number];

export function PoliciesTable({ input }: { input: RouterInputs["policies"]["list"] }) {
  const trpc = useTRPC();
  const timeZone = useTimeZone();
  const { data } = useSuspenseQuery(trpc.policies.list.queryOptions(input));
  return (
    <DataTable<Policy>
      label="Policies"
      data={data}
      rowKey={(policy) => policy.id}
      empty={{ title: "No policies yet", description: "Without a policy every agent is denied everything. Write one with New policy, or as code with the CLI." }}
      columns={[
        {
          header: "Policy",
          cell: (policy) => (
            <div>
              <Link href={`/policies/${policy.id}`} className="font-medium text-indigo-700 hover:underline">
                {policy.name}
              </Link>
              {policy.description && <div className="max-w-sm truncate text-xs text-slate-500">{policy.description}</div>}
            </div>
          ),
        },
        {
          header: "Status",
          cell: (policy) =>
            policy.archivedAt ? <StatusBadge status="archived" /> : policy.published ? <StatusBadge status={policy.published.mode === "shadow" ? "shadow" : "active"} /> : <StatusBadge status="draft" />,
        },
        { header: "Published", cell: (policy) => (policy.published ? <Badge tone="info">v{policy.published.version}</Badge> : <span className="text-slate-400">—</span>) },
        { header: "Latest", cell: (policy) => (policy.latestVersion === null ? <span className="text-slate-400">—</span> : `v${policy.latestVersion}`) },
        { header: "Published at", cell: (policy) => (policy.published ? formatTime(policy.published.publishedAt, timeZone) : <span className="text-slate-400">—</span>) },
        { header: "Created", cell: (policy) => formatTime(policy.createdAt, timeZone) },
      ]}
    />
  );
}
