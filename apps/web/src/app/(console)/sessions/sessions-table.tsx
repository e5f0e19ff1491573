"use client";

import type { RouterInputs, RouterOutputs } from "@tollgate/api";
import { useSuspenseQuery } from "@tanstack/react-query";
import { StatusBadge } from "@/components/badge";
import { DataTable } from "@/components/data-table";
import { formatCount, formatTime } from "@/components/format";
import { useTimeZone } from "@/components/organization";
import { useTRPC } from "@/trpc/react";

type Session = RouterOutputs["sessions"]["list"]["items"][number];

export function SessionsTable({ input }: { input: RouterInputs["sessions"]["list"] }) {
  const trpc = useTRPC();
  const timeZone = useTimeZone();
  const { data } = useSuspenseQuery(trpc.sessions.list.queryOptions(input));
  return (
    <DataTable<Session>
      label="Sessions"
      data={data}
      rowKey={(session) => session.id}
      empty={{ title: "No sessions yet", description: "A session starts when an agent first asks for a decision with a new session id." }}
      columns={[
        { header: "Session", cell: (session) => <code className="font-mono text-xs text-slate-900">{session.externalId}</code> },
        { header: "Agent", cell: (session) => session.agent.name },
        {
          header: "Status",
          cell: (session) => (
            <div>
              <StatusBadge status={session.status} />
              {session.trippedReason && <div className="mt-0.5 text-xs text-slate-500">{session.trippedReason}</div>}
            </div>
          ),
        },
        { header: "Decisions", className: "text-right tabular-nums", cell: (session) => formatCount(session.decisionCount) },
        { header: "Started", cell: (session) => formatTime(session.startedAt, timeZone) },
        { header: "Last seen", cell: (session) => formatTime(session.lastSeenAt, timeZone) },
      ]}
    />
  );
}
