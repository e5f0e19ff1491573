"use client";

import type { RouterInputs, RouterOutputs } from "@tollgate/api";
import { useSuspenseQuery } from "@tanstack/react-query";
import { Badge } from "@/components/badge";
import { DataTable } from "@/components/data-table";
import { formatTime } from "@/components/format";
import { useTimeZone } from "@/components/organization";
import { useTRPC } from "@/trpc/react";

type AuditEvent = RouterOutputs["audit"]["list"]["items"][number];

const actorLabel = (actor: AuditEvent["actor"]) =>
  actor.kind === "user" ? (actor.name ?? "a former user") : actor.kind === "api_token" ? "API token" : "Tollgate";

export function AuditTable({ input }: { input: RouterInputs["audit"]["list"] }) {
  const trpc = useTRPC();
  const timeZone = useTimeZone();
  const { data } = useSuspenseQuery(trpc.audit.list.queryOptions(input));
  return (
    <DataTable<AuditEvent>
      label="Audit log"
      data={data}
      rowKey={(event) => event.id}
      empty={{ title: "Nothing recorded yet", description: "Admin changes are recorded here as they happen, with before and after." }}
      columns={[
        { header: "When", cell: (event) => formatTime(event.createdAt, timeZone) },
        { header: "Who", cell: (event) => <span className="font-medium text-slate-900">{actorLabel(event.actor)}</span> },
        { header: "Action", cell: (event) => <Badge tone="info">{event.action}</Badge> },
        {
          header: "Target",
          cell: (event) => (
            <span>
              {event.targetType} <code className="font-mono text-xs text-slate-500">{event.targetId.slice(0, 8)}</code>
            </span>
          ),
        },
      ]}
    />
  );
}
